"""Settings for motcua, read from the environment.

DATABASE_URL selects the database (sqlite:///PATH or postgres://USER@HOST/DB);
SQLite at ./db.sqlite3 when unset.
"""
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = os.environ.get("MOTCUA_DEBUG", "0") == "1"


def _secret_key() -> str:
    """MOTCUA_SECRET_KEY, else the key `make run` generated in var/secret_key. Signed values (sessions,
    CSRF, the citizen's status-page keys) rest on it: with debugging off there is no default, and
    the application refuses to start rather than sign with a key anyone could read in this file."""
    key = os.environ.get("MOTCUA_SECRET_KEY", "").strip()
    generated = BASE_DIR / "var" / "secret_key"
    if not key and generated.is_file():
        key = generated.read_text(encoding="utf-8").strip()
    if DEBUG:
        return key or "dev-only-not-secret"
    if len(key) < 32:
        raise ImproperlyConfigured(
            ("MOTCUA_SECRET_KEY ngắn hơn 32 ký tự" if key else "Chưa đặt MOTCUA_SECRET_KEY")
            + ": ứng dụng không chạy khi thiếu khóa bí mật (MOTCUA_DEBUG khác 1). Tạo một khóa: "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(50))' rồi đặt vào biến môi trường "
            "MOTCUA_SECRET_KEY (hoặc ghi vào var/secret_key)."
        )
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = os.environ.get("MOTCUA_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "motcua.units",
    "motcua.catalog",
    "motcua.dossiers",
    "motcua.reports",
    "motcua.documents",
    "motcua.office",
    "motcua.api",
    "motcua.portal",
    "motcua.stats",
    "motcua.quality",
    "motcua.notifications",
    "motcua.followup",
    "motcua.inspections",
    "motcua.supervision",
    "motcua.parindex",
    "motcua.parplans",
    "motcua.demo",
    "motcua.ops",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # its Swagger UI and ReDoc assets from its own static files, never a CDN
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "motcua.middleware.BodyLimit",
    "motcua.middleware.BadInput",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "motcua.middleware.SecurityHeaders",
    "motcua.replica.ReportReads",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "motcua.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "motcua" / "templates"],
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

WSGI_APPLICATION = "motcua.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        # Persistent connections in production (`make serve` sets 60): a connection per request
        # costs more than most requests. Health-checked, so a restarted database is survived.
        conn_max_age=int(os.environ.get("MOTCUA_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a writer instead of failing at once with "database is locked", and take the write
    # lock when a transaction begins, so two officers acting at once get a clean refusal.
    DATABASES["default"].setdefault("OPTIONS", {}).update(timeout=20, transaction_mode="IMMEDIATE")
if os.environ.get("MOTCUA_PGBOUNCER", "0") == "1":  # transaction pooling (docs/scaling.md)
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
elif (DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
      and os.environ.get("MOTCUA_PG_PREPARE", "1") != "0"):
    # Parameters bound by the server, and a statement run 5 times on a connection prepared there: parsed
    # and planned once per connection, not on every run (about half of PostgreSQL's CPU per transition).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=int(os.environ.get("MOTCUA_PG_PREPARE_THRESHOLD", "5")))
# PostgreSQL over TCP (Linux): a pipeline's statements held until its end and sent in one segment
# (motcua/corked.py), so that the server's session wakes once for them, not once for each.
MOTCUA_PG_CORK = os.environ.get("MOTCUA_PG_CORK", "1") == "1"
# PostgreSQL: each dossier code drawn in its own short transaction (motcua/dossiers/codes.py), so
# that an agency's counters do not queue on the day's sequence row until each receipt commits.
MOTCUA_CODES_APART = os.environ.get("MOTCUA_CODES_APART", "1") == "1"
# How long a process keeps a procedure's route (motcua/catalog/routes.py); its own edits drop it at once.
MOTCUA_ROUTE_CACHE_SECONDS = int(os.environ.get("MOTCUA_ROUTE_CACHE_SECONDS", "60"))
# How long a process keeps an API token it has looked up, with its user's roles (motcua/api/models.py): a token
# revoked, a role withdrawn or a user deactivated in another process still works there for up to this long.
MOTCUA_TOKEN_CACHE_SECONDS = float(os.environ.get("MOTCUA_TOKEN_CACHE_SECONDS", "5"))
# A streaming standby for reports and dashboards (motcua/replica.py, docs/scaling.md).
if os.environ.get("MOTCUA_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["MOTCUA_REPLICA_URL"], conn_max_age=int(os.environ.get("MOTCUA_CONN_MAX_AGE", "0")),
        conn_health_checks=True)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
# Django's PostgreSQL backend, its health check of a persistent connection looking at the socket before
# asking the server (motcua/postgresql/base.py): no round trip per request for a connection in good health.
for _database in DATABASES.values():
    if _database["ENGINE"] == "django.db.backends.postgresql":
        _database["ENGINE"] = "motcua.postgresql"
DATABASE_ROUTERS = ["motcua.replica.ReportsToReplica"]
MOTCUA_REPLICA_PATHS = ["/thong-ke/", "/cong-khai/"]
DATABASES["default"].setdefault("TEST", {})
if os.environ.get("MOTCUA_TEST_DB_NAME"):
    DATABASES["default"]["TEST"]["NAME"] = os.environ["MOTCUA_TEST_DB_NAME"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Proxies in front of the application (e.g. "127.0.0.1" for nginx on the same machine): behind them,
# the client's address is read from X-Forwarded-For (motcua/net.py), for the per-address limits.
MOTCUA_TRUSTED_PROXIES = [a.strip() for a in os.environ.get("MOTCUA_TRUSTED_PROXIES", "").split(",") if a.strip()]

# The login lockout (office/lockout.py): failures of one username, or of any, from one address.
MOTCUA_LOGIN_MAX_FAILURES = int(os.environ.get("MOTCUA_LOGIN_MAX_FAILURES", "5"))
MOTCUA_LOGIN_MAX_FAILURES_PER_ADDRESS = int(os.environ.get("MOTCUA_LOGIN_MAX_FAILURES_PER_ADDRESS", "20"))
MOTCUA_LOGIN_WINDOW_MINUTES = int(os.environ.get("MOTCUA_LOGIN_WINDOW_MINUTES", "15"))
MOTCUA_LOGIN_LOCK_MINUTES = int(os.environ.get("MOTCUA_LOGIN_LOCK_MINUTES", "15"))

# The citizens' lookup (portal/lookup.py): WRONG attempts only, per (code, address) and per address —
# never per code alone (anyone could lock a citizen out); successes count toward nothing (a kiosk).
MOTCUA_LOOKUP_MAX_FAILURES = int(os.environ.get("MOTCUA_LOOKUP_MAX_FAILURES", "5"))
MOTCUA_LOOKUP_MAX_FAILURES_PER_ADDRESS = int(os.environ.get("MOTCUA_LOOKUP_MAX_FAILURES_PER_ADDRESS", "20"))
MOTCUA_LOOKUP_WINDOW_MINUTES = int(os.environ.get("MOTCUA_LOOKUP_WINDOW_MINUTES", "15"))
# Anonymous online submissions per client address and hour (a centre's kiosk: raise it there).
MOTCUA_SUBMIT_MAX_PER_HOUR = int(os.environ.get("MOTCUA_SUBMIT_MAX_PER_HOUR", "30"))

# Every password login (the officials' page, the Django admin) goes through the lockout (office/lockout.py).
AUTHENTICATION_BACKENDS = ["motcua.office.lockout.LockoutBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

# Dates as people read them ("15 giờ 30, ngày 05/12/2026"): {{ value }} of a date or datetime in a
# template uses motcua/formats/vi/formats.py, never Django's English default.
FORMAT_MODULE_PATH = ["motcua.formats"]
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt")]  # the one language: strings are written in Vietnamese (no translation files)
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("MOTCUA_STATIC_ROOT", BASE_DIR / "var" / "static"))
STATICFILES_DIRS = [BASE_DIR / "motcua" / "static"]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "office:inbox"
MEDIA_ROOT = Path(os.environ.get("MOTCUA_MEDIA_ROOT", BASE_DIR / "var" / "media"))

# The national default working sessions (docs/domain.md §6: a setting, not law); units may set their own.
MOTCUA_DEFAULT_SESSIONS = "08:00-12:00,13:00-17:00"

# An apology (form 04) must leave at least this much working time before the due instant
# (docs/domain.md §5: "at least 1 working day before", a practice, not law).
MOTCUA_APOLOGY_LEAD_MINUTES = int(os.environ.get("MOTCUA_APOLOGY_LEAD_MINUTES", "480"))
# The furthest new date an apology may give, per regime, as a multiple of the procedure's legal time
# counted from the due instant: "2018=1,2025=1" (a setting; by default the legal time again).
MOTCUA_APOLOGY_MAX_EXTENSION = {
    code.strip(): float(factor)
    for code, factor in (
        item.split("=", 1) for item in os.environ.get("MOTCUA_APOLOGY_MAX_EXTENSION", "2018=1,2025=1").split(",")
        if "=" in item
    )
}

# Reporting periods (motcua.stats.periods): "calendar" months or "cutoff15" (15th to 14th, Decree 09/2019).
MOTCUA_REPORT_CONVENTION = os.environ.get("MOTCUA_REPORT_CONVENTION", "calendar")
MOTCUA_QUALITY_MIN_SAMPLE = int(os.environ.get("MOTCUA_QUALITY_MIN_SAMPLE", "30"))

# Notifications: the outbox is delivered by queued tasks (django-tasks-db; `manage.py db_worker`).
TASKS = {
    "default": {
        "BACKEND": os.environ.get("MOTCUA_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
if os.environ.get("MOTCUA_EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["MOTCUA_EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("MOTCUA_EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("MOTCUA_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("MOTCUA_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = os.environ.get("MOTCUA_EMAIL_TLS", "1") == "1"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("MOTCUA_EMAIL_FROM", "motcua@localhost")
# A mail server that accepts the connection and then says nothing must not hold the worker.
EMAIL_TIMEOUT = int(os.environ.get("MOTCUA_EMAIL_TIMEOUT", "20"))
# A task RUNNING, or a message "sending", this long was left by a worker that died (resend_notifications).
MOTCUA_TASK_STALE_MINUTES = int(os.environ.get("MOTCUA_TASK_STALE_MINUTES", "15"))
# Tasks a worker takes at once (PostgreSQL); their deliveries are sent together. Each message may wait for the
# mail server's timeout: this many times EMAIL_TIMEOUT stays well under the stale time above.
MOTCUA_WORKER_TASKS_PER_TAKE = int(os.environ.get("MOTCUA_WORKER_TASKS_PER_TAKE", "10"))
# The worker vacuums its task and outbox tables after this many tasks (PostgreSQL; 0: never, where autovacuum
# is tuned for them): a take's index scan walks the rows its earlier takes left dead.
MOTCUA_WORKER_VACUUM_EVERY = int(os.environ.get("MOTCUA_WORKER_VACUUM_EVERY", "5000"))
MOTCUA_SMS_SENDER = os.environ.get("MOTCUA_SMS_SENDER", "motcua.notifications.senders.LoggingSmsSender")
MOTCUA_PUBLIC_BASE_URL = os.environ.get("MOTCUA_PUBLIC_BASE_URL", "http://127.0.0.1:8000")
MOTCUA_UPLOAD_MAX_BYTES = int(os.environ.get("MOTCUA_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
MOTCUA_UPLOAD_MAX_FILES = int(os.environ.get("MOTCUA_UPLOAD_MAX_FILES", "10"))  # files in one post

# Production hardening, from the environment (README, "Running in production"; `check --deploy` is
# clean with MOTCUA_HTTPS=1). Behind a proxy that terminates TLS, it must send X-Forwarded-Proto.
MOTCUA_HTTPS = os.environ.get("MOTCUA_HTTPS", "0") == "1"
if MOTCUA_HTTPS:
    SECURE_SSL_REDIRECT = os.environ.get("MOTCUA_SSL_REDIRECT", "1") == "1"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("MOTCUA_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("MOTCUA_HSTS_SUBDOMAINS", "1") == "1"
    SECURE_HSTS_PRELOAD = os.environ.get("MOTCUA_HSTS_PRELOAD", "1") == "1"  # no effect unless the domain is submitted
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the load balancer's probe speaks plain HTTP
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Everything the pages load is the site's own (vendored): scripts only from it; inline style
# attributes are allowed (Bootstrap's utilities in a few templates), inline scripts are not.
MOTCUA_CSP = os.environ.get(
    "MOTCUA_CSP",
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'",
)
MOTCUA_CSP_REPORT_ONLY = os.environ.get("MOTCUA_CSP_REPORT_ONLY", "0") == "1"
# A request body larger than this is refused (413) before it is read: the largest upload post
# (several documents of MOTCUA_UPLOAD_MAX_BYTES) plus the form.
MOTCUA_MAX_REQUEST_BYTES = int(os.environ.get("MOTCUA_MAX_REQUEST_BYTES", str(50 * 1024 * 1024)))
# WhiteNoise serves var/static (collectstatic) from the application; with DEBUG, straight from the apps.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# Caches. The counts of the rate limits (citizens' lookup, submissions) are shared by every worker
# process and kept across restarts, never culled early (no one can flush another's counts by filling a
# cache): rows of their own table by default (motcua.portal.ratelimit), the "limits" cache — Redis —
# with MOTCUA_REDIS_URL.
_REDIS = os.environ.get("MOTCUA_REDIS_URL", "")
if _REDIS:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _REDIS,
                    "KEY_PREFIX": "motcua"},
        "limits": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _REDIS,
                   "KEY_PREFIX": "motcua-limits"},
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "motcua_cache",
                    "OPTIONS": {"MAX_ENTRIES": 100_000}},
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
