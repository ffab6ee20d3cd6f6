"""The test command (`make test`): sets the test environment, then runs pytest.

DATABASE_URL decides the database: PostgreSQL when set, else a throwaway SQLite file.
Under CI=true the suite must run on PostgreSQL, and any skipped test fails the run
(tests/conftest.py enforces that).
"""

import os
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

TEST_ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "SECRET_KEY": "test-only-not-secret",
    # Fernet key used only by the tests (base64 of 32 ASCII bytes).
    "FIELD_ENCRYPTION_KEY": "dGVzdC1vbmx5LWZpZWxkLWtleS1ub3Qtc2VjcmV0LTE=",
    "IDENTITY_HASH_KEY": "test-only-identity-hash-key-not-secret-1",
    "ALLOWED_HOSTS": "testserver,localhost,127.0.0.1",
    "DEBUG": "false",
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
    "CELERY_TASK_ALWAYS_EAGER": "true",
    "EMAIL_URL": "consolemail://",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    # Rate-limit counts in the test process's memory, emptied before each test (tests/conftest.py).
    "CACHE_URL": "locmemcache://",
    # Playwright drives Chromium from the test thread while live_server serves Django.
    "DJANGO_ALLOW_ASYNC_UNSAFE": "true",
    "OTP_REQUIRED": "true",
}


def main(argv: list[str]) -> int:
    for name, value in TEST_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    in_ci = os.environ.get("CI", "").lower() == "true"
    database_url = os.environ.get("DATABASE_URL", "")
    if in_ci and not database_url.startswith(("postgres://", "postgresql://", "pgsql://")):
        print("CI=true: DATABASE_URL måste peka på PostgreSQL; sviten faller inte tillbaka på SQLite.", file=sys.stderr)
        return 2
    if not database_url:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.gettempdir()}/gruppstod-test-{os.getpid()}.sqlite3"
    if in_ci:
        # CI runs on the machine's shared PostgreSQL, where an earlier run's test database may
        # hold migrations that were renamed since; build it afresh instead of reusing it.
        argv = ["--create-db", *argv]
    os.chdir(ROOT)
    return pytest.main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
