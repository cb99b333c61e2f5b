"""Settings for the KAM CRM, read from the environment (12-factor).

Every value comes from an environment variable through the small strict helpers below,
which refuse a malformed value instead of guessing. `.env.example` lists them all.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def envint(name: str, default: str) -> int:
    value = os.environ.get(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from None


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", "0")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        # No silent default in production: a forged session is worse than a failed start.
        raise ImproperlyConfigured("SECRET_KEY is not set (it may only be omitted with DEBUG=1).")
    SECRET_KEY = "insecure-debug-only-key"  # noqa: S105 - only ever used with DEBUG=1

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "tiering",
    "plans",
    "funnel",
    "integrations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "kam.middleware.ApiBodySizeLimit",
    "kam.middleware.ApiRejectNulQuery",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "kam.urls"

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
                "plans.context_processors.notifications",
            ],
        },
    },
]

WSGI_APPLICATION = "kam.wsgi.application"

# Embedded SQLite unless DATABASE_URL names another database (PostgreSQL in production and CI).
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("DB_CONN_MAX_AGE", "60"),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"  # reps land on "my work", everyone else on the accounts

# Reminder e-mails (plans.reminders). Without EMAIL_HOST they are printed to the console.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "0")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "kam@localhost")
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "en")
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

REDIS_URL = os.environ.get("REDIS_URL", "")

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: Redis when configured; otherwise tasks run in-process so a bare machine works.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Spreadsheet uploads (integrations.spreadsheets.limits): every file is read within these caps,
# and one past SPREADSHEET_INLINE_BYTES (as sent or unpacked) is read by a worker, never in the request.
SPREADSHEET_MAX_FILE_BYTES = envint("SPREADSHEET_MAX_FILE_BYTES", str(20 * 1024 * 1024))
SPREADSHEET_MAX_ROWS = envint("SPREADSHEET_MAX_ROWS", "50000")
SPREADSHEET_MAX_CELLS = envint("SPREADSHEET_MAX_CELLS", "5000000")
SPREADSHEET_MAX_CELL_CHARS = envint("SPREADSHEET_MAX_CELL_CHARS", "32767")
SPREADSHEET_MAX_UNPACKED_BYTES = envint("SPREADSHEET_MAX_UNPACKED_BYTES", str(200 * 1024 * 1024))
SPREADSHEET_MAX_ZIP_RATIO = envint("SPREADSHEET_MAX_ZIP_RATIO", "300")
SPREADSHEET_MAX_TEXT_CHARS = envint("SPREADSHEET_MAX_TEXT_CHARS", str(40 * 1000 * 1000))
SPREADSHEET_INLINE_BYTES = envint("SPREADSHEET_INLINE_BYTES", str(1024 * 1024))
SPREADSHEET_PARSE_SECONDS = envint("SPREADSHEET_PARSE_SECONDS", "300")
TIERING_NIGHTLY_AT = os.environ.get("TIERING_NIGHTLY_AT", "02:30")  # local time, HH:MM
try:
    _hour, _minute = (int(part) for part in TIERING_NIGHTLY_AT.split(":"))
except ValueError:
    raise ImproperlyConfigured(f"TIERING_NIGHTLY_AT must be HH:MM, got {TIERING_NIGHTLY_AT!r}") from None
PLANS_REMINDERS_AT = os.environ.get("PLANS_REMINDERS_AT", "08:00")  # local time, HH:MM
try:
    _reminder_hour, _reminder_minute = (int(part) for part in PLANS_REMINDERS_AT.split(":"))
except ValueError:
    raise ImproperlyConfigured(f"PLANS_REMINDERS_AT must be HH:MM, got {PLANS_REMINDERS_AT!r}") from None
CELERY_BEAT_SCHEDULE = {
    # Overdue contacts and actions, plans awaiting approval: in-app and e-mail, once a day.
    "plans-plan-visits": {
        "task": "plans.tasks.plan_visits",
        "schedule": crontab(hour=_reminder_hour, minute=max(0, _reminder_minute - 5) if _reminder_minute else 0),
        "options": {"expires": 6 * 3600},
    },
    "plans-daily-reminders": {
        "task": "plans.tasks.send_daily_reminders",
        "schedule": crontab(hour=_reminder_hour, minute=_reminder_minute),
        "options": {"expires": 6 * 3600},
    },
    "tiering-nightly-recompute": {
        "task": "tiering.tasks.nightly_recompute",
        "schedule": crontab(hour=_hour, minute=_minute),
        "options": {"expires": 6 * 3600},  # a missed night is not worth running at noon
    },
    # Re-send webhook deliveries whose queued attempt was lost (broker outage, dead worker).
    "webhooks-requeue-overdue": {"task": "integrations.tasks.requeue_overdue_webhooks", "schedule": 300.0},
    "webhooks-purge": {
        "task": "integrations.tasks.purge_old_webhook_deliveries",
        "schedule": crontab(hour=4, minute=15),
    },
    # Idempotency keys live 24 hours; drop the expired ones nightly.
    "idempotency-keys-purge": {
        "task": "integrations.tasks.purge_expired_idempotency_keys",
        "schedule": crontab(hour=4, minute=30),
    },
    # Spreadsheet uploads (their rows and reports) are kept 30 days.
    "import-batches-purge": {
        "task": "integrations.tasks.purge_old_import_batches",
        "schedule": crontab(hour=4, minute=45),
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # The API takes (and its document advertises) JSON only: a client generated from the document
    # would otherwise send multipart, where null cannot be said and an omitted boolean is false.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": [
        "kam.api.pagination.UpdatedSinceFilter",
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "kam.api.pagination.SyncCursorPagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "kam.api.exceptions.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["kam.api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": os.environ.get("API_THROTTLE_RATE", "1200/min")},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
}

# The OpenAPI document and its Swagger UI: signed-in people and tokens only, unless made public.
API_DOCS_PUBLIC = envbool("API_DOCS_PUBLIC", "0")

SPECTACULAR_SETTINGS = {
    "TITLE": "KAM CRM API",
    "DESCRIPTION": "Key-account management: accounts, contacts, teams; tiers and pipeline.",
    "VERSION": "1.0.0",
    # 3.1: a nullable reference is `oneOf: [ref, null]`; 3.0's `nullable` beside `allOf` means nothing.
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"OrderStatusEnum": "accounts.models.Order.Status"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "kam.api.schema.add_error_responses",
    ],
}

# Levels a group tree (parent accounts) may have, a root alone being 1: refused at write time.
ACCOUNT_GROUP_MAX_DEPTH = envint("ACCOUNT_GROUP_MAX_DEPTH", "20")

# Bulk calls carry up to 5,000 records (~1-2 MB); anything far larger is refused with a 413.
API_MAX_BODY_BYTES = envint("API_MAX_BODY_BYTES", str(10 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_BODY_BYTES
# Sync out hands rows only below the start of the oldest write transaction in flight, less this
# margin for timestamps taken in Python before a transaction reached the database and for clock
# drift between app and database servers (kam.api.pagination.sync_horizon).
SYNC_SETTLE_SECONDS = envint("SYNC_SETTLE_SECONDS", "2")

if not DEBUG:
    SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", "1")
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
