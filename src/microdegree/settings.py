"""Django settings: everything from environment variables (see microdegree.config)."""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from microdegree import config
from microdegree.base.client_ip import parse_networks

DATA_DIR = config.data_dir()
# Off unless asked for (`./scripts/demo` asks); a system check refuses DEBUG for a public host.
DEBUG = config.env_bool("DEBUG", False)
SECRET_KEY = config.secret_key()
# The public origin credentials, DIDs and every e-mailed link are minted for, e.g.
# https://credentials.uni.example (base/links.py: public_link); never the request's Host header.
PUBLIC_URL = (config.env("PUBLIC_URL") or "http://localhost:8000").rstrip("/")
HTTPS = PUBLIC_URL.startswith("https://")
# The public URL's host plus MICRODEGREE_ALLOWED_HOSTS (extra names, comma-separated); any other
# Host header is a 400. A local public URL also allows this machine's other names.
ALLOWED_HOSTS = config.allowed_hosts(PUBLIC_URL, config.env("ALLOWED_HOSTS"))
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
    "microdegree.oid4vci",
    "microdegree.lti",
    "microdegree.demo",
    "microdegree.webhooks",
]

MIDDLEWARE = [
    "microdegree.web.faults.FaultsMiddleware",  # see "Faults and logs" below
    # https as the trusted TLS-terminating proxy saw it (X-Forwarded-Proto from TRUSTED_PROXIES
    # only), before SecurityMiddleware decides on the HTTPS redirect and HSTS.
    "microdegree.web.security.TrustedProxySchemeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "microdegree.web.security.ContentSecurityPolicyMiddleware",
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
if (config.env("DB_POOLER") == "transaction"
        and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"):
    # pgbouncer in transaction mode: consecutive transactions may run on different server
    # connections, where a named cursor or a prepared statement does not exist.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while a worker writes; wait instead of failing on a lock.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Sessions and OAuth tokens live here: 0600 before SQLite opens it (its -wal/-shm follow).
    _database_file = Path(str(DATABASES["default"]["NAME"]))
    if str(_database_file) not in ("", ":memory:") and _database_file.parent.is_dir():
        config.private_file(_database_file)

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
LANGUAGE_COOKIE_SECURE = HTTPS  # like the session and CSRF cookies
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "media/"
FILE_UPLOAD_PERMISSIONS = 0o600  # uploads are the platform's own files, not the world's
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/dashboard/"

TASKS = {
    "default": {
        "BACKEND": config.env("TASKS_BACKEND") or "django_tasks_db.backend.DatabaseBackend",
    }
}

# Mail: MICRODEGREE_EMAIL_HOST (SMTP) or an explicit MICRODEGREE_EMAIL_BACKEND. Without either,
# mail goes to the console, which a system check refuses in production (web/checks.py).
EMAIL_HOST = config.env("EMAIL_HOST") or "localhost"
EMAIL_PORT = int(config.env("EMAIL_PORT") or 587)
EMAIL_HOST_USER = config.env("EMAIL_USER") or ""
EMAIL_HOST_PASSWORD = config.env("EMAIL_PASSWORD") or ""
EMAIL_USE_SSL = config.env_bool("EMAIL_USE_SSL", False)
EMAIL_USE_TLS = config.env_bool("EMAIL_USE_TLS", not EMAIL_USE_SSL)
EMAIL_TIMEOUT = 30
EMAIL_BACKEND = config.env("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend" if config.env("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend")
MICRODEGREE_EMAIL_CONFIGURED = bool(config.env("EMAIL_BACKEND") or config.env("EMAIL_HOST"))
DEFAULT_FROM_EMAIL = config.env("FROM_EMAIL") or "credentials@localhost"

# --- HTTPS and security headers (docs/operations.md, "Production") ---------------------------
# Everything follows the public URL: an https public URL gets secure cookies, a redirect of
# plain HTTP to HTTPS and HSTS; the proxy in front says https through X-Forwarded-Proto, which
# is believed from MICRODEGREE_TRUSTED_PROXIES only (web/security.py).
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and config.env_bool("SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(config.env("HSTS_SECONDS") or (31_536_000 if HTTPS else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = config.env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = config.env_bool("HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy on every response (web/security.py): scripts and styles from this
# origin's files only, nothing inline; images also from data: URLs (QR codes) and https (the
# badge image a verified credential names). No form-action: the OAuth consent and "connect"
# forms redirect to other origins, which browsers check against form-action too.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    f"img-src 'self' {config.origin(PUBLIC_URL)} data: https:",  # pages name images by PUBLIC_URL
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
])

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
        # OpenID4VCI (microdegree.oid4vci): a wallet receives the learner's credentials
        "OpenBadgeCredential": "Receive your credentials in a wallet",
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
    # http only for localhost (obapi checks), and only while the platform itself is not on https:
    # a production platform's clients are web platforms with https callbacks (RFC 9700 §2.1).
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"] if HTTPS else ["http", "https"],
    "SCOPES_BACKEND_CLASS": "microdegree.obapi.oauth.RegisteredScopes",
    # RFC 9700 hardening (the toolkit's own gates; see ADR 0009): access and refresh tokens are
    # kept only as SHA-256 checksums, a refresh token used twice revokes its whole family,
    # tokens in the query string are refused, and the authorization response names its issuer
    # (RFC 9207 `iss`: PUBLIC_URL, never the request's host).
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "REFRESH_TOKEN_GRACE_PERIOD_SECONDS": 0,  # a grace period needs tokens in clear
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "OIDC_ISS_ENDPOINT": PUBLIC_URL,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
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
