"""The outcomes page of a context case: the charts and their tables. Thin: the selectors work."""

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from waymark.accounts.refusals import access_refused
from waymark.casework.cases.selectors import context_case_get_visible_to

from .selectors import outcome_for


@login_required
@permission_required("casework.view_contextcase", raise_exception=True)
@require_GET
def case_outcomes(request: HttpRequest, reference: str) -> HttpResponse:
    try:
        case = context_case_get_visible_to(user=request.user, reference=reference)
    except ObjectDoesNotExist:
        access_refused(request, object_type="casework.contextcase", object_id=reference)
        raise Http404("No context case has that reference") from None
    return render(
        request,
        "casework/outcomes/outcomes.html",
        {"case": case, "outcome": outcome_for(case=case, charts=True)},
    )
