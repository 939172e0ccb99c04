"""A context case's outcome over the API: the published counts, ratios and reading."""

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from waymark.accounts.refusals import access_refused
from waymark.casework.cases.selectors import context_case_get_visible_to

from .selectors import Ratio, outcome_for


def _ratio(value: Ratio | None) -> dict[str, Any] | None:
    if value is None:
        return None
    upper = None if value.upper == float("inf") else value.upper
    return {
        "estimate": value.estimate,
        "lower": value.lower,
        "upper": upper,
        "p_value": value.p_value,
    }


_RATIO = inline_serializer(
    "OutcomeRatio",
    {
        "estimate": serializers.FloatField(allow_null=True),
        "lower": serializers.FloatField(allow_null=True),
        "upper": serializers.FloatField(allow_null=True, help_text="null: no upper limit"),
        "p_value": serializers.FloatField(allow_null=True),
    },
    allow_null=True,
)
_COUNT = serializers.IntegerField(allow_null=True, help_text='null: withheld ("fewer than 5")')


class CaseOutcomeView(GenericAPIView[Any]):
    """Did the context become safer? Concerns at the context and in the surrounding area in
    equal windows before and after the plan started, the rate ratios with exact 95% intervals,
    their ratio (difference in differences), and a plain reading. Counts from 1 to 4 are
    withheld, and so is every figure built on them."""

    required_permissions = {"GET": "casework.view_contextcase"}

    @extend_schema(
        responses={
            200: inline_serializer(
                "CaseOutcome",
                {
                    "reference": serializers.CharField(),
                    "has_plan": serializers.BooleanField(),
                    "plan_started_on": serializers.DateField(allow_null=True),
                    "window_days": serializers.IntegerField(allow_null=True),
                    "here_label": serializers.CharField(allow_null=True),
                    "area_label": serializers.CharField(allow_null=True),
                    "here_before": _COUNT,
                    "here_after": _COUNT,
                    "area_before": _COUNT,
                    "area_after": _COUNT,
                    "here_ratio": _RATIO,
                    "area_ratio": _RATIO,
                    "against_area": _RATIO,
                    "reading": serializers.CharField(),
                },
            ),
            404: OpenApiResponse(description="No such case"),
        }
    )
    def get(self, request: Request, reference: str) -> Response:
        try:
            case = context_case_get_visible_to(user=request.user, reference=reference)
        except ObjectDoesNotExist:
            access_refused(request, object_type="casework.contextcase", object_id=reference)
            raise NotFound("No context case has that reference") from None
        shown = outcome_for(case=case)
        concerns = shown.concerns
        data: dict[str, Any] = {
            "reference": case.reference,
            "has_plan": shown.plan is not None,
            "plan_started_on": shown.plan.started_on if shown.plan else None,
            "window_days": concerns.windows.days if concerns else None,
            "here_label": concerns.here_label if concerns else None,
            "area_label": concerns.area_label if concerns else None,
            "here_before": concerns.here_before if concerns else None,
            "here_after": concerns.here_after if concerns else None,
            "area_before": concerns.area_before if concerns else None,
            "area_after": concerns.area_after if concerns else None,
            "here_ratio": _ratio(concerns.here) if concerns else None,
            "area_ratio": _ratio(concerns.area) if concerns else None,
            "against_area": _ratio(concerns.against_area) if concerns else None,
            "reading": (
                concerns.reading
                if concerns
                else shown.concerns_missing or "There is no context plan yet."
            ),
        }
        return Response(data)
