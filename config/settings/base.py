"""Settings shared by every environment. Nothing here is a secret or a production default."""

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.env import BASE_DIR, VAR_DIR, env

SECRET_KEY = env.str("WAYMARK_SECRET_KEY", default="")
# Field encryption (ADRs 0006, 0011): Fernet-format keys, newest first (AES-256-GCM keys are
# derived from them), and the separate blind-index key.
WAYMARK_FIELD_KEYS: list[str] = env.list("WAYMARK_FIELD_KEYS", default=[])
WAYMARK_BLIND_INDEX_KEY = env.str("WAYMARK_BLIND_INDEX_KEY", default="")
# The audit trail (docs/how-to/audit.md), all held outside the database: the HMAC key of the
# event chain; the Ed25519 key that signs checkpoints (only `waymark audit checkpoint` needs it)
# or its public half, which is enough to verify them; and the directory the checkpoints go to.
WAYMARK_AUDIT_KEY = env.str("WAYMARK_AUDIT_KEY", default="")
WAYMARK_AUDIT_SIGNING_KEY = env.str("WAYMARK_AUDIT_SIGNING_KEY", default="")
WAYMARK_AUDIT_VERIFY_KEY = env.str("WAYMARK_AUDIT_VERIFY_KEY", default="")
WAYMARK_AUDIT_CHECKPOINTS = Path(
    env.str("WAYMARK_AUDIT_CHECKPOINTS", default=str(VAR_DIR / "audit-checkpoints"))
)
DEBUG = False
ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "govuk_frontend_django",
    "csp",
    "django_otp",
    "axes",
    "waymark.core",
    "waymark.accounts",
    "waymark.audit",
    "waymark.contexts",
    "waymark.people",
    "waymark.concerns",
    "waymark.casework",
    "waymark.records",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "waymark.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "waymark.core.middleware.PermissionsPolicyMiddleware",
    "waymark.core.middleware.RequestIdMiddleware",
    # Inside the request id: writes the reads of each response, once per object read.
    "waymark.audit.reads.AuditReadMiddleware",
    # Likewise writes each refused request for a record, after the view's transaction.
    "waymark.accounts.refusals.RefusedAccessAuditMiddleware",
    # Last, as django-axes requires: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Maps draw ward boundaries from Waymark's own data and need no tile server. A tile layer is
# added only when WAYMARK_TILE_URL names one, e.g. https://tiles.example.org/{z}/{x}/{y}.png
# (a server the partnership runs or licenses); the CSP then allows images from its origin.
WAYMARK_TILE_URL = env.str("WAYMARK_TILE_URL", default="")
WAYMARK_TILE_ATTRIBUTION = env.str("WAYMARK_TILE_ATTRIBUTION", default="")
_TILE_ORIGIN = "/".join(WAYMARK_TILE_URL.split("/")[:3]) if "://" in WAYMARK_TILE_URL else ""

# A strict Content-Security-Policy: scripts only from this origin or with the request's nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *([_TILE_ORIGIN] if _TILE_ORIGIN else [])],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "waymark" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "waymark.core.context_processors.waymark",
                "waymark.accounts.context_processors.two_factor",
            ],
        },
    },
]
FORM_RENDERER = "waymark.core.forms.GovukFormRenderer"

# SQLite under var/ unless DATABASE_URL names another engine (PostgreSQL in production).
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'waymark.sqlite3'}")
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache holds rate-limit counts and cached analyses. Throttling only works when every process
# serving Waymark shares it: the default here is per process (fine for one process, the demo and
# the tests); production defaults to files under var/cache/ (shared by the processes of one
# host). Several hosts need a shared server, e.g. WAYMARK_CACHE_URL=redis://cache:6379/1.
CACHES = {"default": env.cache_url("WAYMARK_CACHE_URL", default="locmemcache://")}

AUTH_USER_MODEL = "accounts.User"
# django-axes first: it refuses a locked-out username and address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "waymark.accounts.backends.RoleBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Two-factor authentication (TOTP, django-otp; ADR 0005). When required, a password alone reaches
# only the two-factor pages, and the API refuses sessions that have not given a code.
WAYMARK_REQUIRE_2FA = env.bool("WAYMARK_REQUIRE_2FA", default=True)
OTP_TOTP_ISSUER = "Waymark"
# Wrong two-factor codes for one user, across all their devices, web and API together: at the
# limit every code is refused, even the right one, for the cool-off; the count clears only on a
# right code, so after a cool-off one more wrong code locks again.
WAYMARK_2FA_FAILURE_LIMIT = 5
WAYMARK_2FA_COOLOFF = timedelta(minutes=15)

# Lockout (django-axes; ADR 0005): a username is locked for 30 minutes after five wrong passwords
# from one address, or twenty from any addresses together (waymark.accounts.lockout). A correct
# sign-in clears the count; `waymark manage axes_reset_username U` unlocks at once.
WAYMARK_LOCKOUT_ADDRESS_LIMIT = 5
WAYMARK_LOCKOUT_USERNAME_LIMIT = 20
AXES_FAILURE_LIMIT = "waymark.accounts.lockout.failure_limit"
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = ["username", ["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "waymark.accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "waymark.accounts.lockout.client_ip"
# How many reverse proxies in front of Waymark append to X-Forwarded-For. 0 (the default) means
# the client address is REMOTE_ADDR; behind one trusted proxy set 1, or every user shares the
# proxy's address and one person's typing errors could lock out the same username for everyone.
WAYMARK_PROXY_COUNT = env.int("WAYMARK_PROXY_COUNT", default=0)

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Front-end packages come from npm (package.json); only the parts pages use are exposed.
NODE_MODULES = BASE_DIR / "node_modules"
# GOV.UK Frontend's stylesheet, compiled with Waymark's settings by `make install`
# (`npm run build:css`, from waymark/static_src/). Not in git.
BUILT_ASSETS = VAR_DIR / "build"
STATICFILES_DIRS = [
    ("build", BUILT_ASSETS),
    ("govuk-frontend", NODE_MODULES / "govuk-frontend"),
    ("leaflet", NODE_MODULES / "leaflet"),
    ("cytoscape", NODE_MODULES / "cytoscape"),
    BASE_DIR / "waymark" / "static",
]

# A session ends after 30 minutes without a request (each request renews it), or when the
# browser closes.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# same-origin: record addresses (which carry references) never leave in a Referer header.
SECURE_REFERRER_POLICY = "same-origin"
# Powerful browser features no page uses are switched off (waymark.core.middleware).
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)


def _rate(name: str, default: str) -> str:
    """A rate limit from the environment, e.g. 60/hour; refused at start-up if malformed."""
    rate = env.str(name, default=default).strip()
    if not re.fullmatch(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)", rate):
        raise ImproperlyConfigured(
            f"{name} must be a number of requests per second, min, hour or day, e.g. {default}"
        )
    return rate


REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "waymark.accounts.authentication.VerifiedSessionAuthentication",
        "knox.auth.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "waymark.core.permissions.RolePermission",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "waymark.core.api.CappedPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # Rate limits (waymark.core.throttling): every API request of a user or anonymous client,
    # and tighter limits on searching, on the web and the API alike.
    "DEFAULT_THROTTLE_CLASSES": [
        "waymark.core.throttling.AnonThrottle",
        "waymark.core.throttling.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": _rate("WAYMARK_THROTTLE_ANON", "30/min"),
        "user": _rate("WAYMARK_THROTTLE_USER", "600/min"),
        "search": _rate("WAYMARK_THROTTLE_SEARCH", "60/hour"),
        "known_elsewhere": _rate("WAYMARK_THROTTLE_KNOWN_ELSEWHERE", "20/hour"),
    },
    # The client address throttles count against: behind WAYMARK_PROXY_COUNT proxies, the one
    # the first of them saw (as for sign-in lockout); None means REMOTE_ADDR.
    "NUM_PROXIES": WAYMARK_PROXY_COUNT or None,
}
# API tokens (django-rest-knox; ADR 0012): the database keeps only a SHA-512 digest of each token,
# which expires a fixed time after it is issued (no sliding renewal), and a user holds only a few
# live tokens at once.
WAYMARK_API_TOKEN_TTL_HOURS = env.int("WAYMARK_API_TOKEN_TTL_HOURS", default=8)
if not 1 <= WAYMARK_API_TOKEN_TTL_HOURS <= 24:
    raise ImproperlyConfigured("WAYMARK_API_TOKEN_TTL_HOURS must be a whole number from 1 to 24")
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=WAYMARK_API_TOKEN_TTL_HOURS),
    "AUTO_REFRESH": False,
    "TOKEN_LIMIT_PER_USER": 3,
    "AUTH_HEADER_PREFIX": "Token",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Waymark API",
    "DESCRIPTION": (
        "Record concerns about young people, places and peer links. Every endpoint needs an "
        "authenticated user; record-level access follows the user's agency and role."
    ),
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "waymark.core.openapi.error_responses",
    ],
}

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("WAYMARK_LOG_LEVEL", default="WARNING")},
    # Each signed audit checkpoint, one line of JSON, for a log store outside the database. Not
    # passed on to the console: `waymark audit checkpoint` prints it already.
    "loggers": {"waymark.audit.checkpoint": {"level": "INFO", "propagate": False}},
}
# A copy of each checkpoint to syslog: a socket path such as /dev/log, or host:port (UDP).
WAYMARK_AUDIT_SYSLOG = env.str("WAYMARK_AUDIT_SYSLOG", default="")
if WAYMARK_AUDIT_SYSLOG:
    _host, _, _port = WAYMARK_AUDIT_SYSLOG.rpartition(":")
    LOGGING["handlers"]["audit_syslog"] = {
        "class": "logging.handlers.SysLogHandler",
        "address": (_host, int(_port)) if _host and _port.isdigit() else WAYMARK_AUDIT_SYSLOG,
        "facility": "auth",
    }
    LOGGING["loggers"]["waymark.audit.checkpoint"]["handlers"] = ["audit_syslog"]

# Django's admin site at /admin/ (read-only: see waymark/core/admin.py). On here; production
# switches it off unless WAYMARK_ADMIN_ENABLED is true.
WAYMARK_ADMIN_ENABLED = env.bool("WAYMARK_ADMIN_ENABLED", default=True)

# Demo mode shows a banner on every page and permits the printed demo logins.
WAYMARK_DEMO = env.bool("WAYMARK_DEMO", default=False)
