"""Django settings: everything from environment variables (see microdegree.config)."""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from microdegree import config
from microdegree.web.client_ip import parse_networks

DATA_DIR = config.data_dir()
DEBUG = config.env_bool("DEBUG", True)
SECRET_KEY = config.secret_key()
ALLOWED_HOSTS = [h.strip() for h in (config.env("ALLOWED_HOSTS") or "*").split(",") if h.strip()]
# The public origin credentials and DIDs are minted for, e.g. https://credentials.uni.example
PUBLIC_URL = (config.env("PUBLIC_URL") or "http://localhost:8000").rstrip("/")
# Reverse proxies whose X-Forwarded-For names the client (IPs/CIDRs; none by default)
TRUSTED_PROXIES = parse_networks(config.env("TRUSTED_PROXIES") or "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "microdegree.audit",
    "microdegree.institutions",
    "microdegree.catalog",
    "microdegree.issuing",
    "microdegree.bulk",
    "microdegree.web",
    "microdegree.verification",
    "microdegree.records",
    "microdegree.vcapi",
    "oauth2_provider",
    "microdegree.obapi",
    "microdegree.recognition",
    "microdegree.opendata",
]

MIDDLEWARE = [
    "microdegree.web.faults.FaultsMiddleware",  # see "Faults and logs" below
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Language from the django_language cookie (set by /i18n/setlang/) or Accept-Language; URLs
    # stay unprefixed so credential addresses never change with the reader's language. Only HTML
    # responses get Vary: Accept-Language (web/i18n.py): signed JSON is the same in every language.
    "microdegree.web.i18n.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "microdegree.urls"
WSGI_APPLICATION = "microdegree.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

DATABASES = {
    "default": dj_database_url.parse(
        config.env("DATABASE_URL") or __import__("os").environ.get("DATABASE_URL")
        or f"sqlite:///{DATA_DIR / 'microdegree.sqlite3'}",
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while a worker writes; wait instead of failing on a lock.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
# English and German; dates and numbers follow the active language's formats (Django 5 always
# localises; USE_L10N is gone). Translations live in the package so an installed wheel has them.
LANGUAGES = [("en", "English"), ("de", "Deutsch")]
LOCALE_PATHS = [Path(__file__).resolve().parent / "locale"]
# No USE_THOUSAND_SEPARATOR: it would group every integer a template prints, ids in URLs too
# ("/me/emails/1.234/remove"); templates that want grouping ask with floatformat's "g" suffix.
FORMAT_MODULE_PATH = ["microdegree.formats"]  # formats/en/formats.py: "28 November 2026"
LANGUAGE_COOKIE_NAME = "django_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = not DEBUG  # like the session and CSRF cookies
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "media/"
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/dashboard/"

TASKS = {
    "default": {
        "BACKEND": config.env("TASKS_BACKEND") or "django_tasks_db.backend.DatabaseBackend",
    }
}

EMAIL_BACKEND = config.env("EMAIL_BACKEND") or "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = config.env("FROM_EMAIL") or "credentials@localhost"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- Open Badges API (microdegree.obapi): the OAuth 2.0 server, django-oauth-toolkit ---------
# Scopes exactly as the OB 3.0 spec names them; PKCE with S256 only (the API view refuses
# "plain" before consent, and the toolkit refuses it again when saving the code).
_OB_SCOPE = "https://purl.imsglobal.org/spec/ob/v3p0/scope/"
# The toolkit's own model, named so that migrations of apps pointing at it can resolve it.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "SCOPES": {
        f"{_OB_SCOPE}credential.readonly": "Read your credentials",
        f"{_OB_SCOPE}credential.upsert": "Add or replace credentials in your record",
        f"{_OB_SCOPE}profile.readonly": "Read your profile (name, e-mail address)",
        f"{_OB_SCOPE}profile.update": "Change your profile (name)",
    },
    "DEFAULT_SCOPES": [f"{_OB_SCOPE}credential.readonly"],
    "PKCE_REQUIRED": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "ACCESS_TOKEN_EXPIRE_SECONDS": int(config.env("OBAPI_ACCESS_TOKEN_SECONDS") or 3600),
    "REFRESH_TOKEN_EXPIRE_SECONDS": int(config.env("OBAPI_REFRESH_TOKEN_SECONDS")
                                        or 180 * 24 * 3600),
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 300,
    "ROTATE_REFRESH_TOKEN": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https"],  # http only for localhost (obapi checks)
    "SCOPES_BACKEND_CLASS": "microdegree.obapi.oauth.RegisteredScopes",
}

# --- Faults and logs (issue 14: docs/operations.md "Supervision" and "Logs") -----------------
# FaultsMiddleware (first in MIDDLEWARE): request ids (X-Request-ID), 503 with Retry-After while
# the database is unavailable, JSON errors in each API's own format, 500s with a reference id.
# Logs: stderr, JSON lines (MICRODEGREE_LOG_FORMAT=json, the default without DEBUG) or text.
from microdegree import logs as _logs  # noqa: E402

LOGGING = _logs.logging_config(config.env("LOG_FORMAT") or ("text" if DEBUG else "json"),
                               (config.env("LOG_LEVEL") or "INFO").upper())
# A connection PostgreSQL dropped (restart, failover) is noticed and replaced before a request
# uses it, instead of failing that request.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
