"""Model fields whose values are encrypted at rest, each bound to its row (ADRs 0006 and 0011).

The column holds a token (see `crypto`) that decrypts only for the table, the column and the
primary key of its row, so a ciphertext moved to another row or column fails loudly instead of
reading as someone else's data. The empty string is stored as the empty string, not encrypted: a
blank optional field then says only that it is blank, which `blank=True`,
`handling_conditions=""` constraints and "has an NHS number" checks rely on.

Django's `from_db_value` does not see the row, so reading is in two steps: `from_db_value` returns
a `Sealed` token, and the field's descriptor decrypts it on first access with the instance's
primary key, keeping the plaintext on the instance. Writing goes through `pre_save`, which sees
the instance: `save()`, `create()` and `bulk_create()` encrypt there. The row's id must therefore
be known before INSERT: models with encrypted fields inherit `EncryptedModel`
(`waymark.core.models`), which allocates ids ahead. `QuerySet.update()` and `bulk_update()` have
no instance, so they are refused for non-blank values of these fields, as are `values()` and
`values_list()` results used as text: they give the `Sealed` token, which will not print or
compare.

An encrypted column cannot be searched: every token differs, even for equal values. These fields
refuse every lookup except `isnull` and `exact` against the empty string, with an error naming the
field, so a selector cannot silently filter on ciphertext. Search through a blind index instead.
Validation (max_length and field validators) applies to the plaintext, before encryption.
"""

import datetime
from typing import Any, cast

from django.core.exceptions import FieldError
from django.db import models
from django.db.models.expressions import Value
from django.db.models.lookups import Exact, IsNull
from django.db.models.query_utils import DeferredAttribute

from . import crypto

ALLOWED_LOOKUPS = ("isnull", "exact (with the empty string)")


class Sealed:
    """A stored token, not yet decrypted because its row was not known when it was read.

    Model instances never show one: their descriptor decrypts it. `values()` and `values_list()`
    of an encrypted field do give one, and it refuses to be printed, compared or hashed, so it
    cannot leak ciphertext onto a page or pass for the value.
    """

    def __init__(self, token: str, pk: Any = None) -> None:
        self.token = token
        self.pk = pk  # the row it was read from, when known

    def _refuse(self, *args: Any) -> Any:
        raise TypeError(
            "An encrypted value read without its model (values() or values_list()) cannot be "
            "used: read it through the model instance, which decrypts it."
        )

    __str__ = __format__ = __eq__ = __ne__ = __hash__ = __lt__ = __gt__ = _refuse

    def __repr__(self) -> str:
        return "<Sealed encrypted value>"


class EncryptedAttribute(DeferredAttribute):
    """Decrypts the field's value on first access, with the row's primary key, and keeps the
    plaintext on the instance. A data descriptor, so every assignment passes through it too."""

    def __get__(self, instance: Any, cls: Any = None) -> Any:
        value = super().__get__(instance, cls)
        if instance is not None and isinstance(value, Sealed):
            value = cast(EncryptedMixin, self.field).unseal(instance, value)
            instance.__dict__[self.field.attname] = value
        return value

    def __set__(self, instance: Any, value: Any) -> None:
        if isinstance(value, Sealed) and value.pk is None:
            pk = instance.__dict__.get(instance._meta.pk.attname)
            if pk is not None:
                value = Sealed(value.token, pk)
        instance.__dict__[self.field.attname] = value


class EmptyOnlyExact(Exact):
    """`field=""`: whether a value is blank, which is all the stored form can tell."""

    def __init__(self, lhs: Any, rhs: Any) -> None:
        if isinstance(lhs, Value):
            # A plaintext value checked against a constraint (Model.validate_constraints):
            # compare whether it is blank, without encrypting it.
            blank = lhs.value is None or lhs.value == ""
            lhs = Value(None if lhs.value is None else "" if blank else "x", models.TextField())
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
    """Encrypt for the row on the way to the database, decrypt for it on the way back."""

    descriptor_class = EncryptedAttribute
    attname: str
    column: str
    model: Any

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

    def binding(self, pk: Any) -> crypto.Binding:
        return crypto.Binding(
            table=self.model._meta.db_table, column=self.column, pk=pk, label=_label(self)
        )

    def unseal(self, instance: Any, sealed: Sealed) -> Any:
        pk = sealed.pk if sealed.pk is not None else instance.pk
        if pk is None:
            raise FieldError(f"{_label(self)} cannot be decrypted for a row without an id.")
        return self.from_plaintext(crypto.decrypt(sealed.token, binding=self.binding(pk)))

    def seal(self, value: Any, pk: Any) -> Any:
        """The stored form of a plaintext value for row `pk`: None, '' or a Sealed token."""
        if value is None:
            return None
        text = self.to_plaintext(value)
        if text == "":
            return ""
        return Sealed(crypto.encrypt(text, binding=self.binding(pk)), pk)

    def pre_save(self, model_instance: Any, add: bool) -> Any:
        data = model_instance.__dict__
        value = (
            data[self.attname] if self.attname in data else getattr(model_instance, self.attname)
        )
        if isinstance(value, Sealed):
            # Unchanged since it was read: encrypt it afresh, under the newest key, for this row.
            value = self.unseal(model_instance, value)
        if value is None or value == "":
            return value
        if model_instance.pk is None:
            raise FieldError(
                f"{_label(self)} is encrypted for its row, so the row needs its id before it is "
                f"written: give {type(model_instance).__name__} the EncryptedModel base "
                "(waymark.core.models) and save it through save(), create() or bulk_create()."
            )
        return self.seal(value, model_instance.pk)

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if isinstance(value, Sealed):
            return value.token
        if value is None or value == "":
            return value
        if not prepared:
            value = self.get_prep_value(value)  # type: ignore[attr-defined]
        if value is None or self.to_plaintext(value) == "":
            return None if value is None else ""
        raise FieldError(
            f"{_label(self)} is encrypted for its row, so it can be written only by saving the "
            "model (save(), create() or bulk_create()): QuerySet.update(), bulk_update() and raw "
            "loads cannot encrypt it."
        )

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return None if value is None else self.from_plaintext("")
        return Sealed(value)


class EncryptedTextField(EncryptedMixin, models.TextField):
    pass


class EncryptedCharField(EncryptedMixin, models.CharField):
    """A CharField in forms and validation (max_length counts plaintext); text in the database."""


class EncryptedDateField(EncryptedMixin, models.DateField):
    def to_plaintext(self, value: Any) -> str:
        return value.isoformat() if isinstance(value, datetime.date) else str(value)

    def from_plaintext(self, text: str) -> Any:
        return datetime.date.fromisoformat(text) if text else None
