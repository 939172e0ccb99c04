"""Context records stay about the context: a warning before saving free text that contains the
full name of a child known to Waymark.

Names are encrypted, so they are found through their blind indexes (ADR 0006): each run of two
or three words in the text is tried as a given name and a family name. The warning never says
whose name it found, nor returns a name the writer did not type: it says only that the text
"contains the full name of a young person known to Waymark".

The pages use `NameWarningMixin` on their forms; the API uses `NameWarningSerializerMixin` on
the serializers of its requests, where the confirmation is `"confirm_names": true`.
"""

import re
from collections.abc import Iterable
from typing import Any

from django import forms
from rest_framework import serializers

from waymark.people.models import FAMILY_NAME, GIVEN_NAME, YoungPerson, name_index

WARNING = (
    "This contains the full name of a young person known to Waymark. Context records are "
    "about the context: remove the name, or confirm that it must stay"
)
CONFIRM_FIELD = "confirm_names"
CONFIRM_HINT = "To keep the name, send this again with confirm_names set to true"
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
MAX_WORDS = 2000


def _candidates(text: str) -> list[tuple[str, str, str]]:
    """(given, family, as typed) for each run of two or three words."""
    found = [m.group(0).strip("-'’") for m in _WORD.finditer(text)][:MAX_WORDS]
    out = []
    for i in range(len(found) - 1):
        out.append((found[i], found[i + 1], f"{found[i]} {found[i + 1]}"))
        if i + 2 < len(found):
            three = f"{found[i]} {found[i + 1]} {found[i + 2]}"
            out.append((f"{found[i]} {found[i + 1]}", found[i + 2], three))
            out.append((found[i], f"{found[i + 1]} {found[i + 2]}", three))
    return out


def known_child_names_in(*, texts: Iterable[str]) -> list[str]:
    """The runs of words, as the writer typed them, that are the full name of a young person
    known to Waymark. One query, whatever the length of the texts."""
    candidates = [c for text in texts if text for c in _candidates(text)]
    if not candidates:
        return []
    given = {name_index(g, GIVEN_NAME): g for g, _, _ in candidates}
    family = {name_index(f, FAMILY_NAME): f for _, f, _ in candidates}
    pairs = set(
        YoungPerson.objects.filter(
            given_name_index__in=list(given), family_name_index__in=list(family)
        ).values_list("given_name_index", "family_name_index")
    )
    if not pairs:
        return []
    hits: list[str] = []
    for g, f, typed in candidates:
        if (name_index(g, GIVEN_NAME), name_index(f, FAMILY_NAME)) in pairs and typed not in hits:
            hits.append(typed)
    return hits


def _texts(value: Any) -> list[str]:
    """The strings in a field's value, however nested (areas by key, lists of voices)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list | tuple):
        return [t for v in value for t in _texts(v)]
    return []


def first_named_field(*, values: dict[str, Any], fields: Iterable[str]) -> str | None:
    """The first of `fields` whose text contains a known child's full name, or None."""
    for name in fields:
        texts = _texts(values.get(name))
        if texts and known_child_names_in(texts=texts):
            return name
    return None


class NameWarningMixin:
    """For forms with free text about a context. List the fields in `name_warning_fields`.

    On a submission whose text contains a known child's full name, the form is invalid with a
    warning on the first such field, and a confirmation checkbox appears; submitted again with
    the box ticked, it is valid. Render the form's fields as usual: the checkbox is a field only
    while it is needed.
    """

    name_warning_fields: tuple[str, ...] = ()
    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]
    data: Any
    name_warning: bool = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.data and CONFIRM_FIELD in self.data:
            self._add_confirm_field()

    def _add_confirm_field(self) -> None:
        self.fields[CONFIRM_FIELD] = forms.BooleanField(
            label="The name must stay in this record",
            required=False,
            widget=forms.CheckboxInput(attrs={"class": "govuk-checkboxes__input"}),
        )

    @property
    def name_confirmation(self) -> Any:
        """The confirmation checkbox, bound, while it is needed; for templates that place each
        field themselves."""
        return self[CONFIRM_FIELD] if CONFIRM_FIELD in self.fields else None  # type: ignore[index]

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()  # type: ignore[misc]
        # The confirmation is the form's business, not the service's.
        if cleaned.pop(CONFIRM_FIELD, False):
            return cleaned
        named = first_named_field(values=cleaned, fields=self.name_warning_fields)
        if named:
            self.name_warning = True
            self._add_confirm_field()
            self.add_error(named, WARNING)  # type: ignore[attr-defined]
        return cleaned


class NameWarningSerializerMixin:
    """The same warning for API requests. List the fields in `name_warning_fields` (a field may
    hold nested text, such as areas by key or a list of voices).

    A request whose text contains a known child's full name is refused with 400: the warning
    under the first such field, and how to confirm under `confirm_names`. Sent again with
    `"confirm_names": true`, it is accepted; `confirm_names` never reaches the service.
    """

    name_warning_fields: tuple[str, ...] = ()

    def get_fields(self) -> dict[str, serializers.Field]:
        fields: dict[str, serializers.Field] = super().get_fields()  # type: ignore[misc]
        fields[CONFIRM_FIELD] = serializers.BooleanField(
            required=False,
            default=False,
            write_only=True,
            help_text=(
                "True to save text that contains the full name of a young person known to "
                "Waymark, after a warning"
            ),
        )
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)  # type: ignore[misc]
        if attrs.pop(CONFIRM_FIELD, False):
            return attrs
        named = first_named_field(values=attrs, fields=self.name_warning_fields)
        if named:
            raise serializers.ValidationError({named: [WARNING], CONFIRM_FIELD: [CONFIRM_HINT]})
        return attrs
