"""The partner register in the API: partners, and under each its contacts, the places it guards,
its training records and the actions it owns across every case.

Reading a partner's contacts is written to the audit trail. Writes go through the services, which
let only the agency that owns the relationship change a partner.
"""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from waymark.casework.models import Partner, PartnerKind
from waymark.core.api import service_errors

from .selectors import (
    guardianship_list_for,
    partner_actions,
    partner_contacts_read,
    partner_list_visible_to,
    partner_search,
    training_list_for,
)
from .serializers import (
    GuardianshipSerializer,
    PartnerActionSerializer,
    PartnerContactSerializer,
    PartnerSerializer,
    PartnerWriteSerializer,
    TrainingRecordSerializer,
)
from .services import (
    guardianship_add,
    partner_contact_add,
    partner_create,
    partner_update,
    training_record_add,
)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("kind", OpenApiTypes.STR, enum=PartnerKind.values),
            OpenApiParameter("q", OpenApiTypes.STR, description="Words in the partner's name"),
        ]
    ),
    create=extend_schema(request=PartnerWriteSerializer, responses={201: PartnerSerializer}),
    update=extend_schema(request=PartnerWriteSerializer, responses=PartnerSerializer),
    partial_update=extend_schema(request=PartnerWriteSerializer, responses=PartnerSerializer),
)
class PartnerViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Partner organisations that carry out actions in context plans."""

    lookup_value_regex = r"\d+"
    required_permissions = {
        "list": "casework.view_partner",
        "retrieve": "casework.view_partner",
        "create": "casework.add_partner",
        "update": "casework.change_partner",
        "partial_update": "casework.change_partner",
        "contacts": "casework.view_partnercontact",
        "guardianships": "casework.view_partner",
        "training": "casework.view_partner",
        "actions": "casework.view_contextcase",  # and the partner visible (view_partner)
    }

    def get_queryset(self) -> QuerySet[Partner]:
        user = self.request.user
        kind = self.request.query_params.get("kind", "")
        if kind and kind not in PartnerKind.values:
            raise ValidationError({"kind": [f"'{kind}' is not a kind of partner"]})
        if self.action == "list":
            query = self.request.query_params.get("q", "")
            return partner_search(user=user, query=query, kind=kind)
        return partner_list_visible_to(user=user)

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action in ("create", "update", "partial_update"):
            return PartnerWriteSerializer
        return PartnerSerializer

    def _answer(self, partner: Partner, code: int = status.HTTP_200_OK) -> Response:
        return Response(
            PartnerSerializer(partner, context=self.get_serializer_context()).data, status=code
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = PartnerWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        with service_errors():
            partner = partner_create(actor=request.user, **payload.validated_data)
        return self._answer(partner, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        partner = self.get_object()
        payload = PartnerWriteSerializer(data=request.data, partial=kwargs.get("partial", False))
        payload.is_valid(raise_exception=True)
        with service_errors():
            partner = partner_update(actor=request.user, partner=partner, **payload.validated_data)
        return self._answer(partner)

    def _nested(
        self,
        request: Request,
        *,
        serializer: type[serializers.ModelSerializer],
        read: Any,
        add: Any,
    ) -> Response:
        """List a partner's records (GET), or add one through its service (POST)."""
        partner = self.get_object()
        context = self.get_serializer_context()
        if request.method == "POST":
            payload = serializer(data=request.data, context=context)
            payload.is_valid(raise_exception=True)
            with service_errors():
                made = add(partner, payload.validated_data)
            return Response(serializer(made, context=context).data, status=status.HTTP_201_CREATED)
        return Response(serializer(read(partner), many=True, context=context).data)

    @extend_schema(methods=["GET"], responses=PartnerContactSerializer(many=True), request=None)
    @extend_schema(
        methods=["POST"],
        request=PartnerContactSerializer,
        responses={201: PartnerContactSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def contacts(self, request: Request, pk: str) -> Response:
        """The people at the partner (reading them is audited), or add one. Only the agency that
        owns the relationship may add contacts."""
        return self._nested(
            request,
            serializer=PartnerContactSerializer,
            read=lambda partner: partner_contacts_read(
                user=request.user,
                partner=partner,
                purpose=f"API {request.method} {request.path}"[:500],
            ),
            add=lambda partner, data: partner_contact_add(
                actor=request.user, partner=partner, **data
            ),
        )

    @extend_schema(methods=["GET"], responses=GuardianshipSerializer(many=True), request=None)
    @extend_schema(
        methods=["POST"], request=GuardianshipSerializer, responses={201: GuardianshipSerializer}
    )
    @action(detail=True, methods=["get", "post"])
    def guardianships(self, request: Request, pk: str) -> Response:
        """The places the partner is a guardian of, with the hours it is present, or add one."""
        return self._nested(
            request,
            serializer=GuardianshipSerializer,
            read=lambda partner: guardianship_list_for(partner=partner),
            add=lambda partner, data: guardianship_add(actor=request.user, partner=partner, **data),
        )

    @extend_schema(methods=["GET"], responses=TrainingRecordSerializer(many=True), request=None)
    @extend_schema(
        methods=["POST"],
        request=TrainingRecordSerializer,
        responses={201: TrainingRecordSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def training(self, request: Request, pk: str) -> Response:
        """Training the partner's staff received, newest first, or record more. The refresh
        date must be after the training date."""
        return self._nested(
            request,
            serializer=TrainingRecordSerializer,
            read=lambda partner: training_list_for(partner=partner),
            add=lambda partner, data: training_record_add(
                actor=request.user, partner=partner, **data
            ),
        )

    @extend_schema(responses=PartnerActionSerializer(many=True))
    @action(detail=True)
    def actions(self, request: Request, pk: str) -> Response:
        """The actions the partner owns across every case, soonest due first."""
        partner = self.get_object()
        page = self.paginate_queryset(partner_actions(partner=partner)) or []
        return self.get_paginated_response(
            PartnerActionSerializer(page, many=True, context=self.get_serializer_context()).data
        )
