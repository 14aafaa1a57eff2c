"""Settings shared by every environment, read from environment variables.

Every deployment-specific value comes from the environment (django-environ); the
defaults here describe the embedded setup: a PostgreSQL cluster in the checkout (.pgdata) and
Celery running inline.
"""

import datetime as dt
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from import_export.formats.base_formats import CSV, XLSX

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]
THIRD_PARTY_APPS = [
    "rest_framework",
    "knox",
    "axes",
    "csp",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "django_celery_beat",
]
LOCAL_APPS = [
    "accounts",
    "devices",
    "planograms",
    "sales",
    "metrics",
    "planning",
    "analytics",
    "demo",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages and API answers compressed when the client accepts it (a 15-stop plan: 210 KB → 8 KB).
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "cvd_portal.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as axes asks: it turns a login refused for a locked-out user into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cvd_portal.urls"
WSGI_APPLICATION = "cvd_portal.wsgi.application"

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

# PostgreSQL (15 or later) is the only database. DATABASE_URL names a server; without it the
# cluster embedded in the checkout is started, or joined when another process already started it.
if env("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            "DATABASE_URL must name a PostgreSQL database (postgres://user:password@host:5432/name), "
            f"not a {env('DATABASE_URL').partition(':')[0]}:// one."
        )
else:
    from cvd_portal import embedded_postgres

    DATABASES = {"default": embedded_postgres.database_settings(BASE_DIR / ".pgdata")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# A persistent connection that outlived a database restart is checked and replaced, not used for a 503.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# PostgreSQL's JIT compiles any statement its planner costs high: half a second spent on the
# asset-sales top products or a rollup UPDATE that then runs in a fraction of that. Off for the portal's sessions.
# Appended to the server options DATABASE_URL may carry (?options=-c%20...), which it must not replace.
_server_options = DATABASES["default"].setdefault("OPTIONS", {}).get("options", "")
DATABASES["default"]["OPTIONS"]["options"] = f"{_server_options} -c jit=off".lstrip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Shared by every process in production (throttling, sessions if wanted): e.g. rediscache://127.0.0.1:6379/1
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Axes first: it refuses a locked-out user before the password is checked (and counts that as a failure).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# Day boundaries (the 28-day window, daily sales, date ranges) follow the operator's zone.
LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", default="America/Chicago")
USE_I18N = True
USE_TZ = True
# Moments clients send (sales, restocks, DEX reads) lie from EARLIEST_EVENT to EVENT_CLOCK_SKEW seconds ahead of now.
EARLIEST_EVENT = env("EARLIEST_EVENT", default="2000-01-01")
EVENT_CLOCK_SKEW = env.int("EVENT_CLOCK_SKEW", default=300)

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Front-end libraries come from npm (package-lock.json, installed by `make setup`), never from a CDN.
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/chart.js", NODE_MODULES / "chart.js" / "dist"),
    ("vendor/leaflet", NODE_MODULES / "leaflet" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "media/"

REST_FRAMEWORK = {
    # Token first: DRF answers an anonymous request 401 (with WWW-Authenticate) only when the
    # first authenticator names a scheme; session authentication names none and would give 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_THROTTLE_RATES": {"token": "20/minute"},
    "DEFAULT_PERMISSION_CLASSES": ["cvd_portal.api.permissions.RoleModelPermissions"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "cvd_portal.api.pagination.PortalPageNumberPagination",
    # A JSON API: JSON bounded in depth and refusing unpaired surrogates (cvd_portal.api.parsers). Form
    # bodies cannot say null or nest rows, so a form sent to a JSON operation is a 415, not a half-read
    # object; the DEX upload (a file) and the token login (scripts send a form) declare their own parsers.
    "DEFAULT_PARSER_CLASSES": ["cvd_portal.api.parsers.PortalJSONParser"],
    # What DRF's test client sends when a test names no format: what the API reads.
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_SCHEMA_CLASS": "cvd_portal.api.schema.PortalAutoSchema",
    "EXCEPTION_HANDLER": "cvd_portal.api.exceptions.portal_exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
}
# The largest request body (not counting uploaded files). A batch of 10,000 sales (POST /api/sales/, the
# documented maximum) takes 2 to 3.2 MiB with every field given and pretty-printed (Django's default is
# 2.5 MiB); 10 MiB leaves room for longer assets, SKUs and transaction ids. A larger body is a 413.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=10 * 1024 * 1024)
# An admin import runs in the request, row by row (about 1.5 ms a row): 20,000 rows took 30 s and met the
# worker's timeout. Larger files go through the bulk API.
ADMIN_IMPORT_MAX_ROWS = env.int("ADMIN_IMPORT_MAX_ROWS", default=5_000)
ADMIN_IMPORT_MAX_BYTES = env.int("ADMIN_IMPORT_MAX_BYTES", default=2 * 1024 * 1024)

SPECTACULAR_SETTINGS = {
    "TITLE": "CVD Portal API",
    "DESCRIPTION": "Fleet data, inventory metrics and sales analytics for a vending operator.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI and ReDoc assets come from the sidecar package, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Named here: several components have a "status" of their own values.
    "ENUM_NAME_OVERRIDES": {"MachineAlertStatusEnum": ["not selling", "silent"]},
}

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# Spreadsheets only; importing needs the add permission (the admin also asks for change), exporting needs view.
IMPORT_EXPORT_FORMATS = [CSV, XLSX]
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
# IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT stays off: in django-import-export 4.4 it deletes a leading "="
# only (a name "=Cola" exports as "Cola", and "+", "-", "@" stay live) and writes every cell as text
# (numbers stop adding up in XLSX). Every export cell goes through cvd_portal.spreadsheets instead,
# which neutralises all four prefixes with an apostrophe and imports back unchanged.

# Celery: a broker URL switches on real workers. Without one, the in-memory transport stands in
# and every task runs inline, in the process that sends it (the embedded default).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=env("REDIS_URL", default="memory://localhost/"))
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL.startswith("memory://")
# Inline tasks fail as workers do: the failure handlers record the error (on the metrics run)
# instead of the exception reaching the request that queued the task.
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task a killed worker held goes back to the queue after this long (Redis's default is an hour); it must
# stay above the longest chunk and retry countdown (120 s).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=600)}
CELERY_TASK_ACKS_LATE = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # Axes logs every login at INFO; its warnings (each failure, each lockout) are the ones worth keeping.
    "loggers": {"axes": {"level": env("AXES_LOG_LEVEL", default="WARNING")}},
}

# The dashboard map's tile server (a Leaflet URL template such as https://tile.example.com/{z}/{x}/{y}.png).
# Empty by default: the map draws its markers on a plain background and loads nothing from outside.
MAP_TILE_URL = env("MAP_TILE_URL", default="")
MAP_TILE_ATTRIBUTION = env("MAP_TILE_ATTRIBUTION", default="")

# Devices per recalculation chunk; a larger fleet fans out over the workers in chunks.
METRICS_CHUNK_DEVICES = env.int("METRICS_CHUNK_DEVICES", default=250)
# A metrics run still queued after this long lost its task; the next request fails it and queues anew.
METRICS_RUN_QUEUE_TIMEOUT = env.int("METRICS_RUN_QUEUE_TIMEOUT", default=600)

# The client's address, for the login lockout and the API throttles alike: REMOTE_ADDR, unless this many
# reverse proxies in front of the portal each append the address they saw to X-Forwarded-For, whose
# rightmost entries are then theirs. 0 ignores the header, which any client can write.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
REST_FRAMEWORK["NUM_PROXIES"] = TRUSTED_PROXY_COUNT

# Login lockout (django-axes) on every login path: the portal's, the admin's and the API token exchange.
# LOGIN_FAILURE_LIMIT failures for one username from one address lock that pair out, the right password
# included, until LOGIN_COOLOFF_MINUTES pass without another attempt.
LOGIN_COOLOFF_MINUTES = env.int("LOGIN_COOLOFF_MINUTES", default=15)
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "accounts.client_ip.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_COOLOFF_MESSAGE = f"Too many failed logins: try again in {LOGIN_COOLOFF_MINUTES} minutes."
# Failures are what the lockout counts. A row per successful login is not kept: axes keys it by a session,
# which it would create for every API token exchange.
AXES_DISABLE_ACCESS_LOG = True

# API tokens (django-rest-knox): stored as SHA-512 digests, valid for API_TOKEN_TTL_DAYS, revoked by logout
# and by a change of the user's password (accounts.signals).
API_TOKEN_TTL_DAYS = env.int("API_TOKEN_TTL_DAYS", default=30)
REST_KNOX = {
    "TOKEN_TTL": dt.timedelta(days=API_TOKEN_TTL_DAYS),
    "AUTH_HEADER_PREFIX": "Token",
}


def csp_source(url: str) -> str | None:
    """The Content-Security-Policy source a URL template loads from (scheme://host[:port]), None for no URL.

    A Leaflet subdomain placeholder becomes CSP's wildcard: https://{s}.tile.example.com/… → https://*.tile.example.com.
    """
    if not url:
        return None
    parts = urlsplit(url.replace("{s}", "*"))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme else parts.netloc


# Content-Security-Policy (django-csp): scripts only from the portal's own files, never inline. Styles may be
# inline: the admin's change lists and the browsable API write <style> blocks, and the dashboard colours its
# score badges in style attributes. Images may be data: URIs (the admin's and the API docs' icons) and the
# map tiles of MAP_TILE_URL.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", *filter(None, [csp_source(MAP_TILE_URL)])],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
