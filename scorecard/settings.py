"""Bearing settings, read from the environment only.

Unset variables give the embedded default (SQLite under var/, a Celery broker and a cache
on the file system). DEBUG=0 turns on production settings, which refuse to start
without a real SECRET_KEY.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

import dj_database_url
import django_stubs_ext
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from scorecard.env import env_bool, env_int, env_list, env_optional, env_str

# Lets generic classes such as ModelForm[Kpi] be subscripted at run time, as the types say.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("DEBUG", default=True)

# Only for the embedded default; production refuses it below.
_DEVELOPMENT_SECRET_KEY = "bearing-development-only-secret-key-not-for-production"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", _DEVELOPMENT_SECRET_KEY)
if not DEBUG and (SECRET_KEY == _DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters when DEBUG=0."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name the served host names when DEBUG=0.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and ReDoc served from the package, no CDN
    "django_celery_beat",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "auditlog",
    "rules.apps.AutodiscoverRulesConfig",
    "core",  # no models: its template filters (core/templatetags/numbers.py)
    "accounts",
    "strategy",
    "kpis",
    "actionplans",
    "scorecard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Refuses an oversized body before anything reads it (the CSRF check reads the form later,
    # in process_view); after authentication, so its page shows who is signed in.
    "scorecard.middleware.RequestSizeLimitMiddleware",
    # Two-factor sign-in: marks the session verified once a code was given (user.is_verified()),
    # then keeps a person who still owes a code, or must enrol, on those pages.
    "django_otp.middleware.OTPMiddleware",
    "accounts.two_factor.TwoFactorMiddleware",
    # The channel of each change (a page unless the API or the import says otherwise), and the
    # end of the request's actor once it is answered; around auditlog's middleware.
    "accounts.audit.AuditChannelMiddleware",
    # After authentication, so every audit log entry names the signed-in person.
    "auditlog.middleware.AuditlogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the locked-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "scorecard.urls"
WSGI_APPLICATION = "scorecard.wsgi.application"
ASGI_APPLICATION = "scorecard.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
_DEFAULT_DATABASE_URL = f"sqlite:///{VAR_DIR / 'bearing.sqlite3'}"
_database_url = env_str("DATABASE_URL", _DEFAULT_DATABASE_URL)
try:
    _database = dj_database_url.parse(_database_url, conn_max_age=0 if DEBUG else 60)
except (ValueError, KeyError) as error:
    raise ImproperlyConfigured(f"DATABASE_URL is not a usable database URL: {error}") from None
if _database["ENGINE"] not in {
    "django.db.backends.sqlite3",
    "django.db.backends.postgresql",
}:
    raise ImproperlyConfigured("DATABASE_URL must be a sqlite:// or postgres:// URL.")
if _database["ENGINE"] == "django.db.backends.sqlite3":
    Path(_database["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # The web server and the Celery worker share the file; wait for each other's locks.
    _database.setdefault("OPTIONS", {})["timeout"] = 20
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery broker (Redis when REDIS_URL is set) ----------------------------------
REDIS_URL = env_optional("REDIS_URL")
if REDIS_URL is not None and urlparse(REDIS_URL).scheme not in {"redis", "rediss"}:
    raise ImproperlyConfigured(f"REDIS_URL must be a redis:// or rediss:// URL; got {REDIS_URL!r}.")

# The cache holds the pages of core.page_cache, their data version, and the throttles' counts
# (API rate, password reset). It must be one cache for every process: the Celery worker's
# writes move the data version that the web server's pages are keyed on.
if REDIS_URL:
    _cache: dict[str, object] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # A Redis that does not answer fails a request (and /health/) in seconds, not never.
        "OPTIONS": {"socket_connect_timeout": 5, "socket_timeout": 5},
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
else:
    # Files under var/cache/, which the web server and the worker both read: a local-memory
    # cache would be one per process, and the server would never see the worker's writes.
    _cache = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache"),
    }
    # A broker that needs no server: messages are files under var/celery/.
    _broker_dir = VAR_DIR / "celery" / "broker"
    _broker_dir.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(_broker_dir),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }

# Parallel test processes (pytest-xdist) may share one Redis, as in CI: each keeps its own keys,
# and so does the Celery worker a test starts, which inherits the variable. Set by pytest-xdist,
# not a setting of Bearing's: read as it is.
_cache["KEY_PREFIX"] = os.environ.get("PYTEST_XDIST_WORKER", "")
CACHES = {"default": _cache}

# Cached pages (core/page_cache.py): how long an entry may live at most (a write ends it at
# once through the data version); 0 caches no page.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600, minimum=0)
# The settings that change what a page shows, part of each cached page's key.
PAGE_CACHE_KEY_SETTINGS = [
    "FISCAL_YEAR_START_MONTH",
    "SCORECARD_TRANSPARENCY",
    "SCORECARD_APPROVAL",
]

CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# The worker and beat log through LOGGING below, as the web app does (JSON in production).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = "UTC"
# Days after a month ends before its variance reports are computed (late actuals come in).
VARIANCE_REPORT_DELAY_DAYS = env_int("VARIANCE_REPORT_DELAY_DAYS", 3, minimum=0, maximum=28)
# A period's actuals are due this many days after it ends; reminders go out this many days
# before the due day, after it, and to the unit's manager when still missing (kpis/reminders.py).
REMINDER_DUE_DAYS = env_int("REMINDER_DUE_DAYS", 5, minimum=0, maximum=28)
REMINDER_NOTICE_DAYS = env_int("REMINDER_NOTICE_DAYS", 3, minimum=1, maximum=14)

# --- Audit trail (django-auditlog; models are registered in each app's apps.py) ---------------
# Compare old and new values as values, not as text: Decimal("90") and the stored
# Decimal("90.000000") are the same goal, not a change.
AUDITLOG_STORE_JSON_CHANGES = True
# Each entry's correlation id holds the channel of the change: page, import, api or system.
AUDITLOG_CID_GETTER = "accounts.audit.current_channel"

# --- Authentication ----------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out username and IP address is refused before any password check.
    "axes.backends.AxesStandaloneBackend",
    # Object permissions come from the predicates in each app's rules.py.
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not a rule for passwords: Django calls it after every change, and it revokes API tokens.
    {"NAME": "accounts.passwords.RevokeApiTokensOnChange"},
]

# Failed sign-ins are throttled per username *and* IP address together (django-axes): guessing
# one person's password from one place is stopped, while a colleague behind the same office
# NAT, or the same person from elsewhere, can still sign in. A successful sign-in clears the
# count for that pair. Behind a reverse proxy every client shares the proxy's address, so the
# lock is then in effect per username.
AXES_FAILURE_LIMIT = env_int("SIGN_IN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("SIGN_IN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# A second, higher limit per username from any address (accounts/sign_in.py), so rotating
# addresses does not give unlimited guesses. Its pause is short and refused attempts during a
# pause do not extend it: a stranger cannot keep the owner out for long.
AXES_HANDLER = "accounts.sign_in.SignInAttemptHandler"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
SIGN_IN_USERNAME_FAILURE_LIMIT = env_int("SIGN_IN_USERNAME_FAILURE_LIMIT", 20, minimum=1)
SIGN_IN_USERNAME_COOLOFF_TIME = timedelta(
    minutes=env_int("SIGN_IN_USERNAME_LOCKOUT_MINUTES", 5, minimum=1)
)
# Attempts older than axes' own pause are deleted, so the per-username window cannot be longer.
if SIGN_IN_USERNAME_COOLOFF_TIME > AXES_COOLOFF_TIME:
    raise ImproperlyConfigured(
        "SIGN_IN_USERNAME_LOCKOUT_MINUTES must not be longer than SIGN_IN_LOCKOUT_MINUTES."
    )
# Keep every refused sign-in (not only the current counts) so admins see them in the audit trail.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429

# "Forgot your password?" (accounts/password_reset.py): the e-mailed link works once, for an
# hour; how often one address or one account gets such a link is limited there.
PASSWORD_RESET_TIMEOUT = 60 * 60
# Two-factor sign-in (django-otp; accounts/two_factor.py): optional for everyone, and an
# organisation admin can require it for admins and executives (stored in the database).
# Authenticator apps show this name next to the account.
OTP_TOTP_ISSUER = "Bearing"
# How many one-time backup codes a person gets when they enrol or ask for new ones.
TWO_FACTOR_BACKUP_CODES = 10

# Sessions end after SESSION_IDLE_MINUTES without a request: the cookie and the stored session
# expire that long after they were last saved, and saving on every request moves that moment
# forward while the person is active. Django's own mechanism, so nothing custom to maintain.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 60, minimum=1)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True

# --- Internationalisation ------------------------------------------------------------------
LANGUAGE_CODE = "en"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise looks for it at start-up.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Front-end packages come from npm (package.json); only their built files are served.
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
]
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

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_HOST = env_optional("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1, maximum=65535)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "bearing@localhost")
# Where people open Bearing, for links in e-mails sent by background jobs (no request to ask).
BEARING_SITE_URL = env_str("BEARING_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
if (
    urlparse(BEARING_SITE_URL).scheme not in {"http", "https"}
    or not urlparse(BEARING_SITE_URL).netloc
):
    raise ImproperlyConfigured(
        f"BEARING_SITE_URL must be an http:// or https:// address; got {BEARING_SITE_URL!r}."
    )

# Outgoing webhooks go only to public addresses over https. On, they may also go to loopback,
# private and link-local addresses and over plain http: for a receiver on a trusted network, or
# the tests' local server. Checked again against the resolved address at each delivery.
WEBHOOKS_ALLOW_PRIVATE = env_bool("WEBHOOKS_ALLOW_PRIVATE", default=False)

# --- The scorecard ----------------------------------------------------------------------------
# The month (1-12) in which the fiscal year starts; quarters and years follow it.
FISCAL_YEAR_START_MONTH = env_int("FISCAL_YEAR_START_MONTH", 1, minimum=1, maximum=12)

# Whether every signed-in member may view the whole organisation's scorecard (transparency)
# or only the subtrees of the units where they hold a role.
SCORECARD_TRANSPARENCY = env_bool("SCORECARD_TRANSPARENCY", default=True)

# Whether actuals are submitted for approval by a manager or executive of the unit; when on,
# scores use approved actuals only.
SCORECARD_APPROVAL = env_bool("SCORECARD_APPROVAL", default=False)

# Bounds on a CSV or XLSX file of actuals and targets uploaded to /updates/import/, checked
# before and while it is read (kpis/imports/reading.py), so a small file that would unpack into
# millions of cells is refused in a moment with a message instead of filling the memory.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 2 * 1024 * 1024, minimum=1024)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 5000, minimum=1)
# The template has 10 columns; a few more (notes, with no header) are left out when read.
IMPORT_MAX_COLUMNS = env_int("IMPORT_MAX_COLUMNS", 50, minimum=10, maximum=16_384)
IMPORT_MAX_CELLS = env_int("IMPORT_MAX_CELLS", 100_000, minimum=10)
# An XLSX file is a zip archive of XML parts: what it may unpack to, in all and per part, how
# many parts and sheets it may have, and how much smaller than its content a large part may
# be packed (spreadsheets pack 5 to 20 times; a "zip bomb" thousands of times).
IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES = env_int(
    "IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES", 50 * 1024 * 1024, minimum=1024 * 1024
)
IMPORT_XLSX_MAX_PART_BYTES = env_int(
    "IMPORT_XLSX_MAX_PART_BYTES", 20 * 1024 * 1024, minimum=1024 * 1024
)
IMPORT_XLSX_MAX_PARTS = env_int("IMPORT_XLSX_MAX_PARTS", 500, minimum=10)
IMPORT_XLSX_MAX_SHEETS = env_int("IMPORT_XLSX_MAX_SHEETS", 50, minimum=1)
IMPORT_XLSX_MAX_RATIO = env_int("IMPORT_XLSX_MAX_RATIO", 100, minimum=10)

# Request bodies. Django limits the form fields of a request (DATA_UPLOAD_MAX_MEMORY_SIZE, also
# the API's JSON: 10,000 bulk rows of actuals with a short analysis each take about 1.5 MB) but
# not the files in it; scorecard.middleware.RequestSizeLimitMiddleware refuses any body larger
# than REQUEST_MAX_BYTES with a 413 page before it is read. The reverse proxy should refuse
# them first (nginx: client_max_body_size).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
REQUEST_MAX_BYTES = max(DATA_UPLOAD_MAX_MEMORY_SIZE, IMPORT_MAX_BYTES + 64 * 1024)
# An import file is read whole anyway: keep it in memory rather than in a temporary file.
FILE_UPLOAD_MAX_MEMORY_SIZE = IMPORT_MAX_BYTES
# The one form with a file (the import) sends one file and two fields.
DATA_UPLOAD_MAX_NUMBER_FILES = 1

# --- REST framework ---------------------------------------------------------------------------
# The API's shared pieces live in core/api.py, core/api_http.py and accounts/api_base.py.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so an unauthenticated request answers 401 with `WWW-Authenticate: Token`.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api_http.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # JSON only: no browsable API, whose forms would list objects the person may not see.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["core.api_http.BoundedJSONParser"],
    "URL_FORMAT_OVERRIDE": None,
    "EXCEPTION_HANDLER": "core.api_http.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["core.api_http.TokenClientRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "core.api.AutoSchema",
    # Decimals are answered as strings (exact), and read from JSON numbers or strings.
    "COERCE_DECIMAL_TO_STRING": True,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

# Requests per person for token clients (integrations), e.g. "1000/hour"; people using the
# site in a browser are not limited. Counted in the cache (Redis when REDIS_URL is set).
API_RATE_LIMIT = env_str("API_RATE_LIMIT", "1000/hour")
if not re.fullmatch(r"[1-9][0-9]*/(second|minute|hour|day)", API_RATE_LIMIT):
    raise ImproperlyConfigured(
        f"API_RATE_LIMIT must look like 1000/hour (per second, minute, hour or day); "
        f"got {API_RATE_LIMIT!r}."
    )

SPECTACULAR_SETTINGS = {
    "TITLE": "Bearing API",
    "DESCRIPTION": (
        "The balanced scorecard over HTTP: org units, people and roles, strategic plans, "
        "objectives, KPIs with targets and actuals, scores, and action plans.\n\n"
        "Sign in with `POST /api/v1/auth/token/` and send `Authorization: Token <token>`. "
        "Tokens are for integrations, with accounts of their own: an account that uses "
        "two-factor sign-in cannot get a token with a password alone. "
        "Periods are dates (`YYYY-MM-DD`), the first day of the period. Decimal numbers are "
        "answered as strings and accepted as JSON numbers or strings. Lists are paginated "
        "(`page`, `page_size` up to 500). Unknown query parameters answer 400. Errors are JSON "
        "with field-level messages."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    # Separate request and response components, so read-only and write-only fields are exact.
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a "status"; each gets its own named enum.
    "ENUM_NAME_OVERRIDES": {
        "PlanStatusEnum": "strategy.models.StrategicPlan.Status",
        "ActionPlanStatusEnum": "actionplans.models.ActionPlan.Status",
        "TaskStatusEnum": "actionplans.models.Task.Status",
        "ScoreStatusEnum": "kpis.models.ScoreStatus",
        "ActualStatusEnum": "kpis.models.ActualStatus",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.add_error_responses",
    ],
}

# --- Production hardening ---------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# CSRF_COOKIE_HTTPONLY stays off: no script reads the cookie (htmx sends the token rendered
# into the page by hx-headers on <body>), and any script that could read the cookie could read
# that token from the page too, so hiding the cookie would protect nothing.

# Content Security Policy (django-csp): only the site's own scripts and styles, no inline code,
# no framing. htmx is told in _base.html not to inject its inline indicator style nor to eval.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}
# Trust X-Forwarded-Proto (to tell HTTPS requests) only behind a reverse proxy that you run,
# that terminates TLS and sets the header on every request, overwriting the client's. Without
# one, any client reaching gunicorn directly could claim HTTPS, so it is off by default.
BEHIND_PROXY = env_bool("BEHIND_PROXY", default=False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The container's health check asks gunicorn over plain HTTP from inside the container.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Logs go to standard error: plain lines in development, one JSON object per line in production
# (core/log_format.py), for the log collector of whatever runs the containers.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json": {"()": "core.log_format.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain" if DEBUG else "json"}
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
