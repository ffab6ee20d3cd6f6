import os
import subprocess
import sys

import pytest
from django.conf import settings

from config import settings as product_settings

REQUIRED = {
    "SECRET_KEY": "s",
    "FIELD_ENCRYPTION_KEY": "dGVzdC1vbmx5LWZpZWxkLWtleS1ub3Qtc2VjcmV0LTE=",
    "IDENTITY_HASH_KEY": "test-only-identity-hash-key-not-secret-1",
    "DATABASE_URL": "sqlite:////tmp/x.sqlite3",
}


def load_settings(**environment) -> subprocess.CompletedProcess:
    """Import config.settings in a fresh interpreter with exactly this environment."""
    code = (
        "import json, config.settings as s; print(json.dumps({'DEBUG': s.DEBUG, 'OTP': s.OTP_REQUIRED, "
        "'HSTS': s.SECURE_HSTS_SECONDS, 'SECURE_COOKIE': s.SESSION_COOKIE_SECURE, "
        "'DB': s.DATABASES['default']['ENGINE'],"
        "'HOSTS': s.ALLOWED_HOSTS, 'BROKER': s.CELERY_BROKER_URL, 'EMAIL': s.EMAIL_BACKEND, "
        "'CACHE': s.CACHES['default']['BACKEND']}))"
    )
    env = {"PATH": os.environ["PATH"], **environment}
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)  # noqa: S603


def test_production_safe_defaults_when_only_required_variables_are_set():
    result = load_settings(**REQUIRED)
    assert result.returncode == 0, result.stderr
    assert '"DEBUG": false' in result.stdout
    assert '"OTP": true' in result.stdout
    assert '"HSTS": 31536000' in result.stdout
    assert '"SECURE_COOKIE": true' in result.stdout
    assert '"HOSTS": []' in result.stdout
    # Rate-limit counts are shared by every worker: Redis, not each process's memory.
    assert '"CACHE": "django.core.cache.backends.redis.RedisCache"' in result.stdout


def test_settings_are_read_from_the_environment():
    result = load_settings(
        **{**REQUIRED, "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/gruppstod"},
        ALLOWED_HOSTS="gruppstod.example.se,intern.example.se",
        REDIS_URL="redis://cache.example.se:6379/2",
        EMAIL_URL="smtp+tls://user:pw@mail.example.se:587",
        DEBUG="true",
    )
    assert result.returncode == 0, result.stderr
    assert "django.db.backends.postgresql" in result.stdout
    assert '"HOSTS": ["gruppstod.example.se", "intern.example.se"]' in result.stdout
    assert "redis://cache.example.se:6379/2" in result.stdout
    assert "smtp.EmailBackend" in result.stdout
    assert '"DEBUG": true' in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "FIELD_ENCRYPTION_KEY", "IDENTITY_HASH_KEY"])
def test_secrets_have_no_default(missing):
    environment = {name: value for name, value in REQUIRED.items() if name != missing}
    result = load_settings(**environment)
    assert result.returncode != 0
    assert missing in result.stderr


def test_a_malformed_field_encryption_key_is_refused():
    result = load_settings(**{**REQUIRED, "FIELD_ENCRYPTION_KEY": "too-short"})
    assert result.returncode != 0
    assert "Fernet" in result.stderr


def test_swedish_is_the_default_language_and_english_is_available():
    assert settings.LANGUAGE_CODE == "sv"
    assert settings.TIME_ZONE == "Europe/Stockholm"
    assert [code for code, _ in settings.LANGUAGES] == ["sv", "en"]


def test_passwords_are_hashed_with_argon2_in_the_product():
    # Read from the settings module itself: the tests swap in a fast hasher (tests/conftest.py).

    assert product_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def _printed(setting: str, **environment) -> subprocess.CompletedProcess:
    code = f"import config.settings as s; print(s.{setting})"
    env = {"PATH": os.environ["PATH"], **REQUIRED, **environment}
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)  # noqa: S603


def test_purge_grace_period_defaults_to_30_days_and_is_configurable():
    assert _printed("PURGE_GRACE_DAYS").stdout.strip() == "30"
    assert _printed("PURGE_GRACE_DAYS", PURGE_GRACE_DAYS="60").stdout.strip() == "60"


def test_interest_registration_lapse_defaults_to_180_days_and_is_configurable():
    name = "INTEREST_REGISTRATION_LAPSE_DAYS"
    assert _printed(name).stdout.strip() == "180"
    assert _printed(name, **{name: "90"}).stdout.strip() == "90"


@pytest.mark.parametrize("name", ["PURGE_GRACE_DAYS", "INTEREST_REGISTRATION_LAPSE_DAYS"])
@pytest.mark.parametrize("value", ["trettio", "-1"])
def test_a_bad_retention_period_refuses_to_start(name, value):
    result = _printed(name, **{name: value})
    assert result.returncode != 0
    assert name in result.stderr
