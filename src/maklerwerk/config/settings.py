"""Maklerwerk settings, read from the environment. Every variable is listed in README.md and .env.example."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.csp import CSP

from maklerwerk.config.env import env_bool, env_int, env_list, env_str, mailer_config, secret_key

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("MAKLERWERK_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

# Off unless asked for: a forgotten setting must not show Django's technical pages in production.
# Development opts in (`make run` sets DEBUG=1).
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = secret_key(DATA_DIR)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
# Links in e-mails: see core/baseurl.py. Without MAKLERWERK_BASE_URL a request's own address is used, and
# outside requests the address `serve` listens on (HOST/PORT), so `PORT=8765 make run` links to 8765.
_configured_base_url = env_str("MAKLERWERK_BASE_URL", "").strip()
BASE_URL_CONFIGURED = bool(_configured_base_url)
_listen_host = env_str("HOST", "127.0.0.1")
if _listen_host in {"0.0.0.0", "::", ""}:  # noqa: S104 (a bind-all address is no address to link to)
    _listen_host = "127.0.0.1"
BASE_URL = (_configured_base_url or f"http://{_listen_host}:{env_int('PORT', 8000)}").rstrip("/")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [BASE_URL])

INSTALLED_APPS = [
    # First, so that its `createsuperuser` (which also gives the superuser an office) wins over Django's.
    "maklerwerk.accounts",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_ratelimit",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "huey.contrib.djhuey",
    "ninja",
    "maklerwerk.core",
    "maklerwerk.contacts",
    "maklerwerk.properties",
    "maklerwerk.matching",
    "maklerwerk.duplicates",
    "maklerwerk.sharing",
    "maklerwerk.mailing",
    "maklerwerk.exposes",
    "maklerwerk.tasks",
    "maklerwerk.inquiries",
    "maklerwerk.imports",
    "maklerwerk.appointments",
    "maklerwerk.portals",
    "maklerwerk.tours",
    "maklerwerk.mailsync",
    "maklerwerk.privacy",
    "maklerwerk.davsync",
    "maklerwerk.gwg",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "maklerwerk.api.middleware.ApiBodyLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "maklerwerk.core.middleware.LanguageMiddleware",
    "maklerwerk.api.middleware.ApiNumberRangeMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "maklerwerk.accounts.middleware.LoginRequiredMiddleware",
    "maklerwerk.accounts.middleware.OfficeMiddleware",
    # Two-factor login: a session that must still give or set up its second factor reaches no page.
    "maklerwerk.accounts.twofactor.TwoFactorMiddleware",
    "maklerwerk.core.baseurl.BaseUrlMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before any view or CSRF reads the body: too many bytes or files are refused in German (413).
    "maklerwerk.core.middleware.UploadLimitMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Turns django-ratelimit's Ratelimited into RATELIMIT_VIEW (German 429) for block=True views.
    "django_ratelimit.middleware.RatelimitMiddleware",
    # Axes must come last: it turns locked-out logins into a clear German page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "maklerwerk.config.urls"
WSGI_APPLICATION = "maklerwerk.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "maklerwerk.core.context_processors.shell",
            ],
            "builtins": ["django.templatetags.i18n", "django.templatetags.static"],
        },
    }
]

# --- Database: embedded SQLite by default (WAL, so the web server and the job worker can share it) ---
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'maklerwerk.sqlite3'}")
# Persistent connections (with a health check) spare PostgreSQL a new backend per request.
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN, so concurrent writers wait (busy timeout)
        # instead of failing with "database is locked" halfway through a transaction.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA cache_size=-20000; PRAGMA temp_store=MEMORY; PRAGMA mmap_size=134217728;"
        ),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits, throttling): Redis when configured, else a table in the database ---
# `migrate` creates the table (core's post_migrate handler), so no extra `createcachetable` step.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "cache"}}

# Public pages (self-service links, shared documents) are rate-limited per IP with django-ratelimit.
SHARING_RATE_LIMIT = env_str("SHARING_RATE_LIMIT", "120/m")
RATELIMIT_VIEW = "maklerwerk.core.views.rate_limited"
# Without Redis the database cache is shared by all processes but increments are not atomic: under a
# burst a limit may let a few extra requests through, which is acceptable for abuse protection.
# With Redis, Django's own RedisCache increments atomically; django-ratelimit only knows django-redis.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"] + ([] if REDIS_URL else ["django_ratelimit.E003"])

# --- Background jobs (Huey): SQLite file in the data dir, or Redis when REDIS_URL is set ---
HUEY_IMMEDIATE = env_bool("HUEY_IMMEDIATE", False)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": env_str("HUEY_NAME", "maklerwerk"),
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
        "utc": True,
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": env_str("HUEY_NAME", "maklerwerk"),
        "filename": str(DATA_DIR / "jobs.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
        "utc": True,
    }
HUEY["consumer"] = {"workers": env_int("WORKER_THREADS", 2), "worker_type": "thread"}
# A running job holds a lease it renews while it works; a job whose lease ran out is declared dead
# (docs/deploy.md "How jobs recover").
JOB_LEASE_SECONDS = env_int("JOB_LEASE_SECONDS", 60)

# --- Auth ---
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
# Two-factor login (accounts/twofactor.py): the name authenticator apps show next to the code.
OTP_TOTP_ISSUER = "Maklerwerk"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling: after 5 failures for a user name from one IP, that pair waits 15 minutes.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Reverse proxies in front (each adds to X-Forwarded-For). One helper reads the client's address for
# login throttling, rate limits and consent records: maklerwerk.core.net.client_ip.
PROXY_COUNT = env_int("PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "maklerwerk.core.net.client_ip"
RATELIMIT_IP_META_KEY = "maklerwerk.core.net.client_ip"

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 12)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "maklerwerk.core.views.csrf_failure"

# --- Security headers; the TLS-only ones switch on with DEBUG=0 ---
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    # Tabler and htmx set inline style attributes; styles cannot run code.
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Submitting a domain to the browsers' preload list is the operator's deliberate, hard-to-undo
        # decision (it covers every subdomain), so we do not default to it and do not nag about it.
        SILENCED_SYSTEM_CHECKS.append("security.W021")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Requests and uploads ---
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("MAX_REQUEST_BODY_BYTES", 2 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_BYTES", 25 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
# Per request: at most this many files and bytes in all (checked from Content-Length before the body
# is read; maklerwerk.core.middleware.UploadLimitMiddleware answers with a German 413).
MAX_UPLOAD_FILES = env_int("MAX_UPLOAD_FILES", 10)
DATA_UPLOAD_MAX_NUMBER_FILES = MAX_UPLOAD_FILES
MAX_UPLOAD_REQUEST_BYTES = env_int("MAX_UPLOAD_REQUEST_BYTES", 2 * MAX_UPLOAD_BYTES)
# Lists count at most this many rows (core/pagination.py): "mehr als 10.000" instead of a COUNT(*)
# over the whole office on every request.
LIST_COUNT_CAP = env_int("LIST_COUNT_CAP", 10_000)
# vCard files with more cards are imported by a background job (API: 202 with the job).
VCARD_SYNC_LIMIT = env_int("VCARD_SYNC_LIMIT", 200)

# --- Language and time ---
LANGUAGE_CODE = "de"
LANGUAGES = [("de", "Deutsch"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

# --- Files ---
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
# Several machines share uploads through object storage (docs/deploy.md): S3_BUCKET selects
# django-storages' S3 backend (any S3-compatible server: AWS, MinIO, Ceph, Hetzner, IONOS).
S3_BUCKET = env_str("S3_BUCKET")
_FILE_STORAGE: dict[str, Any] = {
    "BACKEND": env_str("FILE_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage")
}
if S3_BUCKET:
    _FILE_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
            "region_name": env_str("S3_REGION", "eu-central-1"),
            "access_key": env_str("S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("S3_SECRET_ACCESS_KEY") or None,
            "location": env_str("S3_PREFIX", "media"),
            "default_acl": "private",
            "file_overwrite": False,  # as on disk: a second "expose.pdf" gets its own name
            "querystring_auth": True,  # never public URLs; files are served through our views anyway
        },
    }
STORAGES = {
    "default": _FILE_STORAGE,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- E-mail ---
# Production (DEBUG=0) refuses to start without it: see maklerwerk.core.checks.
EMAIL_URL = env_str("EMAIL_URL")
MAILERS = {"default": mailer_config(EMAIL_URL)}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Maklerwerk <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- API ---
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500
API_TOKEN_PREFIX = "mwk_"  # noqa: S105  (a public marker, not a secret)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "huey": {"level": "INFO"}},
}
