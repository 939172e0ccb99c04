"""Wards and places. Places are visible across the partnership; who was there is not."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from waymark.audit.reads import audit_reads
from waymark.concerns.api import ConcernSerializer
from waymark.concerns.selectors import concern_list_for_place
from waymark.contexts.models import Place, PlaceKind, Ward
from waymark.core.api import ANY_CONCERN_VIEW, service_errors

from .selectors import place_list_visible_to, place_search, ward_list_visible_to
from .serializers import (
    PlaceCreateSerializer,
    PlaceDetailSerializer,
    PlaceSerializer,
    WardSerializer,
)
from .services import place_create


class WardViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = WardSerializer
    lookup_value_regex = r"\d+"
    required_permissions = {"list": "contexts.view_ward", "retrieve": "contexts.view_ward"}

    def get_queryset(self) -> QuerySet[Ward]:
        return ward_list_visible_to(user=self.request.user)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("kind", OpenApiTypes.STR, enum=PlaceKind.values),
            OpenApiParameter("q", OpenApiTypes.STR, description="Name, address or postcode"),
        ]
    ),
    create=extend_schema(request=PlaceCreateSerializer, responses={201: PlaceDetailSerializer}),
)
class PlaceViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Places where children spend time: each a context in its own right."""

    lookup_value_regex = r"\d+"
    required_permissions = {
        "list": "contexts.view_place",
        "retrieve": "contexts.view_place",
        "create": "contexts.add_place",
        "concerns": ANY_CONCERN_VIEW,
    }

    def get_queryset(self) -> QuerySet[Place]:
        user = self.request.user
        query = self.request.query_params.get("q", "").strip()
        places = place_search(user=user, query=query) if query else place_list_visible_to(user=user)
        kind = self.request.query_params.get("kind")
        if kind:
            if kind not in PlaceKind.values:
                raise ValidationError({"kind": [f"'{kind}' is not a kind of place"]})
            places = places.filter(kind=kind)
        return places

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action == "retrieve":
            return PlaceDetailSerializer
        if self.action == "create":
            return PlaceCreateSerializer
        return PlaceSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = PlaceCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        with service_errors():
            place = place_create(actor=request.user, **serializer.validated_data)
        return Response(
            PlaceDetailSerializer(place, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(responses=ConcernSerializer(many=True))
    @action(detail=True)
    def concerns(self, request: Request, pk: str) -> Response:
        """Concerns at this place that the user may see, newest first."""
        place = self.get_object()
        concerns = concern_list_for_place(user=request.user, place=place)
        page = self.paginate_queryset(concerns) or []
        audit_reads(
            actor=request.user, objs=page, purpose=f"API {request.method} {request.path}"[:500]
        )
        return self.get_paginated_response(
            ConcernSerializer(page, many=True, context=self.get_serializer_context()).data
        )
