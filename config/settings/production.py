"""Production: every secret comes from the environment, and nothing starts without them."""

import base64

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.core.exceptions import ImproperlyConfigured

from config.env import VAR_DIR, env

from .base import *  # noqa: F403

SECRET_KEY = env.str("WAYMARK_SECRET_KEY", default="")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "WAYMARK_SECRET_KEY must be set to a random value of at least 50 characters."
    )
WAYMARK_FIELD_KEYS = env.list("WAYMARK_FIELD_KEYS", default=[])
if not WAYMARK_FIELD_KEYS:
    raise ImproperlyConfigured(
        "WAYMARK_FIELD_KEYS must list the field-encryption keys, newest first (see .env.example)."
    )
for _key in WAYMARK_FIELD_KEYS:
    try:
        Fernet(_key.encode())
    except ValueError:
        raise ImproperlyConfigured(
            "Each WAYMARK_FIELD_KEYS entry must be a Fernet key (see .env.example)."
        ) from None
WAYMARK_BLIND_INDEX_KEY = env.str("WAYMARK_BLIND_INDEX_KEY", default="")
if len(WAYMARK_BLIND_INDEX_KEY) < 32 or WAYMARK_BLIND_INDEX_KEY in WAYMARK_FIELD_KEYS:
    raise ImproperlyConfigured(
        "WAYMARK_BLIND_INDEX_KEY must be a random value of at least 32 characters, "
        "different from every field-encryption key."
    )
WAYMARK_AUDIT_KEY = env.str("WAYMARK_AUDIT_KEY", default="")
if len(WAYMARK_AUDIT_KEY) < 32 or WAYMARK_AUDIT_KEY in (
    SECRET_KEY,
    WAYMARK_BLIND_INDEX_KEY,
    *WAYMARK_FIELD_KEYS,
):
    raise ImproperlyConfigured(
        "WAYMARK_AUDIT_KEY must be a random value of at least 32 characters, different from "
        "the secret key, the blind-index key and every field-encryption key."
    )


def _ed25519_key(name: str, value: str, private: bool) -> bytes:
    try:
        # Standard or URL-safe base64.
        raw = base64.b64decode(value.strip().replace("-", "+").replace("_", "/"), validate=True)
        if private:
            Ed25519PrivateKey.from_private_bytes(raw)
        else:
            Ed25519PublicKey.from_public_bytes(raw)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} must be the base64 of a 32-byte Ed25519 key (see .env.example)."
        ) from None
    return raw


# Checkpoints (docs/how-to/audit.md). The signing key is needed only where `waymark audit
# checkpoint` runs, so the web servers need not hold it; its public half, which verifies
# checkpoints and is no secret, must be set wherever the signing key is not.
WAYMARK_AUDIT_SIGNING_KEY = env.str("WAYMARK_AUDIT_SIGNING_KEY", default="")
WAYMARK_AUDIT_VERIFY_KEY = env.str("WAYMARK_AUDIT_VERIFY_KEY", default="")
if not (WAYMARK_AUDIT_SIGNING_KEY or WAYMARK_AUDIT_VERIFY_KEY):
    raise ImproperlyConfigured(
        "WAYMARK_AUDIT_VERIFY_KEY must be set wherever WAYMARK_AUDIT_SIGNING_KEY is not "
        "(see .env.example)."
    )
if WAYMARK_AUDIT_SIGNING_KEY:
    _signing = _ed25519_key("WAYMARK_AUDIT_SIGNING_KEY", WAYMARK_AUDIT_SIGNING_KEY, private=True)
    if WAYMARK_AUDIT_SIGNING_KEY in (
        SECRET_KEY,
        WAYMARK_BLIND_INDEX_KEY,
        WAYMARK_AUDIT_KEY,
        *WAYMARK_FIELD_KEYS,
    ):
        raise ImproperlyConfigured("WAYMARK_AUDIT_SIGNING_KEY must differ from every other key.")
    if (
        WAYMARK_AUDIT_VERIFY_KEY
        and _ed25519_key("WAYMARK_AUDIT_VERIFY_KEY", WAYMARK_AUDIT_VERIFY_KEY, private=False)
        != Ed25519PrivateKey.from_private_bytes(_signing).public_key().public_bytes_raw()
    ):
        raise ImproperlyConfigured(
            "WAYMARK_AUDIT_VERIFY_KEY is not the public half of WAYMARK_AUDIT_SIGNING_KEY."
        )
else:
    _ed25519_key("WAYMARK_AUDIT_VERIFY_KEY", WAYMARK_AUDIT_VERIFY_KEY, private=False)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the host names Waymark is served on.")

DEBUG = False
WAYMARK_DEMO = False
# Two-factor authentication cannot be switched off in production (ADR 0005).
WAYMARK_REQUIRE_2FA = True
SECURE_SSL_REDIRECT = env.bool("WAYMARK_SSL_REDIRECT", default=True)
# X-Forwarded-Proto is believed only behind a proxy (WAYMARK_PROXY_COUNT of at least 1, which
# also tells sign-in lockout and throttling to read X-Forwarded-For). Without one, any client
# could send the header and pass a plain HTTP request off as HTTPS.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if WAYMARK_PROXY_COUNT > 0 else None  # noqa: F405
)
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# The admin site is off unless switched on; when on it is read-only (waymark/core/admin.py).
WAYMARK_ADMIN_ENABLED = env.bool("WAYMARK_ADMIN_ENABLED", default=False)
# JSON only: no browsable API pages (the OpenAPI docs at /api/docs/ stay).
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
# Rate-limit counts must be shared by every process: files under var/cache/ by default (one
# host); several hosts need a shared cache server in WAYMARK_CACHE_URL.
CACHES = {"default": env.cache_url("WAYMARK_CACHE_URL", default=f"filecache://{VAR_DIR / 'cache'}")}
