"""Assessments of a context case over the API, nested under /api/cases/<reference>/.

Thin: selectors read, services write. Evidence concerns are listed only where the user may see
them; the others are a count, withheld when it is 1 to 4.
"""

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from waymark.concerns.selectors import concern_list_visible_to
from waymark.core.api import service_errors

from ..models import Assessment, ContextCase
from .selectors import (
    assessment_comparison,
    assessment_evidence,
    assessment_get_for_case,
    assessment_list_for_case,
    context_case_get_for_casework,
    rating_label,
)
from .serializers import (
    AssessmentCreateSerializer,
    AssessmentDetailSerializer,
    AssessmentSerializer,
)
from .services import assessment_record, instrument_for

FIELD_ERRORS = OpenApiResponse(
    {"type": "object", "additionalProperties": {}},
    description="What is wrong, under the name of each field (or non_field_errors)",
)
VIEW = "casework.view_contextcase"
CHANGE = "casework.change_contextcase"


def case_for_api(request: Request, reference: str) -> ContextCase:
    try:
        return context_case_get_for_casework(user=request.user, reference=reference)
    except ContextCase.DoesNotExist:
        raise NotFound("No context case has that reference") from None


def assessment_data(request: Request, assessment: Assessment) -> dict[str, Any]:
    instrument = instrument_for(assessment.case)
    evidence = assessment_evidence(user=request.user, assessment=assessment)
    return {
        "number": assessment.number,
        "kind": assessment.kind,
        "started_on": assessment.started_on,
        "completed_on": assessment.completed_on,
        "methods": assessment.methods,
        "summary": assessment.summary,
        "areas": [
            {
                "area": a.area,
                "title": instrument.area(a.area).title if a.area in instrument.keys else a.area,
                "findings": a.findings,
                "strengths": a.strengths,
                "concerns": a.concerns,
                "rating": a.rating,
                "rating_label": rating_label(instrument.scale, a.rating),
            }
            for a in assessment.areas.all()
        ],
        "voices": [
            {"quote": v.quote, "attributed_to": v.attributed_to} for v in assessment.voices.all()
        ],
        "concerns": [c.reference for c in evidence.shown],
        "concerns_not_shown": evidence.others if evidence.has_others else 0,
    }


class AssessmentListView(GenericAPIView):
    """The case's assessments, first to latest; and recording a new one."""

    required_permissions = {"GET": VIEW, "POST": CHANGE}
    serializer_class = AssessmentSerializer

    @extend_schema(operation_id="cases_assessments_list", responses=AssessmentSerializer(many=True))
    def get(self, request: Request, reference: str) -> Response:
        case = case_for_api(request, reference)
        found = assessment_list_for_case(user=request.user, case=case).prefetch_related("voices")
        return Response(
            AssessmentSerializer([assessment_data(request, a) for a in found], many=True).data
        )

    @extend_schema(
        operation_id="cases_assessments_create",
        request=AssessmentCreateSerializer,
        responses={201: AssessmentSerializer, 400: FIELD_ERRORS},
    )
    def post(self, request: Request, reference: str) -> Response:
        case = case_for_api(request, reference)
        payload = AssessmentCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        visible = concern_list_visible_to(user=request.user)
        concerns, missing = [], []
        for ref in data.pop("concerns"):
            found = visible.filter(reference__iexact=ref.strip()).first()
            (concerns.append(found) if found else missing.append(ref))
        if missing:
            raise ValidationError(
                {
                    "concerns": [
                        f"There is no concern with the reference {ref} that you can see"
                        for ref in missing
                    ]
                }
            )
        with service_errors():
            assessment = assessment_record(actor=request.user, case=case, concerns=concerns, **data)
        return Response(
            AssessmentSerializer(assessment_data(request, assessment)).data,
            status=status.HTTP_201_CREATED,
        )


class AssessmentDetailView(GenericAPIView):
    """One assessment, with each area beside the same area of the assessment before it."""

    required_permissions = {"GET": VIEW}
    serializer_class = AssessmentDetailSerializer

    @extend_schema(operation_id="cases_assessments_retrieve", responses=AssessmentDetailSerializer)
    def get(self, request: Request, reference: str, number: int) -> Response:
        case = case_for_api(request, reference)
        try:
            assessment = assessment_get_for_case(user=request.user, case=case, number=number)
        except Assessment.DoesNotExist:
            raise NotFound("This case has no assessment with that number") from None
        comparison = assessment_comparison(assessment=assessment)
        return Response(
            AssessmentDetailSerializer(
                {
                    **assessment_data(request, assessment),
                    "previous": comparison.previous.number if comparison.previous else None,
                    "comparison": comparison.rows,
                }
            ).data
        )
