"""Forms of the context plan pages."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from waymark.accounts.models import Agency, User
from waymark.core.forms import GovukDateField, GovukForm

from ..models import ActionStatus, AssessmentArea, ContextCase, OwnerKind, Partner
from ..names import NameWarningMixin
from .selectors import finding_title
from .services import INDICATOR_MAX_LENGTH, NO_OWNER, NOTE_MAX_LENGTH


class PlanForm(NameWarningMixin, GovukForm):
    name_warning_fields = ("summary",)

    started_on = GovukDateField(label="Date the plan starts", required=False)
    summary = forms.CharField(
        label="Summary of the plan (optional)",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )


class PlanSummaryForm(NameWarningMixin, GovukForm):
    name_warning_fields = ("summary",)

    summary = forms.CharField(
        label="Summary of the plan", widget=forms.Textarea(attrs={"rows": 5}), required=False
    )


class FindingChoiceField(forms.ModelChoiceField):
    def __init__(self, *args: Any, case: ContextCase, **kwargs: Any) -> None:
        self.case = case
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        finding = obj.findings.strip().replace("\n", " ")
        excerpt = finding if len(finding) <= 120 else finding[:117] + "..."
        return f"{finding_title(self.case, obj)} (rated {obj.rating}): {excerpt}"


class GoalForm(NameWarningMixin, GovukForm):
    name_warning_fields = ("outcome", "indicator")

    outcome = forms.CharField(
        label="Outcome",
        help_text=(
            'A change in the context, not effort. Write "young people can name an adult at the'
            ' station they trust", not "made a leaflet"'
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    indicator = forms.CharField(
        label="Indicator (optional)",
        help_text="How you will know: for example, the guardianship rating at re-assessment, or a survey score",
        max_length=INDICATOR_MAX_LENGTH,
        required=False,
    )

    def __init__(
        self, *args: Any, case: ContextCase, findings: QuerySet[AssessmentArea], **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.fields["finding"] = FindingChoiceField(
            queryset=findings,
            case=case,
            label="The assessment finding this goal comes from",
            widget=forms.RadioSelect,
            required=False,
            empty_label=None,
            error_messages={
                "invalid_choice": "Choose a finding from a completed assessment of this case"
            },
        )
        self.order_fields(["finding", "outcome", "indicator"])


class ActionForm(NameWarningMixin, GovukForm):
    name_warning_fields = ("description",)

    description = forms.CharField(
        label="Action", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    owner_kind = forms.ChoiceField(
        label="Who owns this action",
        choices=OwnerKind.choices,
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": NO_OWNER},
    )
    owner_agency = forms.ModelChoiceField(
        label="Agency (if an agency owns it)", queryset=Agency.objects.none(), required=False
    )
    owner_worker = forms.ModelChoiceField(
        label="Named worker (if a worker owns it)", queryset=User.objects.none(), required=False
    )
    owner_partner = forms.ModelChoiceField(
        label="Partner organisation (if a partner owns it)",
        queryset=Partner.objects.none(),
        required=False,
    )
    due_on = GovukDateField(label="Due date", required=False)
    relevant_to_children = forms.BooleanField(
        label="Show this action on the pages of the young people linked to this context",
        required=False,
        initial=True,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency_field: Any = self.fields["owner_agency"]
        agency_field.queryset = Agency.objects.order_by("name")
        worker_field: Any = self.fields["owner_worker"]
        worker_field.queryset = (
            User.objects.filter(is_active=True, agency__isnull=False)
            .select_related("agency")
            .order_by("last_name", "first_name")
        )
        worker_field.label_from_instance = lambda u: (
            f"{u.get_full_name() or u.get_username()}, {u.agency.name}"
        )
        partner_field: Any = self.fields["owner_partner"]
        partner_field.queryset = Partner.objects.order_by("name")


class ActionUpdateForm(NameWarningMixin, GovukForm):
    name_warning_fields = ("evidence",)

    status = forms.ChoiceField(
        label="Status",
        choices=ActionStatus.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    evidence = forms.CharField(
        label="Evidence of completion",
        help_text="What shows the action is done: for example, the date staff were trained and how many",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    completed_on = GovukDateField(label="Date completed (only for a done action)", required=False)


class MeasureForm(NameWarningMixin, GovukForm):
    name_warning_fields = ("note",)

    measured_on = GovukDateField(label="Date of the measure", required=False)
    value = forms.FloatField(
        label="Value",
        help_text="A number: a survey score, or a count such as staff trained",
        required=False,
        error_messages={"invalid": "Enter the measure as a number"},
    )
    note = forms.CharField(label="Note (optional)", max_length=NOTE_MAX_LENGTH, required=False)
