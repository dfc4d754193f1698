"""Settings for every deployment, read from the environment.

With no environment variables this is the embedded default that `make run`
serves: SQLite in `var/`, one process, secrets made once and kept in `var/`.
Production sets DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS and friends
(docs/deployment.md).
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

import dj_database_url

from councils.ops.email_url import parse_email_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("COUNCILS_VAR_DIR", BASE_DIR / "var"))


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _kept_secret(name: str) -> str:
    """Return a secret kept in var/, making it once so restarts keep sessions and keys."""
    path = VAR_DIR / name
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(50)
    path.touch(mode=0o600)
    path.write_text(value)
    return value


DEBUG = _env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or _kept_secret("secret_key")
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "template_partials",
    # Serves the API docs' Swagger UI from our own static files, never a CDN.
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "councils.accounts",
    "councils.record",
    "councils.federation",
    "councils.constitution",
    "councils.membership",
    "councils.platforms",
    "councils.motions",
    "councils.elections",
    "councils.mandates",
    "councils.petitions",
    "councils.meetings",
    "councils.digests",
    "councils.live",
    "councils.demo",
    "councils.ops",
    "councils.web",
    "councils.api",
]

MIDDLEWARE = [
    # First, so that it turns into problem+json the API answers the others give, a bad Host among them.
    "councils.api.problems.ProblemMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "servestatic.middleware.ServeStaticMiddleware",
    "councils.web.headers.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "councils.web.methods.OptionsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "councils.accounts.middleware.PrivateResponseMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "councils.config.urls"
ASGI_APPLICATION = "councils.config.asgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "councils.web.context.site",
                "councils.record.context.checkpoint",
            ],
        },
    },
]

# Every form's first refused field takes the focus when the form comes back with errors.
FORM_RENDERER = "councils.web.forms.FormRenderer"

DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'councils.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
# Django's own engines, extended to send each action's record entries with its COMMIT.
DATABASES["default"]["ENGINE"] = {
    "django.db.backends.sqlite3": "councils.record.backends.sqlite3",
    "django.db.backends.postgresql": "councils.record.backends.postgresql",
}.get(DATABASES["default"]["ENGINE"], DATABASES["default"]["ENGINE"])
if DATABASES["default"]["ENGINE"] == "councils.record.backends.sqlite3":
    # WAL with synchronous=FULL: a vote is acknowledged only once it is on disk.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
else:
    DATABASES["default"]["OPTIONS"] = {
        "pool": _env_bool("DATABASE_POOL", True),
        # Start each connection in TIME_ZONE (below): Django would otherwise set it in a round trip of its
        # own whenever the server's default is spelled differently (Debian's "Etc/UTC").
        "options": "-c TimeZone=UTC",
    }
# PostgreSQL: the server's role, given its privileges by `migrate` (councils/record/privileges.py).
DATABASE_APP_ROLE = os.environ.get("DATABASE_APP_ROLE", "")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English")]
LOCALE_PATHS = [BASE_DIR / "councils" / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "servestatic.storage.CompressedManifestStaticFilesStorage"},
}

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}
        if os.environ.get("REDIS_URL")
        # One host without Redis: files in var/ are shared by the server and its
        # task worker, and stay out of the database and its backups.
        else {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": VAR_DIR / "cache"}
    )
}
REDIS_URL = os.environ.get("REDIS_URL", "")

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "councils@localhost")
if os.environ.get("EMAIL_URL"):
    # One variable for the whole mail account (smtp+tls://user:password@host:587); it wins over EMAIL_*.
    globals().update(parse_email_url(os.environ["EMAIL_URL"]))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if _env_bool("BEHIND_TLS_PROXY", False) else None
)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = _env_bool("BEHIND_TLS_PROXY", False)
SECURE_SSL_REDIRECT = _env_bool("BEHIND_TLS_PROXY", False)
# Monitors probe the app server directly over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", SECURE_HSTS_SECONDS > 0)
SECURE_HSTS_PRELOAD = _env_bool("SECURE_HSTS_PRELOAD", SECURE_HSTS_SECONDS > 0)
SECURE_CONTENT_TYPE_NOSNIFF = True
# No address of a page (a council, a case, a ballot) is sent to another site.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy and Permissions-Policy: councils/web/headers.py.

LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # The task worker's line for each task run is left out unless asked for (LOG_LEVEL=DEBUG).
    "filters": {"routine_tasks": {"()": "councils.ops.logs.RoutineTasks"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": [] if LOG_LEVEL == "DEBUG" else ["routine_tasks"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Councils' own settings.
COUNCILS_SITE_NAME = os.environ.get("COUNCILS_SITE_NAME", "Councils")
# The address members reach the site at, for links in e-mails sent without a request (digests).
COUNCILS_SITE_URL = os.environ.get("COUNCILS_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# /healthz reports "degraded" once a committed record entry has waited this long for a checkpoint.
COUNCILS_CHECKPOINT_MAX_AGE = int(os.environ.get("COUNCILS_CHECKPOINT_MAX_AGE", "300"))
COUNCILS_SIGNING_KEY_PATH = Path(
    os.environ.get("COUNCILS_SIGNING_KEY_PATH", VAR_DIR / "federation_signing_key")
)
COUNCILS_LOG_ID_PATH = Path(os.environ.get("COUNCILS_LOG_ID_PATH", VAR_DIR / "log_id"))
# Witnesses that cosign the record's checkpoints: a JSON list of {"vkey": ..., "url": ...}
# (see docs/record.md), and how many cosignatures make a checkpoint official.
COUNCILS_WITNESSES = json.loads(os.environ.get("COUNCILS_WITNESSES", "[]"))
COUNCILS_WITNESS_QUORUM = int(os.environ.get("COUNCILS_WITNESS_QUORUM", "0"))
COUNCILS_BALLOT_KEY_DIR = Path(os.environ.get("COUNCILS_BALLOT_KEY_DIR", VAR_DIR / "ballot_keys"))
COUNCILS_SECRET_BATCH_SIZE = int(os.environ.get("COUNCILS_SECRET_BATCH_SIZE", "25"))
COUNCILS_SECRET_BATCH_SECONDS = float(os.environ.get("COUNCILS_SECRET_BATCH_SECONDS", "2"))
COUNCILS_INVITATION_DAYS = int(os.environ.get("COUNCILS_INVITATION_DAYS", "14"))
COUNCILS_LOGIN_FAILURES = int(os.environ.get("COUNCILS_LOGIN_FAILURES", "5"))
COUNCILS_LOGIN_WINDOW_SECONDS = int(os.environ.get("COUNCILS_LOGIN_WINDOW_SECONDS", "300"))
# Requests each app process works on at once; the others wait their turn (config/asgi.py).
COUNCILS_CONCURRENT_REQUESTS = int(os.environ.get("COUNCILS_CONCURRENT_REQUESTS", "4"))
