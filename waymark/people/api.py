"""Young people and persons of concern.

A young person is seen only through a legitimate involvement of the user's agency (see
`people.selectors`); every read of one is written to the audit log. A young person's strengths
and own words come before anything else about them.
"""

from typing import Any, NoReturn

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, Throttled, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from waymark.accounts.refusals import refused_as
from waymark.audit.api import AuditedListMixin, audit_read
from waymark.audit.models import AuditAction
from waymark.audit.services import audit_record_many
from waymark.contexts.places.selectors import place_list_visible_to, ward_list_visible_to
from waymark.core.api import (
    ANY_YOUNG_PERSON_VIEW,
    EnumChoiceField,
    VisibleIdField,
    get_or_404,
    service_errors,
)
from waymark.core.models import Reliability
from waymark.core.throttling import SearchThrottle, UserThrottle

from .models import AgeBand, Ethnicity, Gender, PersonFlag, PersonOfConcern, Vehicle, YoungPerson
from .naming import (
    people_shown,
    person_of_concern_shown,
    persons_of_concern_shown,
    young_person_shown,
)
from .selectors import (
    access_log_for,
    person_of_concern_get_visible_to,
    person_of_concern_list_visible_to,
    person_of_concern_search,
    young_person_for_break_glass,
    young_person_get_visible_to,
    young_person_list_changeable_by,
    young_person_list_visible_to,
    young_person_search,
)
from .services import (
    break_glass_open,
    person_flag_add,
    person_of_concern_create,
    young_person_create,
    young_person_update,
)


class SearchSerializer(serializers.Serializer):
    """A search, sent in the body of a POST: names and dates of birth never go in a URL."""

    q = serializers.CharField(
        max_length=100,
        help_text="A reference, an NHS number, names as the person is known, or a first and "
        "last name with a date of birth (Amara Osei 14/07/2011)",
    )


class SearchInUrlRefused(ValidationError):
    """A GET with ?q=: refused, so that no name or date of birth is left in a URL or a log."""

    def __init__(self, endpoint: str) -> None:
        super().__init__(
            {
                "q": [
                    f'Search by POST to {endpoint} with {{"q": ...}} in the body: names and '
                    "dates of birth must not go in a URL, where logs and browsers keep them."
                ]
            }
        )


class SearchThrottledMixin(GenericAPIView):
    """A search over its limit says so (DRF adds when to try again, and Retry-After)."""

    def throttled(self, request: Request, wait: float) -> NoReturn:
        if getattr(self, "action", None) == "search":
            raise Throttled(wait, detail="Too many searches.")
        raise Throttled(wait)


# Labels: a young person's or a person of concern's name only through the naming primitive
# (`waymark.people.naming`), which names only those the viewer may see and records the read.


def _viewer(field: serializers.Field) -> Any:
    request = field.context.get("request")
    if request is None:
        raise PermissionDenied("Naming a person needs the request's user.")
    return request.user


@extend_schema_field(OpenApiTypes.STR)
class YoungPersonLabelField(serializers.Field):
    """The young person's name where the viewer may see their record, else their reference."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value: YoungPerson) -> str:
        shown = self.context.get("people_shown", {}).get(value.pk)
        if shown is None:
            shown = young_person_shown(user=_viewer(self), young_person=value)
        return shown.label


@extend_schema_field(OpenApiTypes.STR)
class PersonOfConcernLabelField(serializers.Field):
    """A person of concern's names where the viewer may see them, else their reference."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value: PersonOfConcern) -> str:
        shown = self.context.get("persons_of_concern_shown", {}).get(value.pk)
        if shown is None:
            shown = person_of_concern_shown(user=_viewer(self), person=value)
        return shown.label


class LabelledListSerializer(serializers.ListSerializer):
    """Labels a whole page through the naming primitive at once, not one query per row."""

    def to_representation(self, data: Any) -> list[Any]:
        items = list(data.all() if hasattr(data, "all") else data)
        user = _viewer(self)
        model = getattr(getattr(self.child, "Meta", None), "model", None)
        if model is YoungPerson:
            self.context["people_shown"] = people_shown(user=user, young_people=items)
        elif model is PersonOfConcern:
            self.context["persons_of_concern_shown"] = persons_of_concern_shown(
                user=user, persons=items
            )
        return super().to_representation(items)


# Young people


class YoungPersonSummarySerializer(serializers.ModelSerializer):
    display_name = YoungPersonLabelField()
    age = serializers.IntegerField(read_only=True)

    class Meta:
        model = YoungPerson
        fields = ["reference", "display_name", "age", "strengths", "own_words"]
        read_only_fields = fields
        list_serializer_class = LabelledListSerializer


class YoungPersonSerializer(serializers.ModelSerializer):
    display_name = YoungPersonLabelField()
    age = serializers.IntegerField(read_only=True)

    class Meta:
        model = YoungPerson
        fields = [
            "reference",
            "display_name",
            "strengths",
            "own_words",
            "given_name",
            "family_name",
            "known_as",
            "date_of_birth",
            "date_of_birth_estimated",
            "age",
            "gender",
            "ethnicity",
            "nhs_number",
            "upn",
            "school",
            "home_ward",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class YoungPersonWriteSerializer(serializers.Serializer):
    """What `young_person_create` and `young_person_update` take. They validate it."""

    strengths = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="What the young person is good at, cares about, and who they trust",
    )
    own_words = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="What the young person says, as they said it",
    )
    given_name = serializers.CharField(max_length=100)
    family_name = serializers.CharField(max_length=100)
    known_as = serializers.CharField(required=False, allow_blank=True, max_length=100)
    date_of_birth = serializers.DateField()
    date_of_birth_estimated = serializers.BooleanField(required=False)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False)
    ethnicity = serializers.ChoiceField(choices=Ethnicity.choices, required=False)
    nhs_number = serializers.CharField(required=False, allow_blank=True)
    upn = serializers.CharField(required=False, allow_blank=True)
    school = VisibleIdField(
        selector=place_list_visible_to,
        required=False,
        allow_null=True,
        help_text="The id of a place of kind school",
    )
    home_ward = VisibleIdField(selector=ward_list_visible_to, required=False, allow_null=True)


class AccessEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    actor = serializers.CharField(source="actor.username", default=None)
    agency = serializers.CharField(source="agency.name", default=None)
    action = serializers.CharField()
    object_type = serializers.CharField()
    object_id = serializers.CharField()
    changed_fields = serializers.ListField(child=serializers.CharField())
    purpose = serializers.CharField()


class BreakGlassSerializer(serializers.Serializer):
    reason = serializers.CharField(
        write_only=True, help_text="Why the user needs to see this record now"
    )
    opened_at = serializers.DateTimeField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True)


@extend_schema_view(
    create=extend_schema(
        request=YoungPersonWriteSerializer, responses={201: YoungPersonSerializer}
    ),
    partial_update=extend_schema(
        request=YoungPersonWriteSerializer, responses=YoungPersonSerializer
    ),
)
class YoungPersonViewSet(
    SearchThrottledMixin,
    AuditedListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Young people, identified by their pseudonymous reference."""

    lookup_field = "reference"
    required_permissions = {
        "list": ANY_YOUNG_PERSON_VIEW,
        "retrieve": ANY_YOUNG_PERSON_VIEW,
        "search": ANY_YOUNG_PERSON_VIEW,
        "create": "people.add_youngperson",
        "partial_update": "people.change_assigned_youngperson",
        "access": "people.view_accesslog_youngperson",
        "break_glass": "people.breakglass_youngperson",
    }

    def get_queryset(self) -> QuerySet[YoungPerson]:
        return young_person_list_visible_to(user=self.request.user)

    def get_object(self) -> YoungPerson:
        with refused_as(self.request, "people.youngperson", self.kwargs["reference"]):
            person = get_or_404(
                young_person_get_visible_to,
                user=self.request.user,
                reference=self.kwargs["reference"],
            )
        self.check_object_permissions(self.request, person)
        return person  # type: ignore[return-value]

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action == "list":
            return YoungPersonSummarySerializer
        if self.action in ("create", "partial_update"):
            return YoungPersonWriteSerializer
        return YoungPersonSerializer

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if "q" in request.query_params:
            raise SearchInUrlRefused("/api/young-people/search/")
        return super().list(request, *args, **kwargs)

    @extend_schema(request=SearchSerializer, responses=YoungPersonSummarySerializer(many=True))
    @action(detail=False, methods=["post"], throttle_classes=[UserThrottle, SearchThrottle])
    def search(self, request: Request) -> Response:
        """Young people the user may see, by reference, NHS number, name, or name and date of
        birth, sent in the body of a POST, a page at a time. Audited as a search (who was found,
        by whom; never the words searched for), and rate-limited."""
        payload = SearchSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        found = self.paginate_queryset(
            young_person_search(user=request.user, query=payload.validated_data["q"])
        )
        audit_record_many(
            actor=request.user,
            action=AuditAction.SEARCH,
            objs=found or [],
            purpose=f"API {request.method} {request.path}"[:500],
        )
        return self.get_paginated_response(
            YoungPersonSummarySerializer(
                found, many=True, context=self.get_serializer_context()
            ).data
        )

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        person = self.get_object()
        audit_read(request, person)
        return Response(YoungPersonSerializer(person, context=self.get_serializer_context()).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = YoungPersonWriteSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        payload.is_valid(raise_exception=True)
        with service_errors():
            person = young_person_create(actor=request.user, **payload.validated_data)
        return Response(
            YoungPersonSerializer(person, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        person = self.get_object()
        if not young_person_list_changeable_by(user=request.user).filter(pk=person.pk).exists():
            raise PermissionDenied("Only an agency involved with this young person may change them")
        payload = YoungPersonWriteSerializer(
            data=request.data, partial=True, context=self.get_serializer_context()
        )
        payload.is_valid(raise_exception=True)
        with service_errors():
            person = young_person_update(
                actor=request.user, young_person=person, **payload.validated_data
            )
        return Response(YoungPersonSerializer(person, context=self.get_serializer_context()).data)

    @extend_schema(responses=AccessEventSerializer(many=True))
    @action(detail=True)
    def access(self, request: Request, reference: str) -> Response:
        """Who has seen or changed this young person's record, and why: newest first."""
        person = self.get_object()
        audit_read(request, person, what="access_log")
        page = self.paginate_queryset(access_log_for(user=request.user, young_person=person))
        return self.get_paginated_response(AccessEventSerializer(page, many=True).data)

    @extend_schema(request=BreakGlassSerializer, responses={201: BreakGlassSerializer})
    @action(detail=True, methods=["post"], url_path="break-glass")
    def break_glass(self, request: Request, reference: str) -> Response:
        """Open a record the user's agency is not involved with, for 24 hours, with a reason."""
        person = young_person_for_break_glass(user=request.user, reference=reference)
        if person is None:
            raise NotFound("No young person has that reference")
        payload = BreakGlassSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        with service_errors():
            access = break_glass_open(
                actor=request.user, young_person=person, reason=payload.validated_data["reason"]
            )
        return Response(BreakGlassSerializer(access).data, status=status.HTTP_201_CREATED)


# Persons of concern


class VehicleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Vehicle
        fields = ["make", "colour", "registration"]


class PersonFlagSerializer(serializers.ModelSerializer):
    """A warning about a person of concern. It carries its source and expires at review-by."""

    kind = EnumChoiceField(PersonFlag.Kind)
    reliability = EnumChoiceField(Reliability)
    is_expired = serializers.BooleanField(read_only=True)

    class Meta:
        model = PersonFlag
        fields = ["id", "kind", "detail", "source", "reliability", "review_by", "is_expired"]
        read_only_fields = ["id", "is_expired"]


class PersonOfConcernSerializer(serializers.ModelSerializer):
    # Lifted off the class by the serializer's metaclass: no clash with Field.label at run time.
    label = PersonOfConcernLabelField()  # type: ignore[assignment]
    vehicles = VehicleSerializer(many=True, read_only=True)
    flags = PersonFlagSerializer(many=True, read_only=True)

    class Meta:
        model = PersonOfConcern
        list_serializer_class = LabelledListSerializer
        fields = [
            "reference",
            "label",
            "names",
            "nicknames",
            "description",
            "age_band",
            "vehicles",
            "flags",
            "created_at",
        ]
        read_only_fields = fields


class PersonOfConcernCreateSerializer(serializers.Serializer):
    """What `person_of_concern_create` takes: a name, a nickname or a description, at least."""

    names = serializers.CharField(required=False, allow_blank=True, default="")
    nicknames = serializers.CharField(required=False, allow_blank=True, default="")
    description = serializers.CharField(required=False, allow_blank=True, default="")
    age_band = serializers.ChoiceField(
        choices=AgeBand.choices, required=False, default=AgeBand.NOT_KNOWN
    )
    vehicles = VehicleSerializer(many=True, required=False, default=list)


@extend_schema_view(
    create=extend_schema(
        request=PersonOfConcernCreateSerializer, responses={201: PersonOfConcernSerializer}
    ),
)
class PersonOfConcernViewSet(
    SearchThrottledMixin,
    AuditedListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Adults or peers thought to pose a risk to children, identified by reference."""

    serializer_class = PersonOfConcernSerializer
    lookup_field = "reference"
    required_permissions = {
        "list": "people.view_personofconcern",
        "search": "people.view_personofconcern",
        "retrieve": "people.view_personofconcern",
        "create": "people.add_personofconcern",
        "flags": "people.view_personofconcern",
        "flag_add": "people.add_personflag",
    }

    def get_queryset(self) -> QuerySet[PersonOfConcern]:
        return person_of_concern_list_visible_to(user=self.request.user)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if "q" in request.query_params:
            raise SearchInUrlRefused("/api/persons-of-concern/search/")
        return super().list(request, *args, **kwargs)

    @extend_schema(request=SearchSerializer, responses=PersonOfConcernSerializer(many=True))
    @action(detail=False, methods=["post"], throttle_classes=[UserThrottle, SearchThrottle])
    def search(self, request: Request) -> Response:
        """Persons of concern by reference, vehicle registration, or whole words of their names
        and nicknames, sent in the body of a POST, a page at a time. Audited as a search, and
        rate-limited."""
        payload = SearchSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        found = self.paginate_queryset(
            person_of_concern_search(user=request.user, query=payload.validated_data["q"])
        )
        audit_record_many(
            actor=request.user,
            action=AuditAction.SEARCH,
            objs=found or [],
            purpose=f"API {request.method} {request.path}"[:500],
        )
        return self.get_paginated_response(self.get_serializer(found, many=True).data)

    def get_object(self) -> PersonOfConcern:
        with refused_as(self.request, "people.personofconcern", self.kwargs["reference"]):
            person = get_or_404(
                person_of_concern_get_visible_to,
                user=self.request.user,
                reference=self.kwargs["reference"],
            )
        self.check_object_permissions(self.request, person)
        return person  # type: ignore[return-value]

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        person = self.get_object()
        audit_read(request, person)
        return Response(self.get_serializer(person).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = PersonOfConcernCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        payload.is_valid(raise_exception=True)
        # The service checks each vehicle by its own field names.
        with service_errors(make="vehicles", colour="vehicles", registration="vehicles"):
            person = person_of_concern_create(actor=request.user, **payload.validated_data)
        return Response(self.get_serializer(person).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=PersonFlagSerializer(many=True))
    @action(detail=True, methods=["get"])
    def flags(self, request: Request, reference: str) -> Response:
        """Every flag on the person, newest review-by first. Expired flags say so."""
        person = self.get_object()
        audit_read(request, person, what="flags")
        page = self.paginate_queryset(person.flags.all())
        return self.get_paginated_response(PersonFlagSerializer(page, many=True).data)

    @extend_schema(request=PersonFlagSerializer, responses={201: PersonFlagSerializer})
    @flags.mapping.post
    def flag_add(self, request: Request, reference: str) -> Response:
        person = self.get_object()
        payload = PersonFlagSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        with service_errors():
            flag = person_flag_add(actor=request.user, person=person, **payload.validated_data)
        return Response(PersonFlagSerializer(flag).data, status=status.HTTP_201_CREATED)
