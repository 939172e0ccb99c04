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

from waymark.audit.models import AuditAction
from waymark.audit.reads import audit_reads
from waymark.core.middleware import current_request
from waymark.core.throttling import KnownElsewhereThrottle, throttle_wait
from waymark.people.models import FAMILY_NAME, GIVEN_NAME, YoungPerson, name_index
from waymark.people.selectors import young_person_list_visible_to

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
    known to Waymark. One query, whatever the length of the texts.

    A name of a young person the writer may not see tells them that Waymark knows a child of
    that name, as the search's "known elsewhere" check does; so, like it, such a match is
    recorded as a search naming those young people, and counts against the same hourly
    allowance (`KnownElsewhereThrottle`). Past it, those names are not looked for, and only
    the names of young people the writer may see are warned about.
    """
    candidates = [c for text in texts if text for c in _candidates(text)]
    if not candidates:
        return []
    given = {name_index(g, GIVEN_NAME): g for g, _, _ in candidates}
    family = {name_index(f, FAMILY_NAME): f for _, f, _ in candidates}
    found = list(
        YoungPerson.objects.filter(
            given_name_index__in=list(given), family_name_index__in=list(family)
        ).values_list("pk", "given_name_index", "family_name_index")
    )
    if not found:
        return []
    found = _allowed(found)
    pairs = {(g, f) for _, g, f in found}
    hits: list[str] = []
    for g, f, typed in candidates:
        if (name_index(g, GIVEN_NAME), name_index(f, FAMILY_NAME)) in pairs and typed not in hits:
            hits.append(typed)
    return hits


def _allowed(found: list[tuple[int, str, str]]) -> list[tuple[int, str, str]]:
    """The matches the writer may be told of: all of those they may see, and those they may not
    see while the check is within its allowance, each recorded as a search."""
    request = current_request()
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return found  # the command line or a test: no one asking across a network
    ids = [pk for pk, _, _ in found]
    visible = set(
        young_person_list_visible_to(user=user).filter(pk__in=ids).values_list("pk", flat=True)
    )
    hidden = [pk for pk in ids if pk not in visible]
    if not hidden:
        return found
    if throttle_wait(request, KnownElsewhereThrottle()) is not None:
        return [match for match in found if match[0] in visible]
    audit_reads(
        actor=user,
        action=AuditAction.SEARCH,
        objs=YoungPerson.objects.filter(pk__in=hidden).only("pk"),
        purpose=(
            "Name check: free text in a context record holds the full name of a young person "
            "known only to other agencies"
        ),
    )
    return found


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
