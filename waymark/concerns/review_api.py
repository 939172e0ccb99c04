"""The API of recording is not reading (ADR 0010): notices of new information from agencies not
involved, and the links held for an involved agency's review. Young people by reference only."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from waymark.audit.services import audit_record_many
from waymark.core.api import EnumChoiceField, service_errors
from waymark.core.models import Reliability

from .models import Association, AssociationKind, AssociationReview, ConcernNotice
from .selectors import association_list_held_for_review_by, concern_notice_list_visible_to
from .services import association_review, concern_notice_dismiss

FIELD_ERRORS = OpenApiResponse(
    {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    description="What is wrong, under the name of each field (or non_field_errors)",
)


class ConcernNoticeSerializer(serializers.ModelSerializer):
    young_person: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="reference", read_only=True
    )
    concern: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="reference", read_only=True
    )
    recording_agency = serializers.CharField(source="concern.recording_agency.name")
    text = serializers.CharField()

    class Meta:
        model = ConcernNotice
        fields = ["id", "text", "young_person", "concern", "recording_agency", "created_at"]
        read_only_fields = fields


class ConcernNoticeViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """New information about young people your agency is involved with, recorded by agencies that
    are not: "New information from <agency> about YP-…". Newest first; dismissed ones are left
    out."""

    queryset = ConcernNotice.objects.none()
    serializer_class = ConcernNoticeSerializer
    required_permissions = {
        "list": "concerns.view_concernnotice",
        "dismiss": "concerns.change_concernnotice",
    }

    def get_queryset(self) -> QuerySet[ConcernNotice]:
        return concern_notice_list_visible_to(user=self.request.user)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset()) or []
        audit_record_many(
            actor=request.user,
            action="view",
            objs=page,
            purpose=f"API {request.method} {request.path}"[:500],
        )
        return self.get_paginated_response(ConcernNoticeSerializer(page, many=True).data)

    @extend_schema(request=None, responses={200: ConcernNoticeSerializer})
    @action(detail=True, methods=["post"])
    def dismiss(self, request: Request, pk: str) -> Response:
        """Mark a notice sent to your agency as read."""
        notice = self.get_queryset().filter(pk=pk).first() if pk.isdigit() else None
        if notice is None:
            raise NotFound("No notice for your agency has that id")
        with service_errors():
            notice = concern_notice_dismiss(actor=request.user, notice=notice)
        return Response(ConcernNoticeSerializer(notice).data)


class HeldLinkSerializer(serializers.ModelSerializer):
    kind = EnumChoiceField(AssociationKind, read_only=True)
    reliability = EnumChoiceField(Reliability, read_only=True)
    review_state = EnumChoiceField(AssociationReview, read_only=True)
    young_person: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="reference", read_only=True
    )
    other_young_person: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="reference", read_only=True
    )
    person_of_concern: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="reference", read_only=True
    )
    source_concerns: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="reference", many=True, read_only=True
    )
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
            "first_seen",
            "last_seen",
            "source_concerns",
            "recording_agency",
            "review_state",
        ]
        read_only_fields = fields


class LinkReviewSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[("accept", "Accept"), ("reject", "Reject")])
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class HeldLinkViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Links held for your agency's review: made by concerns recorded by an agency not involved
    with a young person your agency works with. They take no effect until accepted."""

    queryset = Association.objects.none()
    serializer_class = HeldLinkSerializer
    required_permissions = {
        "list": "concerns.review_association",
        "retrieve": "concerns.review_association",
        "review": "concerns.review_association",
    }

    def get_queryset(self) -> QuerySet[Association]:
        return association_list_held_for_review_by(user=self.request.user)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset()) or []
        audit_record_many(
            actor=request.user,
            action="view",
            objs=page,
            purpose=f"API {request.method} {request.path}"[:500],
        )
        return self.get_paginated_response(HeldLinkSerializer(page, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        link = self.get_object()
        audit_record_many(
            actor=request.user,
            action="view",
            objs=[link],
            purpose=f"API {request.method} {request.path}"[:500],
        )
        return Response(HeldLinkSerializer(link).data)

    @extend_schema(
        request=LinkReviewSerializer, responses={200: HeldLinkSerializer, 400: FIELD_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str) -> Response:
        """Accept the link (it takes effect, and raises its early warnings, now) or reject it,
        saying why."""
        link = self.get_queryset().filter(pk=pk).first() if pk.isdigit() else None
        if link is None:
            raise NotFound("No link held for your agency's review has that id")
        payload = LinkReviewSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        with service_errors():
            association_review(
                actor=request.user,
                association=link,
                accept=payload.validated_data["decision"] == "accept",
                note=payload.validated_data["note"],
            )
        # The link as reviewed: in effect, merged into the link already in effect, or rejected.
        link.refresh_from_db()
        return Response(HeldLinkSerializer(link).data)
