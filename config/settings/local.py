"""Local development and the demo: DEBUG on, loopback only, a throwaway key kept under var/."""

import base64
import secrets
from collections.abc import Callable

from cryptography.fernet import Fernet

from config.env import VAR_DIR, env

from .base import *  # noqa: F403
from .base import (
    SECRET_KEY,
    WAYMARK_AUDIT_KEY,
    WAYMARK_AUDIT_SIGNING_KEY,
    WAYMARK_BLIND_INDEX_KEY,
    WAYMARK_FIELD_KEYS,
)

DEBUG = env.bool("WAYMARK_DEBUG", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

_key_file = VAR_DIR / "secret_key"
if not SECRET_KEY:
    if not _key_file.exists():
        _key_file.write_text(secrets.token_urlsafe(50))
        _key_file.chmod(0o600)
    SECRET_KEY = _key_file.read_text().strip()

# Field-encryption keys, made once and kept beside the database they protect. Losing
# var/field_keys makes the encrypted fields of var/waymark.sqlite3 unreadable.
_field_keys_file = VAR_DIR / "field_keys"
if not WAYMARK_FIELD_KEYS:
    if not _field_keys_file.exists():
        _field_keys_file.write_text(Fernet.generate_key().decode() + "\n")
        _field_keys_file.chmod(0o600)
    WAYMARK_FIELD_KEYS = _field_keys_file.read_text().split()
_index_key_file = VAR_DIR / "blind_index_key"
if not WAYMARK_BLIND_INDEX_KEY:
    if not _index_key_file.exists():
        _index_key_file.write_text(secrets.token_urlsafe(48))
        _index_key_file.chmod(0o600)
    WAYMARK_BLIND_INDEX_KEY = _index_key_file.read_text().strip()


def _throwaway(name: str, make: Callable[[], str]) -> str:
    """A key kept in var/<name>, made once (mode 0600)."""
    path = VAR_DIR / name
    if not path.exists():
        path.write_text(make() + "\n")
        path.chmod(0o600)
    return path.read_text().strip()


# The audit chain's HMAC key and the checkpoint signing key (an Ed25519 private key: 32 random
# bytes, base64). Checkpoints go to var/audit-checkpoints/ unless WAYMARK_AUDIT_CHECKPOINTS says.
if not WAYMARK_AUDIT_KEY:
    WAYMARK_AUDIT_KEY = _throwaway("audit_key", lambda: secrets.token_urlsafe(48))
if not WAYMARK_AUDIT_SIGNING_KEY:
    WAYMARK_AUDIT_SIGNING_KEY = _throwaway(
        "audit_signing_key", lambda: base64.b64encode(secrets.token_bytes(32)).decode()
    )

WAYMARK_DEMO = env.bool("WAYMARK_DEMO", default=True)
# The demo's logins are printed for anyone to use, so it asks for no second factor unless told
# to; every page then says so in the demo banner.
WAYMARK_REQUIRE_2FA = env.bool("WAYMARK_REQUIRE_2FA", default=not WAYMARK_DEMO)
