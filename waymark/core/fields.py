"""Model fields whose values are encrypted at rest (ADR 0006).

The column holds the Fernet token as text. The empty string is stored as the empty string, not
encrypted: a blank optional field then says only that it is blank, which `blank=True`,
`handling_conditions=""` constraints and "has an NHS number" checks rely on.

An encrypted column cannot be searched: every token differs, even for equal values. These fields
refuse every lookup except `isnull` and `exact` against the empty string, with an error naming the
field, so a selector cannot silently filter on ciphertext. Search through a blind index instead.
Validation (max_length and field validators) applies to the plaintext, before encryption.
"""

import datetime
from typing import Any

from django.core.exceptions import FieldError
from django.db import models
from django.db.models.lookups import Exact, IsNull

from . import crypto

ALLOWED_LOOKUPS = ("isnull", "exact (with the empty string)")


class EmptyOnlyExact(Exact):
    """`field=""`: whether a value is blank, which is all the stored form can tell."""

    def __init__(self, lhs: Any, rhs: Any) -> None:
        super().__init__(lhs, rhs)
        if self.rhs != "":
            field = getattr(lhs, "target", None) or getattr(lhs, "output_field", None)
            raise FieldError(
                f"{_label(field)} is encrypted: it can be compared only with the empty string. "
                "Search it through its blind index."
            )


def _label(field: Any) -> str:
    model = getattr(field, "model", None)
    if model is not None:
        return f"{model._meta.label}.{field.name}"
    return getattr(field, "name", "An encrypted field")


class EncryptedMixin:
    """Encrypt on the way to the database, decrypt on the way back."""

    def get_internal_type(self) -> str:
        return "TextField"

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "isnull":
            return IsNull
        if lookup_name == "exact":
            return EmptyOnlyExact
        raise FieldError(
            f"{_label(self)} is encrypted: the lookup '{lookup_name}' cannot work on ciphertext. "
            f"Only {' and '.join(ALLOWED_LOOKUPS)} are allowed; search through a blind index."
        )

    def get_transform(self, lookup_name: str) -> Any:
        raise FieldError(
            f"{_label(self)} is encrypted: the transform '{lookup_name}' cannot work on ciphertext."
        )

    def to_plaintext(self, value: Any) -> str:
        return str(value)

    def from_plaintext(self, text: str) -> Any:
        return text

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if not prepared:
            value = self.get_prep_value(value)  # type: ignore[attr-defined]
        if value is None:
            return None
        text = self.to_plaintext(value)
        if text == "":
            return ""
        return crypto.encrypt(text)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return None if value is None else self.from_plaintext("")
        return self.from_plaintext(crypto.decrypt(value))


class EncryptedTextField(EncryptedMixin, models.TextField):
    pass


class EncryptedCharField(EncryptedMixin, models.CharField):
    """A CharField in forms and validation (max_length counts plaintext); text in the database."""


class EncryptedDateField(EncryptedMixin, models.DateField):
    def to_plaintext(self, value: Any) -> str:
        return value.isoformat() if isinstance(value, datetime.date) else str(value)

    def from_plaintext(self, text: str) -> Any:
        return datetime.date.fromisoformat(text) if text else None
