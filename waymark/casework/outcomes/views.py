"""The outcomes page of a context case: the charts and their tables. Thin: the selectors work."""

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from waymark.casework.cases.selectors import context_case_get_visible_to

from .selectors import outcome_for


@login_required
@permission_required("casework.view_contextcase", raise_exception=True)
@require_GET
def case_outcomes(request: HttpRequest, reference: str) -> HttpResponse:
    case = context_case_get_visible_to(user=request.user, reference=reference)
    return render(
        request,
        "casework/outcomes/outcomes.html",
        {"case": case, "outcome": outcome_for(case=case, charts=True)},
    )
