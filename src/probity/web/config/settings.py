"""Django settings, read from environment variables only (one documented list: README.md).

| variable | default |
|---|---|
| PROBITY_DATA_DIR | ~/.local/share/probity (SQLite database, generated dev secret key) |
| DATABASE_URL | unset: SQLite file `probity.sqlite3` in the data directory |
| PROBITY_ENV | development (`production` turns on the deployment checks) |
| PROBITY_SECRET_KEY | generated once per data directory in development; required in production |
| PROBITY_ALLOWED_HOSTS | 127.0.0.1,localhost |
| PROBITY_CSRF_TRUSTED_ORIGINS | unset (comma-separated origins, e.g. https://probity.force.example) |
| PROBITY_SECURE_COOKIES | on in production, off in development (plain-http loopback) |
| PROBITY_SESSION_AGE_MINUTES | 480 |
| PROBITY_SSL_REDIRECT | on in production (0: the TLS proxy in front redirects http itself) |
| PROBITY_LOGIN_MAX_FAILURES | 5 failed sign-ins per username within the window, then locked |
| PROBITY_LOGIN_MAX_FAILURES_PER_IP | 100 per client address within the window (0: off) |
| PROBITY_LOGIN_WINDOW_MINUTES | 15 |
| PROBITY_IOPC_DEADLINE_RULE | end_of_next_day (see probity.web.casework.referrals) |
| PROBITY_VETTING_SETTINGS | unset: default level order, renewal periods, 90-day window (else a TOML/JSON file as for `probity vetting report --settings`) |
| PROBITY_PARTNER_NO_CONTACT_MONTHS | 6 (partners with no engagement for this long are flagged) |
| PROBITY_CONCERN_MAX_PER_HOUR | 5 public concern-form submissions per client address per hour |
| PROBITY_CONCERN_MAX_BYTES | 65536 (larger public form bodies are refused with 413) |
| PROBITY_BREACHED_PASSWORDS_FILE | unset (else the Pwned Passwords SHA-1 file, ordered by hash: passwords in it are refused) |
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

from probity.errors import ConfigurationError
from probity.paths import data_dir

WEB_DIR = Path(__file__).resolve().parent.parent

PROBITY_ENV = os.environ.get("PROBITY_ENV", "development").strip().lower()
if PROBITY_ENV not in ("development", "production", "test"):
    raise ConfigurationError(
        f"PROBITY_ENV={PROBITY_ENV!r} is not recognised: use 'development' or 'production'."
    )
PRODUCTION = PROBITY_ENV == "production"


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    if value.strip().lower() in ("1", "true", "yes", "on"):
        return True
    if value.strip().lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigurationError(f"{name}={value!r} is not a yes/no value: use 1 or 0.")


def _list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    configured = os.environ.get("PROBITY_SECRET_KEY", "").strip()
    if configured:
        if PRODUCTION and len(configured) < 50:
            raise ConfigurationError(
                "PROBITY_SECRET_KEY is shorter than 50 characters: generate one with "
                "`python -c 'import secrets; print(secrets.token_urlsafe(64))'`."
            )
        return configured
    if PRODUCTION:
        raise ConfigurationError(
            "PROBITY_ENV=production but PROBITY_SECRET_KEY is not set: set it to a long random "
            "value (for example `python -c 'import secrets; print(secrets.token_urlsafe(64))'`) "
            "kept outside the repository. Probity will not start without it."
        )
    key_file = data_dir() / "secret_key"
    if key_file.exists():
        key = key_file.read_text(encoding="utf-8").strip()
        if key:
            return key
    key = secrets.token_urlsafe(64)
    tmp = key_file.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    os.replace(tmp, key_file)
    return key


SECRET_KEY = _secret_key()
DEBUG = False
ALLOWED_HOSTS = _list("PROBITY_ALLOWED_HOSTS", "127.0.0.1,localhost")
if "*" in ALLOWED_HOSTS:
    raise ConfigurationError(
        "PROBITY_ALLOWED_HOSTS contains '*': list the host names the service answers to."
    )
CSRF_TRUSTED_ORIGINS = _list("PROBITY_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "probity.web.core",
    "probity.web.audit",
    "probity.web.workforce",
    "probity.web.alerts",
    "probity.web.casework",
    "probity.web.investigations",
    "probity.web.assessments",
    "probity.web.vetting_register",
    "probity.web.partners",
    "probity.web.app_review",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "probity.web.accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "probity.web.accounts.middleware.ActiveUserMiddleware",
    "probity.web.accounts.middleware.IdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "probity.web.core.middleware.SensitiveResponseMiddleware",
    "probity.web.accounts.middleware.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "probity.web.config.urls"
WSGI_APPLICATION = "probity.web.config.wsgi.application"

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
                "probity.web.core.context_processors.navigation",
            ],
        },
    }
]

_database_url = os.environ.get("DATABASE_URL", "").strip()
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
    DATABASES["default"].setdefault("TEST", {})
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(data_dir() / "probity.sqlite3"),
            # WAL: readers never wait for the writer (every page writes an access-log row);
            # synchronous stays FULL so a committed log entry survives a power cut.
            # Planner statistics are gathered after every load and at start-up
            # (probity.web.core.dbstats).
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20,
                        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"},
            # one connection per server thread, kept (not re-opened on every request)
            "CONN_MAX_AGE": 600,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "probity.web.accounts.breached.BreachedPasswordValidator"},
]
PROBITY_BREACHED_PASSWORDS_FILE = os.environ.get("PROBITY_BREACHED_PASSWORDS_FILE", "").strip() or None
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Sign-in: password then TOTP (probity.web.accounts); throttling per username and address.
OTP_TOTP_ISSUER = "Probity"
PROBITY_LOGIN_MAX_FAILURES = int(os.environ.get("PROBITY_LOGIN_MAX_FAILURES", "5"))
PROBITY_LOGIN_MAX_FAILURES_PER_IP = int(os.environ.get("PROBITY_LOGIN_MAX_FAILURES_PER_IP", "100"))
PROBITY_LOGIN_WINDOW_MINUTES = int(os.environ.get("PROBITY_LOGIN_WINDOW_MINUTES", "15"))

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = str(data_dir() / "static")
Path(STATIC_ROOT).mkdir(exist_ok=True)
STATICFILES_DIRS = [str(WEB_DIR / "static")]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve straight from the app directories too, so `probity serve` works without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = False

SECURE_COOKIES = _flag("PROBITY_SECURE_COOKIES", PRODUCTION)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("PROBITY_SESSION_AGE_MINUTES", "480")) * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# a signed-in session unused this long ends (accounts.middleware.IdleTimeoutMiddleware)
PROBITY_IDLE_SECONDS = int(os.environ.get("PROBITY_IDLE_MINUTES", "15")) * 60
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = _flag("PROBITY_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = False
    SILENCED_SYSTEM_CHECKS = ["security.W021"]  # HSTS preload is a domain owner's decision
    if not SECURE_SSL_REDIRECT:
        # PROBITY_SSL_REDIRECT=0 states that the TLS proxy in front redirects http itself.
        SILENCED_SYSTEM_CHECKS.append("security.W008")

IOPC_DEADLINE_RULE = os.environ.get("PROBITY_IOPC_DEADLINE_RULE", "end_of_next_day")
VETTING_SETTINGS_FILE = os.environ.get("PROBITY_VETTING_SETTINGS", "").strip() or None
# Partners and the public concern form (probity.web.partners).
PROBITY_PARTNER_NO_CONTACT_MONTHS = int(os.environ.get("PROBITY_PARTNER_NO_CONTACT_MONTHS", "6"))
PROBITY_CONCERN_MAX_PER_HOUR = int(os.environ.get("PROBITY_CONCERN_MAX_PER_HOUR", "5"))
PROBITY_CONCERN_MAX_BYTES = int(os.environ.get("PROBITY_CONCERN_MAX_BYTES", "65536"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
