"""Context cases and online spaces over the API: list, retrieve, refer, screen, transfer, link
young people, review and close. Thin: the services write, the selectors read.

Young people are returned by reference only; the case's linked young people are labelled
through the naming primitive, so a viewer who may see none of them gets their count alone.
"""

from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from waymark.accounts.refusals import access_refused
from waymark.casework.models import CaseStatus, ContextCase
from waymark.concerns.selectors import concern_list_visible_to
from waymark.contexts.models import OnlineSpace
from waymark.contexts.peer_groups.selectors import peer_group_get_visible_to
from waymark.core.api import service_errors
from waymark.core.references import reference_normalise
from waymark.core.suppression import count_shown
from waymark.people.selectors import young_person_get_for_recording

from .selectors import (
    context_case_get_visible_to,
    context_case_list_visible_to,
    linked_children_referenced,
    referral_evidence_for,
)
from .serializers import (
    CaseDetailSerializer,
    CaseLinkSerializer,
    CaseSerializer,
    CloseSerializer,
    LinkedSerializer,
    LinkInSerializer,
    OnlineSpaceSerializer,
    ReferSerializer,
    ReviewInSerializer,
    ReviewSerializer,
    ScreeningSerializer,
    ScreenSerializer,
    TransferInSerializer,
    TransferSerializer,
)
from .services import (
    case_link_add,
    context_case_close,
    context_case_refer,
    context_case_screen,
    context_case_transfer,
    online_space_create,
    review_record,
)

FIELD_ERRORS = OpenApiResponse(
    {"type": "object", "additionalProperties": {}},
    description="What is wrong, under the name of each field (or non_field_errors)",
)
VIEW = "casework.view_contextcase"
CHANGE = "casework.change_contextcase"
FILTERS = [
    OpenApiParameter("status", str, enum=CaseStatus.values, description="Only cases in it"),
    OpenApiParameter("subject_kind", str, description="Only contexts of this kind"),
    OpenApiParameter("threshold", str, description="Only cases at this threshold"),
    OpenApiParameter("overdue", bool, description="Only open cases with an overdue review"),
]


def _bad(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def _validated(serializer_class: type, request: Request) -> dict[str, Any]:
    """The payload, validated."""
    payload = serializer_class(data=request.data, context={"request": request})
    payload.is_valid(raise_exception=True)
    # Free text naming a known child is refused by the serializer (NameWarningSerializerMixin).
    data = dict(payload.validated_data)
    data.pop("confirm_names", None)
    return data


@extend_schema_view(
    list=extend_schema(parameters=FILTERS),
    create=extend_schema(
        request=ReferSerializer, responses={201: CaseDetailSerializer, 400: FIELD_ERRORS}
    ),
    retrieve=extend_schema(responses=CaseDetailSerializer),
)
class ContextCaseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Context cases: a place, a peer group, an online space or a neighbourhood as a case."""

    lookup_field = "reference"
    queryset = ContextCase.objects.none()
    serializer_class = CaseSerializer
    required_permissions = {
        "list": VIEW,
        "retrieve": VIEW,
        "create": "casework.add_contextcase",
        "screening": CHANGE,
        "transfer": CHANGE,
        "links": VIEW,
        "reviews": VIEW,
        "close": CHANGE,
    }

    def get_queryset(self) -> QuerySet[ContextCase]:
        cases = context_case_list_visible_to(user=self.request.user).order_by("-created_at", "-id")
        if self.action != "list":
            return cases
        params = self.request.query_params
        for name in ("status", "subject_kind", "threshold"):
            if params.get(name):
                cases = cases.filter(**{name: params[name]})
        if params.get("overdue") in ("true", "1"):
            cases = cases.filter(status=CaseStatus.OPEN, next_review_on__lt=timezone.localdate())
        return cases

    def get_object(self) -> ContextCase:
        reference = reference_normalise(self.kwargs["reference"])
        try:
            return context_case_get_visible_to(user=self.request.user, reference=reference)
        except ObjectDoesNotExist:
            access_refused(self.request, object_type="casework.contextcase", object_id=reference)
            raise NotFound("No context case has that reference") from None

    def _detail(self, case: ContextCase, *, code: int = status.HTTP_200_OK) -> Response:
        user = self.request.user
        evidence = referral_evidence_for(user=user, case=case)
        shown = [c["reference"] for c in evidence.concerns]
        hidden = evidence.hidden
        context = {
            "evidence": (shown, count_shown(hidden) if hidden else 0),
            "linked": linked_children_referenced(user=user, case=case),
        }
        return Response(CaseDetailSerializer(case, context=context).data, status=code)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._detail(self.get_object())

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _validated(ReferSerializer, request)
        user = request.user
        peer_group = None
        if data.pop("peer_group"):
            try:
                peer_group = peer_group_get_visible_to(
                    user=user, reference=request.data["peer_group"]
                )
            except ObjectDoesNotExist:
                raise _bad(
                    "peer_group", "There is no saved peer group with that reference"
                ) from None
        online_space = None
        if reference := data.pop("online_space"):
            online_space = OnlineSpace.objects.filter(
                reference=reference_normalise(reference)
            ).first()
            if online_space is None:
                raise _bad("online_space", "There is no online space with that reference")
        references = [reference_normalise(r) for r in data.pop("concerns")]
        concerns = list(concern_list_visible_to(user=user).filter(reference__in=references))
        missing = sorted(set(references) - {c.reference for c in concerns})
        if missing:
            raise _bad(
                "concerns", f"There is no concern with the reference {missing[0]} that you can see"
            )
        with service_errors():
            case = context_case_refer(
                actor=user,
                peer_group=peer_group,
                peer_group_evidence=peer_group,
                online_space=online_space,
                concerns=concerns,
                **data,
            )
        return self._detail(case, code=status.HTTP_201_CREATED)

    @extend_schema(
        request=ScreenSerializer, responses={201: ScreeningSerializer, 400: FIELD_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def screening(self, request: Request, reference: str) -> Response:
        """Screen the referral: a threshold, or no further action with its reason. Once."""
        case = self.get_object()
        data = _validated(ScreenSerializer, request)
        with service_errors():
            screening = context_case_screen(actor=request.user, case=case, **data)
        return Response(ScreeningSerializer(screening).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=TransferInSerializer, responses={201: TransferSerializer, 400: FIELD_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def transfer(self, request: Request, reference: str) -> Response:
        """Hand the lead to another agency or worker; the history is kept."""
        case = self.get_object()
        data = _validated(TransferInSerializer, request)
        with service_errors():
            transfer = context_case_transfer(actor=request.user, case=case, **data)
        return Response(TransferSerializer(transfer).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"], request=None, responses=LinkedSerializer, description="Linked young people"
    )
    @extend_schema(
        methods=["POST"],
        request=LinkInSerializer,
        responses={201: CaseLinkSerializer, 400: FIELD_ERRORS},
        description="Link a young person to the context, with the reason",
    )
    @action(detail=True, methods=["get", "post"])
    def links(self, request: Request, reference: str) -> Response:
        case = self.get_object()
        if request.method == "GET":
            linked = linked_children_referenced(user=request.user, case=case)
            return Response(
                LinkedSerializer(
                    {
                        "count": linked.count,
                        "young_people": [
                            {
                                "reference": r.reference,
                                "why": list(r.why),
                                "practitioner_reason": r.practitioner_reason,
                            }
                            for r in linked.rows
                        ],
                    }
                ).data
            )
        if not request.user.has_perm(CHANGE):
            raise PermissionDenied
        data = _validated(LinkInSerializer, request)
        try:
            person = young_person_get_for_recording(
                user=request.user, reference=data["young_person"]
            )
        except ObjectDoesNotExist:
            raise _bad("young_person", "There is no young person with that reference") from None
        with service_errors():
            link = case_link_add(
                actor=request.user,
                case=case,
                young_person=person,
                reason=data["reason"],
            )
        return Response(CaseLinkSerializer(link).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], request=None, responses=ReviewSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request=ReviewInSerializer,
        responses={201: ReviewSerializer, 400: FIELD_ERRORS},
    )
    @action(detail=True, methods=["get", "post"])
    def reviews(self, request: Request, reference: str) -> Response:
        """The case's reviews; or record one, with the date of the next."""
        case = self.get_object()
        if request.method == "GET":
            reviews = case.reviews.select_related("reviewed_by").order_by("held_on", "id")
            return Response(ReviewSerializer(reviews, many=True).data)
        if not request.user.has_perm(CHANGE):
            raise PermissionDenied
        data = _validated(ReviewInSerializer, request)
        with service_errors():
            review = review_record(actor=request.user, case=case, **data)
        return Response(ReviewSerializer(review).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CloseSerializer, responses={200: CaseSerializer, 400: FIELD_ERRORS})
    @action(detail=True, methods=["post"])
    def close(self, request: Request, reference: str) -> Response:
        """Close the case with its reason; the outcome reading of the day is kept."""
        case = self.get_object()
        data = _validated(CloseSerializer, request)
        with service_errors():
            case = context_case_close(actor=request.user, case=case, reason=data["reason"])
        return Response(CaseSerializer(case).data)


@extend_schema_view(
    create=extend_schema(responses={201: OnlineSpaceSerializer, 400: FIELD_ERRORS}),
)
class OnlineSpaceViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Online spaces where children meet: contexts described by how they work, not who is in
    them."""

    lookup_field = "reference"
    queryset = OnlineSpace.objects.none()
    serializer_class = OnlineSpaceSerializer
    required_permissions = {
        "list": "contexts.view_onlinespace",
        "retrieve": "contexts.view_onlinespace",
        "create": "contexts.add_onlinespace",
    }

    def get_queryset(self) -> QuerySet[OnlineSpace]:
        return OnlineSpace.objects.order_by("platform", "name", "id")

    def get_object(self) -> OnlineSpace:
        space = (
            self.get_queryset().filter(reference=reference_normalise(self.kwargs["reference"]))
        ).first()
        if space is None:
            raise NotFound("No online space has that reference")
        return space

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = OnlineSpaceSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        with service_errors():
            space = online_space_create(actor=request.user, **payload.validated_data)
        return Response(OnlineSpaceSerializer(space).data, status=status.HTTP_201_CREATED)
