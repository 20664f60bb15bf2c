"""Settings, read from the environment (12-factor).

Defaults need no server: SQLite under var/ and a filesystem Celery broker under var/broker/.
Name PostgreSQL in DATABASE_URL and Redis in REDIS_URL (or CELERY_BROKER_URL) for production.
"""

import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_list, env_ports, installation_secret
from config.openapi import spectacular_settings
from config.queues import QUEUE_CLASSES, declared_queues
from core.broker import FILE_BROKER_SCHEMES
from core.logging import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("TESTING", "pytest" in sys.modules)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or TESTING or env_bool("ALLOW_INSECURE_SECRET_KEY", False)):
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (or set ALLOW_INSECURE_SECRET_KEY=1). "
            'For local use run manage.py through `make manage ARGS="..."`, which sets DEBUG=1.'
        )
    SECRET_KEY = installation_secret(VAR_DIR / "secret-key")  # random per installation, never a constant

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "core.lists",  # the analyst lists and exports (app label "lists"); ready first: import specs name its lists
    "core",
    "core.changes",  # the change log and outbound events (app label "changes")
    "core.imports",  # master-data imports from files (app label "imports"); after core, whose lists it names
    "core.access_keys",  # BMC Helix access keys and their login (app label "access_keys")
    "outages",
    "contacts",
    "enrollments",
    "blackouts",
    "inventory",
]

MIDDLEWARE = [
    "core.middleware.MetricsMiddleware",  # first: times and counts everything below it (core/metrics.py)
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.OptionalTrailingSlashMiddleware",  # /api/x is /api/x/ (the OpenAPI paths have no slash)
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.RequestContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.AdminInputMiddleware",  # the admin's input guard (core/admin_input.py), before its views
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")))}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": VAR_DIR / "db.sqlite3"}}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and one writer work at once; IMMEDIATE takes the write lock at BEGIN so two
    # writers (web and worker) queue on busy_timeout instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;",
        }
    )
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")} if env_bool("SQLITE_TEST_FILE") else {}

# Read replicas (core/replicas.py, docs/operations.md "Read replicas"): DATABASE_REPLICA_URL names one or more
# PostgreSQL streaming replicas of DATABASE_URL, comma-separated (aliases replica1, replica2, ...). The analyst API,
# exports (streamed, background, the export command) and the dashboard's figures read from one of them; every write,
# and every read that must see its own writes, stays on the primary (core/routers.py). Tests mirror the primary.
DATABASE_REPLICAS = []
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URL"), start=1):
    if not DATABASE_URL:
        raise ImproperlyConfigured("DATABASE_REPLICA_URL names replicas of a PostgreSQL DATABASE_URL; set that too.")
    _alias = f"replica{_number}"
    DATABASES[_alias] = dj_database_url.parse(_url, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")))
    DATABASES[_alias]["TEST"] = {"MIRROR": "default"}
    DATABASE_REPLICAS.append(_alias)
DATABASE_ROUTERS = ["core.routers.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

if "pytest" in sys.modules:
    # Tests send HTTP Basic credentials on every request (Schemathesis, contract tests): PBKDF2 costs ~0.3 s a
    # request on a busy machine and pushes tests/test_schema.py past its timeout. Production hashing is unchanged.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every request without it (before collectstatic)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": VAR_DIR / "media"}},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not (DEBUG or TESTING)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
# And finds each file when asked, rather than listing every app's static files when the middleware is built: a
# test client builds the middleware for each test (the listing was a quarter of a small test's time).
WHITENOISE_AUTOREFRESH = DEBUG or TESTING

LOGIN_URL = "admin:login"

# --- Security (production defaults; `make run` sets DEBUG=1 for local use) --------------------
# Behind the TLS-terminating proxy: it must set X-Forwarded-Proto. Tests and `make run` speak plain http.
_SECURE = not (DEBUG or TESTING)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _SECURE)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", _SECURE)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", _SECURE)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if _SECURE else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _SECURE
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", _SECURE)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^livez$", r"^metrics$"]
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", str(64 * 1024 * 1024)))
# Wire and API request bodies: over this a 413 in the family's envelope, decided before reading (parsers.py).
WIRE_MAX_BODY_BYTES = int(os.environ.get("WIRE_MAX_BODY_BYTES", str(DATA_UPLOAD_MAX_MEMORY_SIZE)))
# JSON and XML nesting deeper than this is a 400 (far below Python's recursion limit).
WIRE_MAX_DEPTH = int(os.environ.get("WIRE_MAX_DEPTH", "64"))
# A query that evaluates blackout criteria is stopped after this (core/criteria/bounded.py): a preview or a pattern
# check (a person waits), and a window edge's UPDATE (the tick, which may touch millions of events).
CRITERIA_STATEMENT_TIMEOUT_MS = int(os.environ.get("CRITERIA_STATEMENT_TIMEOUT_MS", "10000"))
CRITERIA_WINDOW_TIMEOUT_MS = int(os.environ.get("CRITERIA_WINDOW_TIMEOUT_MS", "300000"))

# --- REST framework ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Basic through the verified-credentials cache, JWTs bound to the password (core/auth.py, docs/security.md).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.auth.BasicAuthentication",
        "core.auth.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # JSON errors, never Django's HTML pages, for the analyst API and the JWT endpoints (the families have theirs).
    "EXCEPTION_HANDLER": "core.wire.views.api_exception_handler",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # One input discipline everywhere (body limit, encoding, nesting, NUL, surrogates): core/wire/parsers.py.
    # Forms stay accepted where they were (the token endpoint); Django bounds their size and field count.
    "DEFAULT_PARSER_CLASSES": [
        "core.wire.parsers.WireJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "URL_FORMAT_OVERRIDE": "format",
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=int(os.environ.get("JWT_ACCESS_MINUTES", "60"))),
    "REFRESH_TOKEN_LIFETIME": timedelta(hours=int(os.environ.get("JWT_REFRESH_HOURS", "24"))),
    "AUTH_HEADER_TYPES": ("Bearer",),
    # Each refresh answers a new refresh token; the one used goes on the blacklist (token_blacklist app).
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    # Tokens carry a fingerprint of the password hash: a password change refuses every earlier token.
    "CHECK_REVOKE_TOKEN": True,
    "SIGNING_KEY": os.environ.get("JWT_SIGNING_KEY", "") or SECRET_KEY,
}

# --- BMC Helix access keys (core/access_keys, docs/security.md) ------------------------------------------------
# The json_web_token of POST /ims/api/v1/access_keys/login lives this long (BMC: 15 minutes); its refresh token this
# long (BMC: 24 hours).
ACCESS_KEY_JWT_MINUTES = int(os.environ.get("ACCESS_KEY_JWT_MINUTES", "15"))
ACCESS_KEY_REFRESH_HOURS = int(os.environ.get("ACCESS_KEY_REFRESH_HOURS", "24"))
# The login answers its errors in the BMC family's envelope; the BMC endpoints accept an access key's JWT (Bearer or
# apiKey) besides the JWTs of /api/auth/token/. Named here so that neither the kernel nor the access keys import an app.
ACCESS_KEY_EXCEPTION_HANDLER = "blackouts.api.bmc.exception_handler"
BMC_AUTHENTICATION_CLASSES = ["core.access_keys.authentication.AccessKeyAuthentication"]

# --- Authentication: credentials cache and failed-login throttling (core/auth.py, docs/security.md) ---------
# Verified HTTP Basic credentials are remembered (as a keyed HMAC) this long; 0 turns the cache off.
AUTH_BASIC_CACHE_SECONDS = int(os.environ.get("AUTH_BASIC_CACHE_SECONDS", "300"))
# Failed password checks (Basic, /api/auth/token/, /admin/login/) counted per username and per client address
# over the window; at a limit (0: no limit) that username or address is locked out for AUTH_LOCKOUT_SECONDS.
AUTH_FAILURE_WINDOW_SECONDS = int(os.environ.get("AUTH_FAILURE_WINDOW_SECONDS", "900"))
AUTH_FAILURE_USER_LIMIT = int(os.environ.get("AUTH_FAILURE_USER_LIMIT", "10"))
AUTH_FAILURE_ADDRESS_LIMIT = int(os.environ.get("AUTH_FAILURE_ADDRESS_LIMIT", "20"))
AUTH_LOCKOUT_SECONDS = int(os.environ.get("AUTH_LOCKOUT_SECONDS", "900"))
# A user's model permissions, read in one query, are cached this long (any change of them invalidates at once).
AUTH_PERMISSIONS_CACHE_SECONDS = int(os.environ.get("AUTH_PERMISSIONS_CACHE_SECONDS", "300"))
if os.environ.get("TRUSTED_PROXY_COUNT"):
    # Behind N reverse proxies, the client address is the N-th entry from the right of X-Forwarded-For.
    REST_FRAMEWORK["NUM_PROXIES"] = int(os.environ["TRUSTED_PROXY_COUNT"])

# --- Cache: shared by every process when Redis is configured (the credentials cache and lockouts need it) ---
# CACHE_URL names a Redis for the cache alone; otherwise REDIS_URL (tests keep a per-process memory cache).
CACHE_URL = os.environ.get("CACHE_URL", "") or ("" if TESTING else os.environ.get("REDIS_URL", ""))
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "backoffice"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The base URL clients reach the API at, published as the OpenAPI document's `servers` entry and the base of the
# inventory's hrefs ("/": the request's own host and path prefix; set it when a proxy serves the API elsewhere, e.g.
# https://api.example.com/backoffice). core/wire/links.py reads it.
API_PUBLIC_BASE_URL = os.environ.get("API_PUBLIC_BASE_URL", "") or "/"

SPECTACULAR_SETTINGS = spectacular_settings(API_PUBLIC_BASE_URL)  # config/openapi.py

# --- Celery -----------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
# The embedded file broker is core/broker.py's atomicfs:// (kombu's filesystem transport with atomic puts, claimed
# gets, a quarantine for files that are no message and recovery of a dead consumer's messages; docs/operations.md).
# It names a host so that kombu does not warn "No hostname was supplied" on every start.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "") or REDIS_URL or "atomicfs://localhost/"
BROKER_DIR = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith(FILE_BROKER_SCHEMES):
    for sub in ("in", "processed"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "in"),
        "data_folder_out": str(BROKER_DIR / "in"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "quarantine_folder": str(BROKER_DIR / "quarantine"),  # files in the queue that are no message (atomicfs)
        "control_folder": str(BROKER_DIR / "control"),  # kombu's default is ./control, in the working directory
        # How often an idle worker looks for files (kombu's default, 1 s, also delays every shutdown step by 1 s).
        "polling_interval": float(os.environ.get("CELERY_FILE_BROKER_POLL_SECONDS", "0.2")),
        "store_processed": False,
    }
else:
    # Redis redelivers an unacknowledged task (worker died mid-task) after this many seconds.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600"))}
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "celery")
# A queue per class of work: activations, windows, exports (and imports), webhooks; the rest (upkeep) on the default
# queue. Routed by task name (config/queues.py); every class's queue name starts with CELERY_QUEUE_PREFIX (none by
# default: installations sharing one broker set one each). A worker started without -Q serves every queue (`make
# run`); production runs one per class with -Q <class> (Procfile.prod, deploy/systemd/backoffice-worker@.service).
CELERY_QUEUE_PREFIX = os.environ.get("CELERY_QUEUE_PREFIX", "")
CELERY_TASK_ROUTES = ("config.queues.route_task",)
CELERY_TASK_QUEUES = declared_queues(prefix=CELERY_QUEUE_PREFIX, default=CELERY_TASK_DEFAULT_QUEUE)
TASK_QUEUE_CLASSES = tuple(QUEUE_CLASSES)  # what the queue gauges measure besides the default queue (metrics)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
# Stopping (docs/operations.md, "Stopping cleanly"): the worker runs with REMAP_SIGTERM=SIGQUIT, so SIGTERM (honcho,
# systemd, a container runtime) begins a soft shutdown: tasks in flight get this many seconds to finish, then are
# cancelled and, being acks_late, returned to the queue. Idle, the worker stops at once.
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = float(os.environ.get("CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT", "1"))
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
from config.beat import BEAT_SCHEDULE as CELERY_BEAT_SCHEDULE  # noqa: E402, F401  (the periodic work: config/beat.py)

# --- Exports ---------------------------------------------------------------------------------
# Admin exports above this many rows run in the background (Celery) with a progress bar.
EXPORT_ASYNC_THRESHOLD = int(os.environ.get("EXPORT_ASYNC_THRESHOLD", "100000"))
# A background export still PENDING after this long was never enqueued or no worker took it (metrics, /healthz).
EXPORT_PENDING_STALE_SECONDS = int(os.environ.get("EXPORT_PENDING_STALE_SECONDS", "300"))
EXPORT_RETENTION_SECONDS = int(os.environ.get("EXPORT_RETENTION_SECONDS", str(24 * 3600)))
# Admin imports of files larger than this many bytes run in the background (Celery) with a progress bar, which the
# page asks the server for every IMPORT_PROGRESS_POLL_SECONDS.
IMPORT_ASYNC_THRESHOLD = int(os.environ.get("IMPORT_ASYNC_THRESHOLD", str(5 * 1024 * 1024)))
IMPORT_PROGRESS_POLL_SECONDS = float(os.environ.get("IMPORT_PROGRESS_POLL_SECONDS", "1"))
# An uploaded import file is deleted this many days after its last run (core.tasks.purge_expired_imports, hourly):
# the job stays with its counts; the refused rows' detail, which quotes the file's cells, goes with the file.
# 0 keeps files forever.
IMPORT_UPLOAD_RETENTION_DAYS = int(os.environ.get("IMPORT_UPLOAD_RETENTION_DAYS", "30"))
# A job still PENDING this long after it was created is sent again by the sweep (its message was lost: the broker
# was down at write time); a RUNNING job younger than the second one is another worker's (a duplicate is skipped).
EXPORT_SWEEP_STALL_SECONDS = float(os.environ.get("EXPORT_SWEEP_STALL_SECONDS", "120"))
# A running export or import proves it is alive every JOB_HEARTBEAT_SECONDS (core/heartbeat.py). One whose last
# beat is older than JOB_STALL_SECONDS lost its worker: the sweep requeues it until it has started JOB_MAX_ATTEMPTS
# runs, then marks it failed with the reason; /healthz counts such jobs (HEALTH_MAX_JOBS_STALLED). A duplicate
# message finds a job with a fresh beat and leaves it to its worker.
JOB_HEARTBEAT_SECONDS = float(os.environ.get("JOB_HEARTBEAT_SECONDS", "30"))
JOB_STALL_SECONDS = float(os.environ.get("JOB_STALL_SECONDS", "300"))
JOB_MAX_ATTEMPTS = int(os.environ.get("JOB_MAX_ATTEMPTS", "3"))

# --- Change log and outbound events (docs/events.md) --------------------------------------------
# Targets on private, loopback and link-local addresses are refused (SSRF) unless allowed here; local development
# (DEBUG, `make run`) allows loopback so a receiver on the same machine can be tried.
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env_bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", False)
WEBHOOKS_ALLOW_LOOPBACK_TARGETS = env_bool("WEBHOOKS_ALLOW_LOOPBACK_TARGETS", DEBUG)
# The ports a target may use ("80,443,8000-8999"): WEBHOOKS_ALLOWED_PORTS on any allowed address, and
# WEBHOOKS_LOOPBACK_PORTS on loopback too where loopback targets are allowed (every unprivileged port under DEBUG,
# so a receiver on your own machine works with `make run`).
WEBHOOKS_ALLOWED_PORTS = env_ports("WEBHOOKS_ALLOWED_PORTS", "80,443")
WEBHOOKS_LOOPBACK_PORTS = env_ports("WEBHOOKS_LOOPBACK_PORTS", "1024-65535" if DEBUG else "")
WEBHOOKS_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOKS_TIMEOUT_SECONDS", "10"))
# Seconds to wait before attempt n+1 after attempt n failed (the first entry is the first attempt: at once).
WEBHOOKS_RETRY_SCHEDULE = tuple(
    int(v) for v in env_list("WEBHOOKS_RETRY_SCHEDULE", "0,5,300,1800,7200,18000,36000,36000")
)
WEBHOOKS_DISABLE_AFTER_SECONDS = int(os.environ.get("WEBHOOKS_DISABLE_AFTER_SECONDS", str(24 * 3600)))
WEBHOOKS_SWEEP_GRACE_SECONDS = int(os.environ.get("WEBHOOKS_SWEEP_GRACE_SECONDS", "10"))
WEBHOOKS_SUBSCRIPTION_CACHE_SECONDS = float(os.environ.get("WEBHOOKS_SUBSCRIPTION_CACHE_SECONDS", "2"))
# A worker claims up to BATCH_SIZE due deliveries at once (first in line per object), sends them on one lane per
# endpoint (at most SEND_CONCURRENCY lanes side by side) and goes on with the next batch for up to DRAIN_SECONDS.
WEBHOOKS_BATCH_SIZE = int(os.environ.get("WEBHOOKS_BATCH_SIZE", "300"))
WEBHOOKS_SEND_CONCURRENCY = int(os.environ.get("WEBHOOKS_SEND_CONCURRENCY", "8"))
WEBHOOKS_DRAIN_SECONDS = float(os.environ.get("WEBHOOKS_DRAIN_SECONDS", "60"))
# Retention of change records and delivery logs, in days; 0 keeps everything (the default). Before pruning,
# what goes is archived as JSON Lines under CHANGES_ARCHIVE_DIR.
CHANGES_RETENTION_DAYS = int(os.environ.get("CHANGES_RETENTION_DAYS", "0"))
DELIVERIES_RETENTION_DAYS = int(os.environ.get("DELIVERIES_RETENTION_DAYS", "0"))
CHANGES_ARCHIVE_DIR = os.environ.get("CHANGES_ARCHIVE_DIR", str(VAR_DIR / "archive"))
# Events kept, in days (0: forever); on PostgreSQL whole months go (blackouts/partitions.py), so up to a month more.
EVENTS_RETENTION_DAYS = int(os.environ.get("EVENTS_RETENTION_DAYS", "0"))

# --- Metrics (core/metrics.py, docs/operations.md) ---------------------------------------------------------
# /metrics answers a scraper sending "Authorization: Bearer <METRICS_TOKEN>", or one whose address is in
# METRICS_ALLOWED_NETWORKS (comma-separated CIDRs); with DEBUG on (make run), loopback too. Nobody else.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
METRICS_ALLOWED_NETWORKS = env_list("METRICS_ALLOWED_NETWORKS")


# --- Health (core/health.py): /healthz answers 503 when a backlog figure is over its limit (empty: never fails) ---
def env_limit(name: str, default: str) -> float | None:
    value = os.environ.get(name, default).strip()
    return float(value) if value else None


HEALTH_MAX_QUEUE_AGE_SECONDS = env_limit("HEALTH_MAX_QUEUE_AGE_SECONDS", "300")
HEALTH_MAX_TICK_LAG_SECONDS = env_limit("HEALTH_MAX_TICK_LAG_SECONDS", "120")
HEALTH_MAX_EXPORTS_PENDING_STALE = env_limit("HEALTH_MAX_EXPORTS_PENDING_STALE", "0")
HEALTH_MAX_ACTIVATIONS_STALLED = env_limit("HEALTH_MAX_ACTIVATIONS_STALLED", "0")
HEALTH_MAX_JOBS_STALLED = env_limit("HEALTH_MAX_JOBS_STALLED", "0")
HEALTH_MAX_REPLICA_LAG_SECONDS = env_limit("HEALTH_MAX_REPLICA_LAG_SECONDS", "300")

# --- Logging (core/logging.py) -------------------------------------------------------------------------------
# LOG_FORMAT=json: one JSON object per line (request id, actor, fields); the default is one readable line.
# Either way every record carries the request id, and credentials are masked.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain").strip().lower()
LOGGING = logging_config(fmt=LOG_FORMAT, level=os.environ.get("LOG_LEVEL", "INFO"))
