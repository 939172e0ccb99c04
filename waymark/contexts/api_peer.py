"""Peer groups, peer maps, key connections, saved peer groups and early warnings, over the API.

Thin, like every `api.py`: `peer_selectors` reads, `peer_services` and `peer_alerts` write.
Young people appear by pseudonymous reference only, never by name; persons of concern by
reference too. Every link carries its kind, reliability, source, dates and review-by date, and
a link past its review-by date is left out. Strengths and own words are returned only for
members the user may see, and each such read is audited.
"""

from typing import Any

from django.db.models import Prefetch, QuerySet, TextChoices
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from waymark.audit.api import audit_read
from waymark.audit.services import audit_record_many
from waymark.concerns.models import AssociationKind
from waymark.concerns.taxonomy import RiskCategory
from waymark.core.api import EnumChoiceField, get_or_404, service_errors
from waymark.core.models import Reliability
from waymark.core.references import reference_normalise
from waymark.people.models import YoungPerson
from waymark.people.selectors import young_person_get_visible_to

from .models import (
    DetectedGroup,
    PeerAlert,
    PeerAlertKind,
    PeerGroup,
    PeerGroupMember,
    Vulnerability,
)
from .peer_alerts import peer_alert_acknowledge, peer_alert_list_for
from .peer_map import CO_INVOLVEMENT, CO_INVOLVEMENT_LABEL, group_network, young_person_network
from .peer_network import peer_groups_refresh
from .peer_selectors import (
    GroupProfile,
    detected_group_get_visible_to,
    detected_group_list_visible_to,
    detected_group_profile,
    group_summaries,
    key_connections_for,
    peer_group_list_visible_to,
    peer_group_profile,
)
from .peer_services import DESCRIPTION_MAX_LENGTH, NAME_MAX_LENGTH, peer_group_save


class PeerNodeKind(TextChoices):
    YOUNG_PERSON = "young_person", "Young person"
    PERSON_OF_CONCERN = "person_of_concern", "Person of concern"


# The kinds of link on a peer map: every kind of association, and co-involvement.
PeerLinkKind = TextChoices(  # type: ignore[call-overload]
    "PeerLinkKind",
    [(k.name, (k.value, k.label)) for k in AssociationKind]
    + [("CO_INVOLVEMENT", (CO_INVOLVEMENT, CO_INVOLVEMENT_LABEL))],
)


class LineStyle(TextChoices):
    SOLID = "solid", "Solid: confirmed"
    DASHED = "dashed", "Dashed: tentative"
    DOTTED = "dotted", "Dotted: unconfirmed"


def _audit_shown(request: Request, people: list[YoungPerson]) -> None:
    """Strengths and own words are personal data: one event per young person returned."""
    unique = {p.pk: p for p in people}
    if unique:
        audit_record_many(
            actor=request.user,
            action="view",
            objs=[unique[pk] for pk in sorted(unique)],
            purpose=f"API {request.method} {request.path}"[:500],
        )


# --- serializers ---------------------------------------------------------------------------


class GroupSummarySerializer(serializers.Serializer):
    number = serializers.IntegerField(source="group.number")
    vulnerability = EnumChoiceField(Vulnerability, source="group.vulnerability")
    reasons = serializers.ListField(
        child=serializers.CharField(), source="group.reasons", help_text="The facts behind it"
    )
    size = serializers.IntegerField(help_text="Members")
    age_min = serializers.IntegerField(allow_null=True)
    age_max = serializers.IntegerField(allow_null=True)
    open_exploitation = serializers.IntegerField(
        help_text="Members with a concern about exploitation in the last six months"
    )
    schools = serializers.IntegerField(help_text="Schools the members attend")
    persons_of_concern = serializers.IntegerField(help_text="Linked to members now")
    flagged_persons_of_concern = serializers.IntegerField(help_text="Of them, with current flags")
    first_detected = serializers.DateTimeField(source="group.first_detected.computed_at")
    last_detected = serializers.DateTimeField(source="group.last_detected.computed_at")


class SchoolCountSerializer(serializers.Serializer):
    name = serializers.CharField()
    members = serializers.IntegerField()

    def to_representation(self, instance: Any) -> dict[str, Any]:
        name, members = instance
        return {"name": name, "members": members}


class CategoryCountSerializer(serializers.Serializer):
    category = EnumChoiceField(RiskCategory)
    # Declared fields are lifted off the class by the serializer's metaclass: no clash with
    # Field.label or Field.source at run time.
    label = serializers.CharField()  # type: ignore[assignment]
    concerns = serializers.IntegerField(help_text="Distinct concerns about members")
    members = serializers.IntegerField(help_text="Members with at least one")


class PlaceCountSerializer(serializers.Serializer):
    place = serializers.IntegerField(source="place_id")
    name = serializers.CharField()
    concerns = serializers.IntegerField()


class LinkedPersonOfConcernSerializer(serializers.Serializer):
    reference = serializers.CharField()
    flags = serializers.ListField(child=serializers.CharField(), help_text="Current flags")
    members = serializers.IntegerField(help_text="Members with a current link to them")


class MemberStrengthsSerializer(serializers.Serializer):
    reference = serializers.CharField(source="person.reference")
    strengths = serializers.CharField()
    own_words = serializers.CharField()


class GroupProfileSerializer(serializers.Serializer):
    size = serializers.IntegerField()
    members = serializers.SerializerMethodField(help_text="References of the members")
    age_min = serializers.IntegerField(allow_null=True)
    age_max = serializers.IntegerField(allow_null=True)
    schools = SchoolCountSerializer(many=True)
    school_not_recorded = serializers.IntegerField()
    concerns_by_category = CategoryCountSerializer(many=True, source="categories")
    open_exploitation = serializers.IntegerField()
    open_exploitation_share = serializers.FloatField()
    places = PlaceCountSerializer(many=True)
    persons_of_concern = LinkedPersonOfConcernSerializer(many=True)
    vulnerability = EnumChoiceField(Vulnerability)
    reasons = serializers.ListField(child=serializers.CharField())
    strengths = MemberStrengthsSerializer(many=True, help_text="Only for members the user may see")
    strengths_not_shown = serializers.IntegerField(
        help_text="Members whose strengths stay with the agencies involved with them"
    )
    concerns_since = serializers.DateField(source="window_start")

    def get_members(self, profile: GroupProfile) -> list[str]:
        return sorted(m.reference for m in profile.members)


class NodeSerializer(serializers.Serializer):
    id = serializers.CharField()
    reference = serializers.CharField()
    kind = EnumChoiceField(PeerNodeKind)
    group = serializers.IntegerField(allow_null=True, help_text="Detected group now")
    flags = serializers.ListField(child=serializers.CharField())
    focus = serializers.BooleanField(help_text="The young person whose network this is")
    steps = serializers.IntegerField(allow_null=True)


class LinkSourceSerializer(serializers.Serializer):
    concern = serializers.CharField(
        allow_null=True, help_text="A concern's reference, when the user may see it"
    )
    description = serializers.CharField(source="label")

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["concern"] = data["concern"] or None
        return data


class LinkSerializer(serializers.Serializer):
    id = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]
    target = serializers.CharField()
    kind = EnumChoiceField(PeerLinkKind)
    reliability = EnumChoiceField(Reliability)
    line_style = EnumChoiceField(LineStyle)
    sources = LinkSourceSerializer(many=True)
    first_seen = serializers.DateField()
    last_seen = serializers.DateField()
    review_by = serializers.DateField()


class NetworkSerializer(serializers.Serializer):
    nodes = NodeSerializer(many=True)
    links = LinkSerializer(many=True)
    not_shown = serializers.IntegerField(help_text="People two steps away left out")


class GroupDetailSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    active = serializers.BooleanField(help_text="Found by the latest detection")
    profile = GroupProfileSerializer()
    nodes = NodeSerializer(many=True)
    links = LinkSerializer(many=True)


class BridgeSerializer(serializers.Serializer):
    reference = serializers.CharField(source="person.reference")
    group = serializers.IntegerField(allow_null=True)
    linked_groups = serializers.ListField(child=serializers.IntegerField())
    betweenness = serializers.FloatField()


class PersonOfConcernBridgeSerializer(serializers.Serializer):
    reference = serializers.CharField()
    flags = serializers.ListField(child=serializers.CharField())
    groups = serializers.ListField(child=serializers.IntegerField())
    young_people = serializers.IntegerField()


class KeyConnectionsSerializer(serializers.Serializer):
    young_people = BridgeSerializer(many=True)
    persons_of_concern = PersonOfConcernBridgeSerializer(many=True)


class SavedPeerGroupSerializer(serializers.ModelSerializer):
    detected_group = serializers.IntegerField(
        source="detected_group.number", allow_null=True, default=None
    )
    members = serializers.SerializerMethodField()
    created_by = serializers.CharField(source="created_by.username", default=None)
    created_by_agency = serializers.CharField(source="created_by_agency.name", default=None)

    class Meta:
        model = PeerGroup
        fields = [
            "reference",
            "name",
            "description",
            "detected_group",
            "members",
            "created_at",
            "created_by",
            "created_by_agency",
        ]
        read_only_fields = fields

    def get_members(self, group: PeerGroup) -> list[str]:
        return sorted(m.young_person.reference for m in group.memberships.all())


class SavedPeerGroupDetailSerializer(SavedPeerGroupSerializer):
    profile = serializers.SerializerMethodField()

    class Meta(SavedPeerGroupSerializer.Meta):
        fields = [*SavedPeerGroupSerializer.Meta.fields, "profile"]
        read_only_fields = fields

    @extend_schema_field(GroupProfileSerializer)
    def get_profile(self, group: PeerGroup) -> dict[str, Any]:
        # Worked out by the view, for the user asking: strengths only for members they may see.
        return dict(GroupProfileSerializer(self.context["profile"]).data)


class SavedPeerGroupCreateSerializer(serializers.Serializer):
    detected_group = serializers.IntegerField(help_text="The number of a current detected group")
    name = serializers.CharField(
        max_length=NAME_MAX_LENGTH,
        help_text="Name it by where or how the group meets, never after a child",
        error_messages={
            "required": "Enter a name for the peer group",
            "blank": "Enter a name for the peer group",
            "max_length": f"The name must be {NAME_MAX_LENGTH} characters or fewer",
        },
    )
    description = serializers.CharField(
        max_length=DESCRIPTION_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        error_messages={
            "max_length": f"The description must be {DESCRIPTION_MAX_LENGTH} characters or fewer"
        },
    )

    def validate_detected_group(self, number: int) -> DetectedGroup:
        user = self.context["request"].user
        found = detected_group_list_visible_to(user=user).filter(number=number).first()
        if found is None:
            raise serializers.ValidationError(f"No current detected group has the number {number}")
        return found


class PeerAlertSerializer(serializers.ModelSerializer):
    young_person = serializers.CharField(source="young_person.reference")
    kind = EnumChoiceField(PeerAlertKind)
    detected_group = serializers.IntegerField(
        source="detected_group.number", allow_null=True, default=None
    )
    person_of_concern = serializers.CharField(
        source="person_of_concern.reference", allow_null=True, default=None
    )

    class Meta:
        model = PeerAlert
        fields = [
            "id",
            "young_person",
            "kind",
            "reason",
            "detected_group",
            "person_of_concern",
            "created_at",
            "acknowledged_at",
            "acknowledged_note",
        ]
        read_only_fields = fields


class AcknowledgeSerializer(serializers.Serializer):
    note = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default="", help_text="What you did"
    )


class GroupFilterSerializer(serializers.Serializer):
    vulnerability = EnumChoiceField(Vulnerability, required=False)


# --- views ---------------------------------------------------------------------------------

FIELD_ERRORS = OpenApiResponse(
    {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    description="What is wrong, under the name of each field (or non_field_errors)",
)
VULNERABILITY_PARAMETER = OpenApiParameter(
    "vulnerability",
    {"type": "string", "enum": Vulnerability.values},
    OpenApiParameter.QUERY,
    description="Only groups of this vulnerability",
)


class PeerGroupListView(GenericAPIView):
    """The groups found by the latest detection, most vulnerable first, then largest."""

    required_permissions = {"GET": "contexts.view_peer_network"}
    serializer_class = GroupSummarySerializer

    @extend_schema(
        operation_id="peer_groups_list",
        parameters=[VULNERABILITY_PARAMETER],
        responses={200: GroupSummarySerializer(many=True), 400: FIELD_ERRORS},
    )
    def get(self, request: Request) -> Response:
        query = GroupFilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        peer_groups_refresh()
        groups = detected_group_list_visible_to(user=request.user).select_related(
            "first_detected", "last_detected"
        )
        if query.validated_data.get("vulnerability"):
            groups = groups.filter(vulnerability=query.validated_data["vulnerability"])
        summaries = sorted(
            group_summaries(groups=list(groups)),
            key=lambda s: (-s.vulnerability_rank, -s.size, s.group.number),
        )
        page: list[Any] | None = self.paginate_queryset(summaries)  # type: ignore[arg-type]
        return self.get_paginated_response(GroupSummarySerializer(page, many=True).data)


class PeerGroupDetailView(GenericAPIView):
    """A detected group: its profile, and its peer map as nodes and links."""

    required_permissions = {"GET": "contexts.view_peer_network"}
    serializer_class = GroupDetailSerializer

    @extend_schema(operation_id="peer_groups_retrieve", responses=GroupDetailSerializer)
    def get(self, request: Request, number: int) -> Response:
        peer_groups_refresh()
        group = get_or_404(detected_group_get_visible_to, user=request.user, number=number)
        assert isinstance(group, DetectedGroup)  # noqa: S101 (for the type checker)
        profile = detected_group_profile(user=request.user, group=group)
        network = group_network(
            user=request.user, members=[m.young_person.pk for m in profile.members]
        )
        _audit_shown(request, profile.shown)
        return Response(
            GroupDetailSerializer(
                {
                    "number": group.number,
                    "active": group.active,
                    "profile": profile,
                    "nodes": network.nodes,
                    "links": network.links,
                }
            ).data
        )


class PeerGroupKeyConnectionsView(GenericAPIView):
    """Young people whose links reach two or more groups, strongest broker first; and persons
    of concern linked to children in two or more groups (targets for disruption)."""

    required_permissions = {"GET": "contexts.view_peer_network"}
    serializer_class = KeyConnectionsSerializer

    @extend_schema(operation_id="peer_groups_key_connections", responses=KeyConnectionsSerializer)
    def get(self, request: Request) -> Response:
        found = key_connections_for(user=request.user, limit=None)
        return Response(KeyConnectionsSerializer(found).data)


class YoungPersonNetworkView(GenericAPIView):
    """Everyone within two links of a young person the user may see, and the links that reach
    them. Other young people appear by reference; links between two people both two steps away
    are left out."""

    required_permissions = {"GET": "contexts.view_peer_network"}
    serializer_class = NetworkSerializer

    @extend_schema(operation_id="young_people_network", responses=NetworkSerializer)
    def get(self, request: Request, reference: str) -> Response:
        person = get_or_404(young_person_get_visible_to, user=request.user, reference=reference)
        assert isinstance(person, YoungPerson)  # noqa: S101 (for the type checker)
        audit_read(request, person, what="network")
        peer_groups_refresh()
        network = young_person_network(user=request.user, young_person=person)
        return Response(NetworkSerializer(network).data)


@extend_schema_view(
    create=extend_schema(
        request=SavedPeerGroupCreateSerializer,
        responses={201: SavedPeerGroupSerializer, 400: FIELD_ERRORS},
    ),
    retrieve=extend_schema(responses=SavedPeerGroupDetailSerializer),
)
class SavedPeerGroupViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Peer groups saved as contexts, by reference. A saved group keeps the members it had."""

    lookup_field = "reference"
    queryset = PeerGroup.objects.none()
    serializer_class = SavedPeerGroupSerializer
    required_permissions = {
        "list": "contexts.view_peergroup",
        "retrieve": "contexts.view_peergroup",
        "create": "contexts.add_peergroup",
    }

    def get_queryset(self) -> QuerySet[PeerGroup]:
        # References only: the members' names are never read here.
        members = PeerGroupMember.objects.select_related("young_person").only(
            "peer_group_id", "young_person__reference"
        )
        return (
            peer_group_list_visible_to(user=self.request.user)
            .prefetch_related(Prefetch("memberships", queryset=members))
            .order_by("name", "reference")
        )

    def get_object(self) -> PeerGroup:
        reference = reference_normalise(self.kwargs["reference"])
        group = self.get_queryset().filter(reference=reference).first()
        if group is None:
            raise NotFound("No saved peer group has that reference")
        return group

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        group = self.get_object()
        profile = peer_group_profile(user=request.user, peer_group=group)
        _audit_shown(request, profile.shown)
        return Response(SavedPeerGroupDetailSerializer(group, context={"profile": profile}).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = SavedPeerGroupCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        payload.is_valid(raise_exception=True)
        with service_errors():
            group = peer_group_save(actor=request.user, **payload.validated_data)
        return Response(SavedPeerGroupSerializer(group).data, status=status.HTTP_201_CREATED)


INCLUDE_ACKNOWLEDGED = OpenApiParameter(
    "include_acknowledged",
    OpenApiTypes.BOOL,
    description="Also list alerts already acknowledged",
)


@extend_schema_view(list=extend_schema(parameters=[INCLUDE_ACKNOWLEDGED]))
class PeerAlertViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Early warnings sent to the user's agency: a new link drawing a young person towards a
    group at high risk, or towards a person of concern with current flags. Newest first."""

    queryset = PeerAlert.objects.none()
    serializer_class = PeerAlertSerializer
    required_permissions = {
        "list": "contexts.view_peeralert",
        "acknowledge": "contexts.change_peeralert",
    }

    def get_queryset(self) -> QuerySet[PeerAlert]:
        include = self.request.query_params.get("include_acknowledged", "") in ("true", "1")
        return peer_alert_list_for(user=self.request.user, include_acknowledged=include)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset()) or []
        audit_record_many(
            actor=request.user,
            action="view",
            objs=[alert.young_person for alert in page],
            purpose=f"API {request.method} {request.path}"[:500],
        )
        return self.get_paginated_response(PeerAlertSerializer(page, many=True).data)

    @extend_schema(
        request=AcknowledgeSerializer, responses={200: PeerAlertSerializer, 400: FIELD_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str) -> Response:
        """Mark an open alert as seen and acted on, with what you did."""
        alert = (
            peer_alert_list_for(user=request.user).filter(pk=pk).first() if pk.isdigit() else None
        )
        if alert is None:
            raise NotFound("No open alert with that id for your agency")
        payload = AcknowledgeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        with service_errors():
            alert = peer_alert_acknowledge(
                actor=request.user, alert=alert, note=payload.validated_data["note"]
            )
        return Response(PeerAlertSerializer(alert).data)
