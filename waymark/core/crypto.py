"""Field encryption and blind indexes (ADR 0006).

Values are encrypted with Fernet (AES-128-CBC with HMAC-SHA256) under the keys in
`WAYMARK_FIELD_KEYS`, newest first: the newest encrypts, any of them decrypts, so a key can be
rotated in (`waymark keys rotate`) and then dropped.

A blind index is an HMAC-SHA256 of a normalised value under the separate
`WAYMARK_BLIND_INDEX_KEY`. It lets a selector find exact matches without decrypting every row. It
reveals which rows share a value (equality), and nothing else without the key.
"""

import functools
import hashlib
import hmac
import re
import unicodedata
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = [
    "InvalidToken",
    "blind_index",
    "decrypt",
    "encrypt",
    "field_keys",
    "normalise",
    "rotate",
]

# Every Fernet token starts with version byte 0x80, which base64 renders as "gAAAAA".
TOKEN_PREFIX = "gAAAAA"  # noqa: S105 (a format marker, not a secret)


def field_keys() -> tuple[str, ...]:
    keys = tuple(k for k in getattr(settings, "WAYMARK_FIELD_KEYS", ()) if k)
    if not keys:
        raise ImproperlyConfigured("WAYMARK_FIELD_KEYS must list at least one Fernet key.")
    return keys


@functools.lru_cache(maxsize=8)
def _multi_fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(k.encode()) for k in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "Each WAYMARK_FIELD_KEYS entry must be a Fernet key: 32 url-safe base64-encoded bytes."
        ) from exc


def fernet(keys: Sequence[str] | None = None) -> MultiFernet:
    return _multi_fernet(tuple(keys) if keys is not None else field_keys())


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    return fernet().decrypt(token.encode()).decode()


def rotate(token: str) -> str:
    """The same plaintext, encrypted under the newest key."""
    return fernet().rotate(token.encode()).decode()


def looks_encrypted(value: str) -> bool:
    return value.startswith(TOKEN_PREFIX)


def normalise(text: str) -> str:
    """Case-folded, accents stripped, whitespace collapsed: 'Zoë  O’Brien' -> 'zoe o’brien'."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def words(text: str) -> list[str]:
    """The normalised words of a name or list of nicknames, without punctuation."""
    return re.findall(r"\w+", normalise(text).replace("'", "").replace("’", ""))


@functools.lru_cache(maxsize=4)
def _index_key(key: str) -> bytes:
    if len(key) < 32:
        raise ImproperlyConfigured(
            "WAYMARK_BLIND_INDEX_KEY must be set to a random value of at least 32 characters."
        )
    return key.encode()


def blind_index(value: str, *, purpose: str) -> str:
    """Keyed hash of an already-normalised value; '' for ''. `purpose` separates the indexes, so
    the same word as a given name and as a family name gives unrelated hashes."""
    if not value:
        return ""
    key = _index_key(getattr(settings, "WAYMARK_BLIND_INDEX_KEY", ""))
    message = f"{purpose}\x00{value}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()
