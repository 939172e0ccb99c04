"""Field encryption and blind indexes (ADRs 0006 and 0011).

A value is encrypted with AES-256-GCM for where it lives: the table, the column and the primary
key of its row are the associated data, so a ciphertext copied into another row or column does
not decrypt. The token is text, `wm:` then url-safe base64 of

    version (1 byte, 1) | key id (4 bytes) | nonce (12 bytes) | ciphertext and 16-byte tag

The keys are the Fernet-format secrets of `WAYMARK_FIELD_KEYS`, newest first. Each AEAD key, and
the key id that names it in tokens, is derived from one of them with HKDF-SHA256, so the settings
did not change when the format did. The newest key encrypts; a token names the key that decrypts
it. `waymark keys rotate` re-encrypts every value under the newest key, after which older keys can
be dropped.

Values written by earlier versions are Fernet tokens ("gAAAAA..."), bound to nothing. The
`legacy_*` functions read and write them, for the migrations that convert them and for nothing
else; the fields refuse them with an error that says to run `waymark keys rotate`.

A blind index is an HMAC-SHA256 of a normalised value under the separate
`WAYMARK_BLIND_INDEX_KEY`. It lets a selector find exact matches without decrypting every row. It
reveals which rows share a value (equality), and nothing else without the key.
"""

import base64
import binascii
import functools
import hashlib
import hmac
import os
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = [
    "InvalidToken",
    "Binding",
    "UndecryptableValue",
    "blind_index",
    "decrypt",
    "encrypt",
    "field_keys",
    "is_current",
    "looks_encrypted",
    "normalise",
]

PREFIX = "wm:"
VERSION = 1
KEY_ID_BYTES = 4
NONCE_BYTES = 12
_HEADER = 1 + KEY_ID_BYTES + NONCE_BYTES
# Every Fernet token starts with version byte 0x80, which base64 renders as "gAAAAA".
LEGACY_PREFIX = "gAAAAA"


class UndecryptableValue(InvalidToken):
    """A stored value that cannot be turned back into plaintext; the message says why and where."""


@dataclass(frozen=True)
class Binding:
    """Where a value lives (table, column, row): it is encrypted for there, and decrypts only
    there."""

    table: str
    column: str
    pk: Any
    label: str = ""  # e.g. "people.YoungPerson.nhs_number", for messages

    def describe(self) -> str:
        return f"{self.label or f'{self.table}.{self.column}'} of row {self.pk}"

    def associated_data(self, header: bytes) -> bytes:
        parts = [header, b"waymark-field", self.table.encode(), self.column.encode()]
        parts.append(str(self.pk).encode())
        return b"".join(len(p).to_bytes(2, "big") + p for p in parts)


@dataclass(frozen=True)
class _Key:
    key_id: bytes
    aead: AESGCM


def field_keys() -> tuple[str, ...]:
    keys = tuple(k for k in getattr(settings, "WAYMARK_FIELD_KEYS", ()) if k)
    if not keys:
        raise ImproperlyConfigured("WAYMARK_FIELD_KEYS must list at least one Fernet key.")
    return keys


def _secret(key: str) -> bytes:
    try:
        secret = base64.urlsafe_b64decode(key.encode())
    except (binascii.Error, ValueError):
        secret = b""
    if len(secret) != 32:
        raise ImproperlyConfigured(
            "Each WAYMARK_FIELD_KEYS entry must be a Fernet key: 32 url-safe base64-encoded bytes."
        )
    return secret


def _derive(secret: bytes, length: int, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(secret)


@functools.lru_cache(maxsize=16)
def _key(key: str) -> _Key:
    secret = _secret(key)
    return _Key(
        key_id=_derive(secret, KEY_ID_BYTES, b"waymark field key id"),
        aead=AESGCM(_derive(secret, 32, b"waymark field encryption v1 aes-256-gcm")),
    )


def key_id(key: str) -> str:
    """The id that tokens carry for this key, in hex: it reveals nothing about the key."""
    return _key(key).key_id.hex()


def _keys() -> list[_Key]:
    return [_key(k) for k in field_keys()]


def encrypt(plaintext: str, *, binding: Binding) -> str:
    """A token for this plaintext that decrypts only at `binding`, under the newest key."""
    key = _keys()[0]
    nonce = os.urandom(NONCE_BYTES)
    header = bytes([VERSION]) + key.key_id + nonce
    sealed = key.aead.encrypt(nonce, plaintext.encode(), binding.associated_data(header))
    return PREFIX + base64.urlsafe_b64encode(header + sealed).decode()


def _unpack(token: str, binding: Binding) -> tuple[bytes, bytes, bytes]:
    """(header, key id, ciphertext) of a current-format token."""
    if token.startswith(LEGACY_PREFIX):
        raise UndecryptableValue(
            f"{binding.describe()} is in the old, unbound Fernet format, which only the migration "
            "that converted the database accepts: it was written there since, perhaps copied from "
            "an old backup, and is not trusted. Clear or re-enter it."
        )
    if not token.startswith(PREFIX):
        raise UndecryptableValue(f"{binding.describe()} does not hold an encrypted value.")
    try:
        raw = base64.urlsafe_b64decode(token[len(PREFIX) :].encode())
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) < _HEADER + 16 or raw[0] != VERSION:
        raise UndecryptableValue(
            f"{binding.describe()} does not decrypt: the stored value is damaged or in an "
            "unknown format."
        )
    return raw[:_HEADER], raw[1 : 1 + KEY_ID_BYTES], raw[_HEADER:]


def decrypt(token: str, *, binding: Binding) -> str:
    header, wanted, sealed = _unpack(token, binding)
    candidates = [k for k in _keys() if k.key_id == wanted]
    if not candidates:
        raise UndecryptableValue(
            f"{binding.describe()} was encrypted under key {wanted.hex()}, which is not in "
            "WAYMARK_FIELD_KEYS: put back the key it was encrypted with."
        )
    nonce = header[1 + KEY_ID_BYTES :]
    for key in candidates:
        try:
            return key.aead.decrypt(nonce, sealed, binding.associated_data(header)).decode()
        except InvalidTag:
            continue
    raise UndecryptableValue(
        f"{binding.describe()} does not decrypt: it was encrypted for another row or column, "
        "or altered."
    )


def is_current(token: str) -> bool:
    """Whether a token is in the current format under the newest key (nothing to rotate)."""
    if not token.startswith(PREFIX):
        return False
    try:
        raw = base64.urlsafe_b64decode(token[len(PREFIX) : len(PREFIX) + 8].encode())
    except (binascii.Error, ValueError):
        return False
    return raw[:1] == bytes([VERSION]) and raw[1 : 1 + KEY_ID_BYTES] == _keys()[0].key_id


def looks_encrypted(value: str) -> bool:
    """Whether a stored value is a token, in the current or the old format, not plaintext."""
    return value.startswith((PREFIX, LEGACY_PREFIX))


def is_legacy(value: str) -> bool:
    return value.startswith(LEGACY_PREFIX)


@functools.lru_cache(maxsize=8)
def _multi_fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(k.encode()) for k in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "Each WAYMARK_FIELD_KEYS entry must be a Fernet key: 32 url-safe base64-encoded bytes."
        ) from exc


def legacy_encrypt(plaintext: str, keys: Sequence[str] | None = None) -> str:
    """A token in the old Fernet format, bound to nothing: for migrations only."""
    return _multi_fernet(tuple(keys or field_keys())).encrypt(plaintext.encode()).decode()


def legacy_decrypt(token: str, *, binding: Binding | None = None) -> str:
    try:
        return _multi_fernet(field_keys()).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        where = binding.describe() if binding is not None else "A value in the old Fernet format"
        raise UndecryptableValue(
            f"{where} does not decrypt with any key in WAYMARK_FIELD_KEYS: put back the key it "
            "was encrypted with."
        ) from exc


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
