"""Gruppstöd settings: everything comes from environment variables.

Defaults are production-safe (DEBUG off, secure cookies, two-factor required).
Development values are set only by `make run` (see Makefile), tests set theirs in
tests/conftest.py.
"""

from pathlib import Path

import environ
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()


def _required(name: str) -> str:
    value = env.str(name, default="")
    if not value:
        raise ImproperlyConfigured(f"Miljövariabeln {name} måste sättas.")
    return value


def _whole_number(name: str, default: int, unit: str) -> int:
    """A whole number, zero or more, from the environment."""
    try:
        value = env.int(name, default=default)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} måste vara ett heltal ({unit}).") from error
    if value < 0:
        raise ImproperlyConfigured(f"{name} kan inte vara negativt.")
    return value


def _days(name: str, default: int) -> int:
    return _whole_number(name, default, "antal dagar")


DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = _required("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Fernet keys for identity numbers at rest, comma-separated: the first encrypts, the others
# only decrypt (key rotation). A key of its own, not derived from SECRET_KEY, so rotating
# the session secret never makes stored identity numbers unreadable.
FIELD_ENCRYPTION_KEYS = _required("FIELD_ENCRYPTION_KEY").split(",")
for _key in FIELD_ENCRYPTION_KEYS:
    try:
        Fernet(_key.strip())
    except ValueError as error:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY måste vara Fernet-nycklar (32 byte, url-säker base64), kommaseparerade."
        ) from error

# The key of the identity-number hash (the duplicate-child check). A key of its own, never
# rotated with FIELD_ENCRYPTION_KEY: a hash made under a rotated key would never match again and
# a second active referral for the same child would slip through. At least 32 characters.
IDENTITY_HASH_KEY = _required("IDENTITY_HASH_KEY")
if len(IDENTITY_HASH_KEY) < 32:
    raise ImproperlyConfigured("IDENTITY_HASH_KEY måste vara minst 32 tecken lång.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_ratelimit",
    "rules.apps.AutodiscoverRulesConfig",
    "auditlog",
    "partnership",
    "referrals",
    "consent",
    "groups",
    "finance",
    "followup",
    "coordination",
    "citywide",
    "composition",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "partnership.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "partnership.middleware.RejectMalformedRequestMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "partnership.middleware.IdleTimeoutMiddleware",
    "partnership.middleware.RequireTwoFactorMiddleware",
    "partnership.middleware.HistoryActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "partnership.errors.ErrorPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# DATABASE_URL is required in production; `make run` and the tests point it at SQLite.
DATABASES = {"default": env.db_url("DATABASE_URL")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # PostgreSQL compiles a query whose estimated cost passes jit_above_cost; the compiling took
    # about a second of the city dashboard's aggregate at national scale, more than running it.
    # Our queries are short aggregates over indexes, where JIT never pays off.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
# A PostgreSQL read replica for reports (optional): the follow-up report and the annual financial
# report read from it (partnership/replica.py, config/routers.py); everything else uses "default".
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db_url("DATABASE_REPLICA_URL")
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    # Tests run against one database: the replica alias reads the test database itself.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
REPORT_DATABASE = "replica" if "replica" in DATABASES else "default"
DATABASE_ROUTERS = ["config.routers.ReportReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout after repeated failed logins (django-axes answers 429).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = ["username"]
# Lock per account, not per IP address: the city's and Bris' staff reach us through shared
# proxy addresses, and an IP lockout would shut a whole district office out after 5 typos.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True

# The shared cache: rate-limit counts (partnership/ratelimits.py). Redis in production, so every
# worker counts the same requests; CACHE_URL overrides it (the tests use locmemcache://).
if env.str("CACHE_URL", default=""):
    CACHES = {"default": env.cache_url("CACHE_URL")}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.str("REDIS_URL", default="redis://127.0.0.1:6379/0"),
            "KEY_PREFIX": "gruppstod",
        }
    }
# Django's own Redis cache increments atomically (INCRBY), as django-ratelimit needs; the check
# only knows django-redis by name.
SILENCED_SYSTEM_CHECKS.append("django_ratelimit.W001")
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The local demo's SQLite keeps covering indexes' key columns only (production is PostgreSQL).
    SILENCED_SYSTEM_CHECKS.append("models.W040")
if CACHES["default"]["BACKEND"].endswith("LocMemCache"):
    # One process (tests, the local demo): its own memory counts every request it gets.
    SILENCED_SYSTEM_CHECKS.append("django_ratelimit.E003")
RATELIMIT_VIEW = "partnership.errors.too_many_requests"
# Which request header holds the client address behind the reverse proxy (e.g. HTTP_X_REAL_IP).
RATELIMIT_IP_META_KEY = env.str("RATELIMIT_IP_META_KEY", default="REMOTE_ADDR")
RATE_LIMITS = {
    "login": env.str("RATE_LIMIT_LOGIN", default="60/m"),
    "two_factor": env.str("RATE_LIMIT_TWO_FACTOR", default="10/m"),
    "public_token": env.str("RATE_LIMIT_PUBLIC_TOKEN", default="30/m"),
}

# Two-factor sign-in (TOTP) for every account; only the local demo switches it off.
# Change history (partnership/history.py): auditlog keeps each change's values as JSON (numbers
# and None as such, not as text) and no IP address: the actor and time are what the history needs.
AUDITLOG_STORE_JSON_CHANGES = True
AUDITLOG_DISABLE_REMOTE_ADDR = True

OTP_REQUIRED = env.bool("OTP_REQUIRED", default=True)
OTP_TOTP_ISSUER = "Gruppstöd"
# An account without an authenticator enrols one only with a one-time code a superuser issued
# (the admin's user list, or `manage.py two_factor_enrolment_code`); the code expires after this
# many days.
TWO_FACTOR_ENROLMENT_CODE_DAYS = _days("TWO_FACTOR_ENROLMENT_CODE_DAYS", 3)
# The admin never shows an authenticator's secret or QR code: whoever saw it could sign in as its owner.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Idle timeout: the session ends after this many seconds without a request.
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Svenska")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str("STATICFILES_STORAGE", default="whitenoise.storage.CompressedManifestStaticFilesStorage")
    },
}
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "/media/"

# Django's renderer, with select boxes written in Python (the lists' filter forms: districts).
FORM_RENDERER = "partnership.forms_rendering.FormRenderer"
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Mail: EMAIL_URL such as smtp+tls://user:pass@host:587 or consolemail://
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Gruppstöd <noreply@gruppstod.se>")

# Celery: Redis as broker; `make run` sets CELERY_TASK_ALWAYS_EAGER so no broker is needed.
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL
# Outcomes are kept in the database (partnership.BackgroundJob), so Celery keeps no results.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
# A worker reserves only the job it runs: one that dies holds no other job hostage, and a burst
# spreads over every worker instead of queueing behind the first one's prefetch.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A queue of its own lets a test worker share a Redis with other processes without eating their tasks.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
# With the broker down, sending a job gives up within a second or two rather than holding the
# user's request (the job waits in the database; partnership/jobs.py).
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_TIMEZONE = TIME_ZONE
# How often beat runs the background-job sweep (partnership/jobs.py), in seconds.
JOBS_SWEEP_SECONDS = _whole_number("JOBS_SWEEP_SECONDS", 60, "antal sekunder") or 60
# A job still running after this many seconds counts as lost (its worker died) and the sweep
# requeues it. Unset (0): each kind's own limit, 10 minutes unless the kind says otherwise.
JOBS_TIME_LIMIT_SECONDS = _whole_number("JOBS_TIME_LIMIT_SECONDS", 0, "antal sekunder")

# Data lifecycle (IOP 2.3): a child's data is purged or returned this many days after the
# referral ended, long enough to finish evaluations.
PURGE_GRACE_DAYS = _days("PURGE_GRACE_DAYS", 30)
# An interest registration the district never decided lapses and is purged this many days after
# Bris recorded it; one the district rejected goes PURGE_GRACE_DAYS after the decision (IOP 2.3).
INTEREST_REGISTRATION_LAPSE_DAYS = _days("INTEREST_REGISTRATION_LAPSE_DAYS", 180)
# Coordination (issue 15): an interest from the public form that no provider takes up is purged
# this many days after it came in.
INTEREST_LAPSE_DAYS = _days("INTEREST_LAPSE_DAYS", 90)
# The public page of groups and its feeds are cached this many seconds (0: not cached).
PUBLIC_PAGE_CACHE_SECONDS = _whole_number("PUBLIC_PAGE_CACHE_SECONDS", 300, "antal sekunder")
# The city's demand-and-capacity dashboard (issue 16) is computed from every referral, interest and
# placement of the city; its page is kept this many seconds per term, target group, page and
# language, and says when its figures were computed (0: computed on every request).
CITYWIDE_CACHE_SECONDS = _whole_number("CITYWIDE_CACHE_SECONDS", 300, "antal sekunder")
# The public interest form takes at most this many submissions per hour from one address.
INTEREST_FORM_RATE_PER_HOUR = _whole_number("INTEREST_FORM_RATE_PER_HOUR", 5, "antal")
# Composing groups (issue 16): the solver stops after this many seconds (at least 1) with the best
# suggestion found and its bound; the page waits for it, so keep it short.
COMPOSITION_TIME_LIMIT_SECONDS = max(1, _whole_number("COMPOSITION_TIME_LIMIT_SECONDS", 5, "antal sekunder"))

# Reminders: operations managers hear of a coming purge this many days ahead; a SoL referral
# still without every guardian's consent this many days after submission reminds the district.
PURGE_NOTICE_DAYS = _days("PURGE_NOTICE_DAYS", 7)
CONSENT_REMINDER_DAYS = _days("CONSENT_REMINDER_DAYS", 14)
# A child left on the waiting list is not kept forever (IOP 2.3): this many days after the child
# went on the list (or the district last confirmed), the district is asked to confirm that the
# child still needs a place; unconfirmed WAITING_LIST_CONFIRM_DAYS later, the referral ends and
# the purge clock starts.
WAITING_LIST_REVIEW_DAYS = _days("WAITING_LIST_REVIEW_DAYS", 180)
WAITING_LIST_CONFIRM_DAYS = _days("WAITING_LIST_CONFIRM_DAYS", 30)
AGREEMENT_ENDING_NOTICE_DAYS = _days("AGREEMENT_ENDING_NOTICE_DAYS", 90)
# A placed child's district must know of the registration before the group starts (IOP 3.1.2).
DISTRICT_NOTICE_DAYS = _days("DISTRICT_NOTICE_DAYS", 14)

# Security headers. The CSP forbids inline scripts and styles everywhere.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
# Browser features no page of the app uses: denied to every page (partnership/middleware.py).
PERMISSIONS_POLICY_DENIED = [
    "accelerometer",
    "autoplay",
    "bluetooth",
    "camera",
    "display-capture",
    "encrypted-media",
    "geolocation",
    "gyroscope",
    "hid",
    "idle-detection",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "publickey-credentials-get",
    "screen-wake-lock",
    "serial",
    "usb",
    "xr-spatial-tracking",
]
# Error pages in the site's layout and language (partnership/errors.py).
CSRF_FAILURE_VIEW = "partnership.errors.csrf_failure"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

# No identity number may reach a log line: request bodies are never logged, and the
# error-report filter below scrubs POST data and settings from error reports.
DEFAULT_EXCEPTION_REPORTER_FILTER = "partnership.logging.ScrubbingExceptionReporterFilter"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"scrub_identity_numbers": {"()": "partnership.logging.ScrubIdentityNumbersFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["scrub_identity_numbers"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # WeasyPrint logs every rendering step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # The development server logs each request line, query string included: through the
        # scrubbing handler, so a personnummer typed into a GET form never reaches the log.
        # (gunicorn in production writes no access log: the Dockerfile gives it none.)
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# The city's common schedule for following up a child after a programme (issue 16): the months
# after a group's last meeting when the follow-up evaluation is due, comma-separated.
FOLLOW_UP_SCHEDULE_MONTHS = sorted({int(value) for value in env.list("FOLLOW_UP_SCHEDULE_MONTHS", default=["3", "12"])})
if not FOLLOW_UP_SCHEDULE_MONTHS or not all(1 <= months <= 60 for months in FOLLOW_UP_SCHEDULE_MONTHS):
    raise ImproperlyConfigured("FOLLOW_UP_SCHEDULE_MONTHS måste vara antal månader från 1 till 60, t.ex. 3,12.")
