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

from kam.logfmt import logging_config

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
    "kam.admin_site.KamAdminConfig",  # the admin, for directors only
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
            # kam is no app: its template tags are named here.
            "libraries": {"fast_url": "kam.templatetags.fast_url"},
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
FORMAT_MODULE_PATH = ["kam.formats"]  # zh-hans groups thousands with commas (kam/formats/zh_Hans)
# The business time zone: what "today" is, the times pages show, and the zone of every
# scheduled time below (TIERING_NIGHTLY_AT ...). UTC unless set; production sets it on purpose.
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
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
    CACHES = {"default": {"BACKEND": "kam.cache.SharedClientRedisCache", "LOCATION": REDIS_URL}}
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
# Scoring runs survive a dead worker (tiering.services.run_watchdog): a running run touches its
# heartbeat every TIERING_RUN_HEARTBEAT_SECONDS; one silent for TIERING_RUN_STALE_SECONDS is
# abandoned, and the watchdog (every TIERING_WATCHDOG_SECONDS) requeues it, at most
# TIERING_RUN_MAX_ATTEMPTS times, then marks it failed. Defaults: a killed run is taken up again
# within 120 + 60 s of its death, once a worker is free.
TIERING_RUN_HEARTBEAT_SECONDS = envint("TIERING_RUN_HEARTBEAT_SECONDS", "20")
TIERING_RUN_STALE_SECONDS = envint("TIERING_RUN_STALE_SECONDS", "120")
TIERING_RUN_MAX_ATTEMPTS = envint("TIERING_RUN_MAX_ATTEMPTS", "3")
TIERING_RUN_QUEUE_TIMEOUT_SECONDS = envint("TIERING_RUN_QUEUE_TIMEOUT_SECONDS", "3600")  # never started: failed
TIERING_WATCHDOG_SECONDS = envint("TIERING_WATCHDOG_SECONDS", "60")
if not 0 < TIERING_RUN_HEARTBEAT_SECONDS < TIERING_RUN_STALE_SECONDS:
    raise ImproperlyConfigured("TIERING_RUN_HEARTBEAT_SECONDS must be above 0 and below TIERING_RUN_STALE_SECONDS")
# Redis hands a message taken by a worker that died (acks_late) to another one after this many
# seconds. Runs don't wait for it (the watchdog requeues them within minutes); it bounds the loss
# of other tasks, and webhook retries due later than this are left to the sweeper instead of
# a delayed message (which Redis would duplicate every visibility timeout).
REDIS_VISIBILITY_TIMEOUT_SECONDS = envint("REDIS_VISIBILITY_TIMEOUT_SECONDS", "1800")
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": REDIS_VISIBILITY_TIMEOUT_SECONDS}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": REDIS_VISIBILITY_TIMEOUT_SECONDS}
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


def envdaily(name: str, default: str) -> crontab:
    """A daily beat time `HH:MM` from the environment, read in TIME_ZONE (CELERY_TIMEZONE)."""
    value = os.environ.get(name, default)
    try:
        hour, minute = (int(part) for part in value.split(":"))
    except ValueError:
        hour = minute = -1
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise ImproperlyConfigured(f"{name} must be HH:MM (in TIME_ZONE), got {value!r}")
    return crontab(hour=hour, minute=minute)


# Every beat time below is read in TIME_ZONE; beat must run exactly once and be restarted after a
# change (README, "Scheduled jobs"). Its state lives in KAM_STATE_DIR, never in the code tree.
TIERING_NIGHTLY_AT = os.environ.get("TIERING_NIGHTLY_AT", "02:30")
KAM_STATE_DIR = Path(os.environ.get("KAM_STATE_DIR", Path.home() / ".local" / "state" / "kam"))
CELERY_BEAT_SCHEDULE_FILENAME = str(KAM_STATE_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULER = "kam.celery.StateDirScheduler"
PLANS_REMINDERS_AT = os.environ.get("PLANS_REMINDERS_AT", "08:00")  # HH:MM in TIME_ZONE
# Days into a quarter after which a key account without a submitted plan for the year or the
# quarter reminds its owner daily (plans.reminders, "plan_unsubmitted").
PLANS_SUBMIT_WITHIN_DAYS = envint("PLANS_SUBMIT_WITHIN_DAYS", "14")
CELERY_BEAT_SCHEDULE = {
    # Next visits planned from each account's follow-up interval, then the day's reminders
    # (overdue contacts and actions, plans awaiting approval: in-app and e-mail, once a day).
    "plans-plan-visits": {
        "task": "plans.tasks.plan_visits",
        "schedule": envdaily("PLANS_VISITS_AT", "07:55"),
        "options": {"expires": 6 * 3600},
    },
    "plans-daily-reminders": {
        "task": "plans.tasks.send_daily_reminders",
        "schedule": envdaily("PLANS_REMINDERS_AT", "08:00"),
        "options": {"expires": 6 * 3600},
    },
    "tiering-nightly-recompute": {
        "task": "tiering.tasks.nightly_recompute",
        "schedule": envdaily("TIERING_NIGHTLY_AT", "02:30"),
        "options": {"expires": 6 * 3600},  # a missed night is not worth running at noon
    },
    # Requeue scoring runs whose worker died (no heartbeat), fail those that keep dying.
    "tiering-runs-watchdog": {
        "task": "tiering.tasks.runs_watchdog",
        "schedule": float(TIERING_WATCHDOG_SECONDS),
        "options": {"expires": TIERING_WATCHDOG_SECONDS},  # a backlog of watchdogs is one too many
    },
    # Re-send webhook deliveries whose queued attempt was lost (broker outage, dead worker).
    "webhooks-requeue-overdue": {
        "task": "integrations.tasks.requeue_overdue_webhooks",
        "schedule": float(envint("WEBHOOKS_REQUEUE_EVERY_SECONDS", "300")),
    },
    "webhooks-purge": {
        "task": "integrations.tasks.purge_old_webhook_deliveries",
        "schedule": envdaily("WEBHOOKS_PURGE_AT", "04:15"),
    },
    # Idempotency keys live 24 hours; drop the expired ones nightly.
    "idempotency-keys-purge": {
        "task": "integrations.tasks.purge_expired_idempotency_keys",
        "schedule": envdaily("IDEMPOTENCY_KEYS_PURGE_AT", "04:30"),
    },
    # Spreadsheet uploads (their rows and reports) are kept 30 days.
    "import-batches-purge": {
        "task": "integrations.tasks.purge_old_import_batches",
        "schedule": envdaily("IMPORT_BATCHES_PURGE_AT", "04:45"),
    },
}

# Webhooks reach public addresses only (integrations.webhooks.destinations); an on-premises ERP on
# a private network (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7) needs the first setting,
# a trusted internal host (name, address or CIDR network) the second.
WEBHOOK_ALLOW_PRIVATE_NETWORKS = envbool("WEBHOOK_ALLOW_PRIVATE_NETWORKS", "0")
WEBHOOK_ALLOWED_HOSTS = envlist("WEBHOOK_ALLOWED_HOSTS", "")
# The funnel (funnel/): fiscal year start month (1 = calendar quarters), the weekday of the weekly
# forecast snapshot (mon..sun, Friday by default) and days without activity that make a deal "stalled".
FUNNEL_FISCAL_YEAR_START_MONTH = envint("FUNNEL_FISCAL_YEAR_START_MONTH", "1")
if not 1 <= FUNNEL_FISCAL_YEAR_START_MONTH <= 12:
    raise ImproperlyConfigured("FUNNEL_FISCAL_YEAR_START_MONTH must be 1-12")
FORECAST_SNAPSHOT_DAY = os.environ.get("FORECAST_SNAPSHOT_DAY", "fri").strip().lower()
if FORECAST_SNAPSHOT_DAY not in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"):
    raise ImproperlyConfigured(f"FORECAST_SNAPSHOT_DAY must be mon..sun, got {FORECAST_SNAPSHOT_DAY!r}")
FUNNEL_STALLED_DAYS = envint("FUNNEL_STALLED_DAYS", "30")
_SNAPSHOT_AT = envdaily("FORECAST_SNAPSHOT_AT", "18:00")  # HH:MM in TIME_ZONE, on that weekday
CELERY_BEAT_SCHEDULE["forecast-weekly-snapshot"] = {
    "task": "funnel.tasks.weekly_snapshot",
    "schedule": crontab(
        day_of_week=FORECAST_SNAPSHOT_DAY, hour=min(_SNAPSHOT_AT.hour), minute=min(_SNAPSHOT_AT.minute)
    ),
    "options": {"expires": 12 * 3600},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # The API takes (and its document advertises) JSON only: a client generated from the document
    # would otherwise send multipart, where null cannot be said and an omitted boolean is false.
    # JSON nested past JSON_MAX_DEPTH is a 400 (kam.api.parsers), not a RecursionError's 500.
    "DEFAULT_PARSER_CLASSES": ["kam.api.parsers.DepthLimitedJSONParser"],
    "DEFAULT_FILTER_BACKENDS": [
        "kam.api.pagination.UpdatedSinceFilter",
        "kam.api.filters.VisibleFilterBackend",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "kam.api.pagination.SyncCursorPagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "kam.api.exceptions.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["kam.api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": os.environ.get("API_THROTTLE_RATE", "1200/min")},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Answers echoing a lone surrogate (valid JSON, not UTF-8) cannot 500.
    "DEFAULT_RENDERER_CLASSES": [
        "kam.api.renderers.SafeJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
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
    # One name per choice set used by several fields.
    "ENUM_NAME_OVERRIDES": {
        "OrderStatusEnum": "accounts.models.Order.Status",
        "OpportunityStageEnum": "funnel.models.Stage",
        "ForecastCategoryEnum": "funnel.models.Category",
        # Account plans and development proposals share one workflow, so one status enum.
        "AccountPlanStatusEnum": "plans.models.AccountPlan.Status",
        "VisitStatusEnum": "plans.models.Visit.Status",  # a visit and a check-in's answer share it
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "kam.api.schema.add_error_responses",
        "kam.api.schema.describe_csv_pages",
    ],
}

# A new account that arrives without an owner (ERP bulk, import) goes to this user (a username of
# someone who can own accounts; `seed_demo` makes `director`, the default with DEBUG=1).
# Empty: such records are refused, never left ownerless.
DEFAULT_ACCOUNT_OWNER = os.environ.get("DEFAULT_ACCOUNT_OWNER", "director" if DEBUG else "")

# Dates people and the ERP may enter (orders, invoices, payments, runs...): within this many years
# of today, so that 0001-01-01 or 9999-12-31 is refused rather than stored (accounts.validation).
DATA_DATE_MIN_YEARS_BACK = envint("DATA_DATE_MIN_YEARS_BACK", "30")
DATA_DATE_MAX_YEARS_AHEAD = envint("DATA_DATE_MAX_YEARS_AHEAD", "5")
# JSON bodies nest a few levels (a bulk envelope: 3); deeper is refused before it can exhaust the stack.
JSON_MAX_DEPTH = envint("JSON_MAX_DEPTH", "32")

# Levels a group tree (parent accounts) may have, a root alone being 1: refused at write time.
ACCOUNT_GROUP_MAX_DEPTH = envint("ACCOUNT_GROUP_MAX_DEPTH", "20")

# Bulk calls carry up to 5,000 records (~1-2 MB); anything far larger is refused with a 413.
API_MAX_BODY_BYTES = envint("API_MAX_BODY_BYTES", str(10 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_BODY_BYTES
# Sync out hands rows only below the start of the oldest write transaction in flight, less this
# margin for timestamps taken in Python before a transaction reached the database and for clock
# drift between app and database servers (kam.api.pagination.sync_horizon).
SYNC_SETTLE_SECONDS = envint("SYNC_SETTLE_SECONDS", "2")
# The sync's page statements are prepared once per database connection (kam.api.sql_json). Turn
# it off behind a pooler that hands a session's statements to other server connections
# (PgBouncer in transaction mode).
API_PREPARED_STATEMENTS = envbool("API_PREPARED_STATEMENTS", "1")

# --- Production: TLS behind a proxy, logs, login throttling, CSP (issues 13.7-13.8, 14) ---------
# One block so the other settings stay easy to merge; README "Production" documents each value.
if not DEBUG:
    SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", "1")
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# TLS ends at the proxy: trust its X-Forwarded-Proto only when told to (a direct client could forge it).
if envbool("SECURE_PROXY_SSL", "0"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "0")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0")
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "0")
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "0")
# Addresses of the proxies in front of gunicorn; the client's address is read from X-Forwarded-For
# only when one is set (login throttling counts failures per address: see kam/security.py).
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", "0")

LOGGING = logging_config(level=os.environ.get("LOG_LEVEL", "INFO"))
MIDDLEWARE.insert(0, "kam.middleware.RequestLog")

# Login throttling (django-axes): failures count per username and, separately, per address.
INSTALLED_APPS += ["axes", "csp"]
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
AUTHENTICATION_BACKENDS = [
    "kam.security.ThrottledLoginBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", "10")
AXES_COOLOFF_TIME = envint("LOGIN_LOCKOUT_MINUTES", "30") / 60  # hours, as axes counts
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "kam.security.client_ip"
AXES_VERBOSE = False

# Content-Security-Policy (django-csp): no inline scripts anywhere; page scripts are static files.
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "csp.middleware.CSPMiddleware")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # Inline style attributes (chart heights, tree depth, Swagger UI) are harmless; scripts are not.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
