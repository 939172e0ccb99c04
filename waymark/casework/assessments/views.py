"""Assessment pages: record one, and read one beside the one before it. Thin: the services
and selectors do the work."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from waymark.concerns.selectors import concern_list_visible_to
from waymark.core.forms import form_add_service_errors

from ..models import Assessment, AssessmentMethod, ContextCase
from .forms import VOICE_ROWS, AssessmentForm
from .selectors import (
    assessment_comparison,
    assessment_evidence,
    assessment_get_for_case,
    context_case_get_for_casework,
    peer_group_provenance,
    rating_label,
)
from .services import assessment_record, case_assessable_error, instrument_for


def case_or_404(request: HttpRequest, reference: str) -> ContextCase:
    try:
        return context_case_get_for_casework(user=request.user, reference=reference)
    except ContextCase.DoesNotExist:
        raise Http404("No context case has that reference") from None


def _posted_as_initial(form: AssessmentForm, data: Any) -> dict[str, Any]:
    """What was typed, to show again in a longer form without checking it yet."""
    return {
        name: field.widget.value_from_datadict(data, {}, form.add_prefix(name))
        for name, field in form.fields.items()
    }


@login_required
@permission_required("casework.change_contextcase", raise_exception=True)
@require_http_methods(["GET", "POST"])
def assessment_new(request: HttpRequest, reference: str) -> HttpResponse:
    case = case_or_404(request, reference)
    instrument = instrument_for(case)
    refusal = case_assessable_error(case)
    form: AssessmentForm
    if request.method == "POST" and not refusal:
        rows = AssessmentForm.voice_rows_in(request.POST)
        if "add_voices" in request.POST:
            # More boxes for voices: show what was typed again, with three more, unsaved.
            posted = AssessmentForm(request.POST, instrument=instrument, voice_rows=rows)
            form = AssessmentForm(
                instrument=instrument,
                voice_rows=rows + VOICE_ROWS,
                initial=_posted_as_initial(posted, request.POST),
            )
        else:
            form = AssessmentForm(request.POST, instrument=instrument, voice_rows=rows)
            if form.is_valid():
                visible = concern_list_visible_to(user=request.user)
                concerns = []
                for ref in form.concern_references_list():
                    found = visible.filter(reference__iexact=ref).first()
                    if found is None:
                        form.add_error(
                            "concern_references",
                            f"There is no concern with the reference {ref} that you can see",
                        )
                    else:
                        concerns.append(found)
                if not form.errors:
                    try:
                        assessment = assessment_record(
                            actor=request.user,
                            case=case,
                            concerns=concerns,
                            **form.service_arguments(),
                        )
                    except ValidationError as exc:
                        # The service names the evidence "concerns"; the form asks for references.
                        errors = exc.message_dict
                        if "concerns" in errors:
                            errors["concern_references"] = errors.pop("concerns")
                        form_add_service_errors(form, ValidationError(errors))
                    else:
                        messages.success(request, f"Assessment {assessment.number} recorded")
                        return redirect(
                            "case-assessment-detail",
                            reference=case.reference,
                            number=assessment.number,
                        )
    else:
        form = AssessmentForm(instrument=instrument)
    return render(
        request,
        "casework/assessments/assessment_form.html",
        {
            "case": case,
            "instrument": instrument,
            "form": form,
            "refusal": refusal,
            "provenance": peer_group_provenance(case=case),
        },
    )


@login_required
@permission_required("casework.view_contextcase", raise_exception=True)
def assessment_detail(request: HttpRequest, reference: str, number: int) -> HttpResponse:
    case = case_or_404(request, reference)
    try:
        assessment = assessment_get_for_case(user=request.user, case=case, number=number)
    except Assessment.DoesNotExist:
        raise Http404("This case has no assessment with that number") from None
    instrument = instrument_for(case)
    return render(
        request,
        "casework/assessments/assessment_detail.html",
        {
            "case": case,
            "assessment": assessment,
            "instrument": instrument,
            "comparison": assessment_comparison(assessment=assessment),
            "evidence": assessment_evidence(user=request.user, assessment=assessment),
            "provenance": peer_group_provenance(case=case),
            "methods": [AssessmentMethod(m).label for m in assessment.methods],
            "areas": [
                (
                    instrument.area(a.area).title if a.area in instrument.keys else a.area,
                    a,
                    rating_label(instrument.scale, a.rating),
                )
                for a in assessment.areas.all()
            ],
        },
    )
