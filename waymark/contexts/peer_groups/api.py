"""Peer groups, peer maps, key connections, saved peer groups and early warnings, over the API.

Thin, like every `api.py`: `selectors` reads, `services` and `alerts` write; the answers
are shaped in `serializers`.
Young people appear by pseudonymous reference only, never by name; persons of concern by
reference too. Every link carries its kind, reliability, source, dates and review-by date, and
a link past its review-by date is left out. Strengths and own words are returned only for
members the user may see, and each such read is audited.
"""

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from waymark.accounts.refusals import access_refused
from waymark.audit.api import audit_read
from waymark.audit.services import audit_record_many
from waymark.contexts.models import (
    DetectedGroup,
    PeerAlert,
    PeerGroup,
    PeerGroupMember,
    Vulnerability,
)
from waymark.core.api import get_or_404, service_errors
from waymark.core.references import reference_normalise
from waymark.people.models import YoungPerson
from waymark.people.selectors import young_person_get_visible_to

from .alerts import peer_alert_acknowledge, peer_alert_list_for
from .network import peer_groups_refresh
from .peer_map import group_network, young_person_network
from .selectors import (
    detected_group_get_visible_to,
    detected_group_list_visible_to,
    detected_group_profile,
    group_summaries,
    key_connections_for,
    peer_group_list_visible_to,
    peer_group_profile,
)
from .serializers import (
    AcknowledgeSerializer,
    GroupDetailSerializer,
    GroupFilterSerializer,
    GroupSummarySerializer,
    KeyConnectionsSerializer,
    NetworkSerializer,
    PeerAlertSerializer,
    SavedPeerGroupCreateSerializer,
    SavedPeerGroupDetailSerializer,
    SavedPeerGroupSerializer,
)
from .services import peer_group_save


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


FIELD_ERRORS = OpenApiResponse(
    {"type": "object", "additionalProperties": {}},
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
            group_summaries(user=request.user, groups=list(groups)),
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
            access_refused(self.request, object_type="contexts.peergroup", object_id=reference)
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
