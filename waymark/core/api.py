"""Pieces every app's `api.py` shares, so that each API view stays thin.

- Service errors (Django `ValidationError` with a message dict) become DRF 400s with the same
  field names; the request's transaction is then rolled back.
- Related records in a payload are looked up through the app's `*_visible_to` selectors, so a
  reference or id the user may not see is answered exactly as one that does not exist.
- Reads of personal data are written to the audit log.
"""

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, NoReturn

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet, TextChoices
from django.http import Http404
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_choice_field
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.settings import api_settings

from waymark.core.references import reference_normalise

ANY_CONCERN_VIEW = ("concerns.view_assigned_concern", "concerns.view_all_concern")
ANY_ASSOCIATION_VIEW = ("concerns.view_assigned_association", "concerns.view_all_association")
ANY_YOUNG_PERSON_VIEW = ("people.view_assigned_youngperson", "people.view_all_youngperson")


def raise_drf_validation(
    exc: DjangoValidationError, *, rename: Mapping[str, str] | None = None
) -> NoReturn:
    """Re-raise a service's ValidationError as a DRF 400, keeping field names and codes.

    `rename` maps a service's field name to the payload's, where they differ.
    """
    rename = rename or {}
    detail: dict[str, list[ErrorDetail]] = {}
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            key = rename.get(name, name)
            if key == NON_FIELD_ERRORS:
                key = api_settings.NON_FIELD_ERRORS_KEY
            for error in errors:
                for message in error.messages:
                    detail.setdefault(key, []).append(
                        ErrorDetail(message, code=error.code or "invalid")
                    )
    else:
        detail[api_settings.NON_FIELD_ERRORS_KEY] = [
            ErrorDetail(message, code="invalid") for message in exc.messages
        ]
    raise ValidationError(detail) from exc


@contextmanager
def service_errors(**rename: str) -> Iterator[None]:
    """`with service_errors(): some_service(...)` answers a refused write with a 400, and a
    write the user may not make with a 403 that says why."""
    try:
        yield
    except DjangoValidationError as exc:
        raise_drf_validation(exc, rename=rename)
    except DjangoPermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc) or None) from exc


def get_or_404(getter: Callable[..., Model], **kwargs: Any) -> Model:
    """Call a `*_get_visible_to` selector; a record the user may not see does not exist."""
    try:
        return getter(**kwargs)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc


@extend_schema_field(OpenApiTypes.INT)
class VisibleIdField(serializers.PrimaryKeyRelatedField):
    """An id of a record the user may see, chosen from `selector(user=...)`."""

    default_error_messages = {
        "does_not_exist": "There is nothing with the id {pk_value} that you can see.",
        "incorrect_type": "Enter an id as a whole number, not {data_type}.",
    }

    def __init__(self, *, selector: Callable[..., QuerySet[Any]], **kwargs: Any) -> None:
        self.selector = selector
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        return self.selector(user=self.context["request"].user)


@extend_schema_field(OpenApiTypes.STR)
class VisibleReferenceField(serializers.RelatedField):
    """A pseudonymous reference (e.g. YP-7F3KQ) of a record the user may see.

    It is resolved with the app's `*_get_visible_to(user=..., reference=...)` selector, which
    accepts what people type (lower case, O for 0).
    """

    default_error_messages = {
        "does_not_exist": "There is no {noun} with the reference {value} that you can see.",
        "incorrect_type": "Enter a reference as text, like {example}.",
    }

    def __init__(
        self, *, getter: Callable[..., Model], noun: str, example: str, **kwargs: Any
    ) -> None:
        self.getter = getter
        self.noun = noun
        self.example = example
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        raise NotImplementedError("references are resolved one at a time by the getter")

    def get_choices(self, cutoff: int | None = None) -> dict[Any, str]:
        # The browsable API would list every record as a choice; a reference is typed instead.
        return {}

    def to_internal_value(self, data: Any) -> Model:
        if not isinstance(data, str):
            self.fail("incorrect_type", example=self.example)
        try:
            return self.getter(user=self.context["request"].user, reference=data)
        except ObjectDoesNotExist:
            self.fail("does_not_exist", noun=self.noun, value=reference_normalise(data))

    def to_representation(self, value: Any) -> str:
        return str(value.reference)


class EnumChoiceField(serializers.ChoiceField):
    """A choice field whose OpenAPI enum is one named component, wherever the choices appear.

    Several choice sets share a field name (`kind`, `reliability`) and one set appears under
    several names (`reliability`, `link_reliability`); naming the set here keeps the schema free
    of drf-spectacular's enum-collision warnings without a settings override.
    """

    def __init__(self, enum: type[TextChoices], **kwargs: Any) -> None:
        self.enum = enum
        super().__init__(choices=enum.choices, **kwargs)


class EnumChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = EnumChoiceField
    match_subclasses = True

    def get_name(self) -> str:
        # Nested choices such as PersonFlag.Kind are named after their owner: PersonFlagKindEnum.
        return self.target.enum.__qualname__.replace(".", "") + "Enum"

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        schema = build_choice_field(self.target)
        schema.pop("x-spec-enum-id", None)
        schema["enum"] = [c for c in schema["enum"] if c not in ("", None)]
        return schema


class CappedPagination(LimitOffsetPagination):
    """Pages of at most 100 records, whatever `limit` asks for: no one reads a whole register
    in one request."""

    max_limit = 100
