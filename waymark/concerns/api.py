"""Concerns and the associations between people they reveal.

A concern enters Waymark only through `concern_record`, and a link only through
`association_record`; these views turn a payload into their arguments and nothing more.
"""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from waymark.accounts.refusals import refused_as
from waymark.accounts.selectors import agency_list_visible_to
from waymark.audit.api import AuditedListMixin, audit_read
from waymark.contexts.models import Place
from waymark.contexts.places.selectors import place_list_visible_to
from waymark.core.api import (
    ANY_ASSOCIATION_VIEW,
    ANY_CONCERN_VIEW,
    EnumChoiceField,
    VisibleIdField,
    VisibleReferenceField,
    get_or_404,
    service_errors,
)
from waymark.core.models import Reliability
from waymark.people.models import YoungPerson
from waymark.people.selectors import (
    person_of_concern_get_visible_to,
    young_person_get_for_recording,
    young_person_get_visible_to,
)

from .models import (
    Association,
    AssociationKind,
    Concern,
    ConcernRisk,
    ConcernYoungPerson,
    HandlingCode,
    InformationAssessment,
    InvolvementRole,
    SourceEvaluation,
)
from .selectors import (
    association_list_for_young_person,
    association_list_visible_to,
    concern_detail_prefetch,
    concern_get_visible_to,
    concern_list_for_young_person,
    concern_list_visible_to,
)
from .services import ConcernInput, association_record, concern_record
from .taxonomy import RiskCategory


def young_person_reference_field(**kwargs: Any) -> VisibleReferenceField:
    return VisibleReferenceField(
        getter=young_person_get_visible_to, noun="young person", example="YP-7F3KQ", **kwargs
    )


def young_person_to_record_about_field(**kwargs: Any) -> VisibleReferenceField:
    # Recording a concern is itself an involvement, so any existing young person may be named.
    return VisibleReferenceField(
        getter=young_person_get_for_recording, noun="young person", example="YP-7F3KQ", **kwargs
    )


def person_of_concern_reference_field(**kwargs: Any) -> VisibleReferenceField:
    return VisibleReferenceField(
        getter=person_of_concern_get_visible_to,
        noun="person of concern",
        example="POC-7F3KQ",
        **kwargs,
    )


# Reading


class PlaceSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Place
        fields = ["id", "name"]
        read_only_fields = fields


class ConcernYoungPersonSerializer(serializers.ModelSerializer):
    """A young person named in a concern: by reference only, whoever is reading."""

    reference = serializers.CharField(source="young_person.reference", read_only=True)

    class Meta:
        model = ConcernYoungPerson
        fields = ["reference", "role"]
        read_only_fields = fields


class ConcernRiskSerializer(serializers.ModelSerializer):
    indicators = serializers.ListField(child=serializers.CharField(), read_only=True)
    indicator_labels = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = ConcernRisk
        fields = ["category", "indicators", "indicator_labels"]
        read_only_fields = fields


class ConcernSerializer(serializers.ModelSerializer):
    place = PlaceSummarySerializer(read_only=True, allow_null=True)
    young_people = ConcernYoungPersonSerializer(source="involved", many=True, read_only=True)
    persons_of_concern: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="reference", many=True, read_only=True
    )
    risks = ConcernRiskSerializer(many=True, read_only=True)
    grading = serializers.CharField(read_only=True, help_text="Source, information, handling")
    recorded_by: serializers.StringRelatedField = serializers.StringRelatedField(read_only=True)
    recording_agency: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="name", read_only=True
    )

    class Meta:
        model = Concern
        fields = [
            "reference",
            "occurred_on",
            "occurred_time",
            "occurred_approximate",
            "place",
            "young_people",
            "persons_of_concern",
            "risks",
            "narrative",
            "grading",
            "source_evaluation",
            "information_assessment",
            "handling_code",
            "handling_conditions",
            "handling_agencies",
            "recorded_at",
            "recorded_by",
            "recording_agency",
        ]
        read_only_fields = fields


# Recording


class InvolvedYoungPersonSerializer(serializers.Serializer):
    reference = young_person_to_record_about_field()
    role = serializers.ChoiceField(choices=InvolvementRole.choices)


class RiskSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=RiskCategory.choices)
    indicators = serializers.ListField(child=serializers.CharField(), required=False, default=list)


class ConcernCreateSerializer(serializers.Serializer):
    """The payload of a new concern. Shape is checked here; meaning by `concern_validate`."""

    occurred_on = serializers.DateField()
    occurred_time = serializers.TimeField(required=False, allow_null=True, default=None)
    occurred_approximate = serializers.BooleanField(required=False, default=False)
    place = VisibleIdField(
        selector=place_list_visible_to,
        allow_null=True,
        help_text="The id of the place where it happened, or null if it had no fixed place. "
        "Always give this key: leaving it out is not the same as saying there was no place.",
        error_messages={
            "required": "Give the id of the place where it happened, or null if it had no fixed "
            "place."
        },
    )
    young_people = InvolvedYoungPersonSerializer(many=True, required=False, default=list)
    persons_of_concern = person_of_concern_reference_field(many=True, required=False, default=list)
    risks = RiskSerializer(many=True)
    narrative = serializers.CharField(allow_blank=True, trim_whitespace=False)
    source_evaluation = serializers.ChoiceField(choices=SourceEvaluation.choices)
    information_assessment = serializers.ChoiceField(choices=InformationAssessment.choices)
    handling_code = serializers.ChoiceField(choices=HandlingCode.choices)
    handling_conditions = serializers.CharField(required=False, allow_blank=True, default="")
    handling_agencies = VisibleIdField(
        selector=agency_list_visible_to,
        many=True,
        required=False,
        default=list,
        help_text="With handling code C, ids of the agencies the conditions allow to see it",
    )
    link_kind = EnumChoiceField(AssociationKind, required=False, default=AssociationKind.ASSOCIATE)
    link_reliability = EnumChoiceField(Reliability, required=False, default=Reliability.UNCONFIRMED)

    def validate_risks(self, risks: list[dict[str, Any]]) -> list[dict[str, Any]]:
        categories = [r["category"] for r in risks]
        repeated = sorted({c for c in categories if categories.count(c) > 1})
        if repeated:
            raise serializers.ValidationError(
                f"List each kind of harm once: {', '.join(repeated)} is repeated"
            )
        return risks

    def concern_input(self) -> ConcernInput:
        data = self.validated_data
        return ConcernInput(
            occurred_on=data["occurred_on"],
            occurred_time=data["occurred_time"],
            occurred_approximate=data["occurred_approximate"],
            place=data["place"],
            no_fixed_place=data["place"] is None,
            young_people=[(p["reference"], p["role"]) for p in data["young_people"]],
            persons_of_concern=list(data["persons_of_concern"]),
            risks={r["category"]: r["indicators"] for r in data["risks"]},
            narrative=data["narrative"],
            source_evaluation=data["source_evaluation"],
            information_assessment=data["information_assessment"],
            handling_code=data["handling_code"],
            handling_conditions=data["handling_conditions"],
            handling_agencies=list(data["handling_agencies"]),
            link_kind=data["link_kind"],
            link_reliability=data["link_reliability"],
        )


@extend_schema_view(
    create=extend_schema(request=ConcernCreateSerializer, responses={201: ConcernSerializer}),
)
class ConcernViewSet(
    AuditedListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Concerns: what someone saw, heard or was told, graded for reliability and handling."""

    serializer_class = ConcernSerializer
    lookup_field = "reference"
    required_permissions = {
        "list": ANY_CONCERN_VIEW,
        "retrieve": ANY_CONCERN_VIEW,
        "create": "concerns.add_concern",
    }

    def get_queryset(self) -> QuerySet[Concern]:
        return concern_detail_prefetch(concern_list_visible_to(user=self.request.user))

    def get_object(self) -> Concern:
        with refused_as(self.request, "concerns.concern", self.kwargs["reference"]):
            concern = get_or_404(
                concern_get_visible_to, user=self.request.user, reference=self.kwargs["reference"]
            )
        self.check_object_permissions(self.request, concern)
        return concern  # type: ignore[return-value]

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        concern = self.get_object()
        audit_read(request, concern)
        return Response(self.get_serializer(concern).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = ConcernCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        with service_errors():
            concern = concern_record(actor=request.user, data=payload.concern_input())
        return Response(self.get_serializer(concern).data, status=status.HTTP_201_CREATED)


# Associations


class AssociationSerializer(serializers.ModelSerializer):
    """A link between people, with where it came from and how far it can be relied on."""

    young_person = young_person_reference_field()
    other_young_person = young_person_reference_field(required=False, allow_null=True)
    person_of_concern = person_of_concern_reference_field(required=False, allow_null=True)
    kind = EnumChoiceField(AssociationKind)
    reliability = EnumChoiceField(Reliability)
    reliability_in_words = serializers.CharField(read_only=True)
    is_expired = serializers.BooleanField(
        read_only=True, help_text="Past its review-by date: no longer evidence"
    )
    source_concerns: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="reference", many=True, read_only=True
    )
    source_concern = VisibleReferenceField(
        getter=concern_get_visible_to,
        noun="concern",
        example="CN-7F3KQ",
        write_only=True,
        required=False,
        allow_null=True,
        help_text="The concern this link came from, if any",
    )
    source_note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=300,
        help_text="Where the link came from; needed when there is no source concern",
    )
    seen_on = serializers.DateField(write_only=True, help_text="When the link was seen")
    review_by = serializers.DateField(required=False, allow_null=True)
    recording_agency: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="name", read_only=True
    )

    class Meta:
        model = Association
        fields = [
            "id",
            "young_person",
            "other_young_person",
            "person_of_concern",
            "kind",
            "reliability",
            "reliability_in_words",
            "is_expired",
            "source_concerns",
            "source_concern",
            "source_note",
            "seen_on",
            "first_seen",
            "last_seen",
            "review_by",
            "recording_agency",
            "created_at",
        ]
        read_only_fields = ["id", "first_seen", "last_seen", "created_at"]
        # `association_record` strengthens an existing link rather than refusing a duplicate,
        # so DRF's unique-together validators (and their queries) do not apply.
        validators: list[Any] = []


@extend_schema_view(create=extend_schema(responses={201: AssociationSerializer}))
class AssociationViewSet(
    AuditedListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Links between young people, and between young people and persons of concern."""

    serializer_class = AssociationSerializer
    lookup_value_regex = r"\d+"
    required_permissions = {
        "list": ANY_ASSOCIATION_VIEW,
        "retrieve": ANY_ASSOCIATION_VIEW,
        "create": "concerns.add_association",
    }

    def get_queryset(self) -> QuerySet[Association]:
        return association_list_visible_to(user=self.request.user).prefetch_related(
            "recording_agency"
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = self.get_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        with service_errors(other=api_settings.NON_FIELD_ERRORS_KEY):
            link = association_record(
                actor=request.user,
                young_person=data["young_person"],
                other_young_person=data.get("other_young_person"),
                person_of_concern=data.get("person_of_concern"),
                kind=data["kind"],
                reliability=data["reliability"],
                seen_on=data["seen_on"],
                source_concern=data.get("source_concern"),
                source_note=data.get("source_note", ""),
                review_by=data.get("review_by"),
            )
        # Read back as the user may see it: only the source concerns their handling covers.
        link = self.get_queryset().get(pk=link.pk)
        return Response(self.get_serializer(link).data, status=status.HTTP_201_CREATED)


# A young person's chronology and links. They sit under /api/young-people/<reference>/ beside the
# record itself, but they are concerns and associations, so they are read here.


class _YoungPersonListView(AuditedListMixin, generics.ListAPIView):
    """A list about one young person: refused as not found unless the user may see them, and
    audited once per request, whatever else (the browsable API's forms) reads the queryset."""

    what = ""
    person: YoungPerson | None = None

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        person = get_or_404(
            young_person_get_visible_to, user=request.user, reference=self.kwargs["reference"]
        )
        assert isinstance(person, YoungPerson)  # noqa: S101 (for the type checker)
        audit_read(request, person, what=self.what)
        self.person = person
        return super().list(request, *args, **kwargs)


class YoungPersonConcernsView(_YoungPersonListView):
    """The young person's chronology: concerns the user may see, newest first."""

    required_permissions = {"GET": ANY_CONCERN_VIEW}
    serializer_class = ConcernSerializer
    what = "concerns"

    @extend_schema(operation_id="young_people_concerns_list", tags=["young-people"])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Concern]:
        if self.person is None:
            return Concern.objects.none()
        return concern_list_for_young_person(user=self.request.user, young_person=self.person)


class YoungPersonAssociationsView(_YoungPersonListView):
    """The young person's links, most recently seen first. Expired links say so."""

    required_permissions = {"GET": ANY_ASSOCIATION_VIEW}
    serializer_class = AssociationSerializer
    what = "associations"

    @extend_schema(operation_id="young_people_associations_list", tags=["young-people"])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Association]:
        if self.person is None:
            return Association.objects.none()
        return association_list_for_young_person(user=self.request.user, young_person=self.person)
