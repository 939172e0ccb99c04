"""Forms of the case pages: the list's filters, referral, screening, transfer, links of young
people, reviews, closure, and online spaces. Free text about a context warns before saving the
full name of a child known to Waymark (`NameWarningMixin`)."""

from typing import Any

from django import forms

from waymark.accounts.models import Agency, User
from waymark.casework.models import (
    CaseStatus,
    ScreeningDecision,
    SourceReliability,
    SubjectKind,
    Threshold,
)
from waymark.casework.names import NameWarningMixin
from waymark.contexts.models import OnlineSpaceKind
from waymark.core.forms import GovukDateField, GovukForm

from .services import LINK_REASON_MAX_LENGTH, REASON_MAX_LENGTH


def _reason(label: str, missing: str, *, hint: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=hint,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": missing,
            "max_length": f"This must be {REASON_MAX_LENGTH} characters or fewer",
        },
    )


class CaseFilterForm(GovukForm):
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *CaseStatus.choices]
    )
    subject_kind = forms.ChoiceField(
        label="Kind of context", required=False, choices=[("", "Any kind"), *SubjectKind.choices]
    )
    threshold = forms.ChoiceField(
        label="Threshold", required=False, choices=[("", "Any threshold"), *Threshold.choices]
    )
    lead_agency = forms.ModelChoiceField(
        label="Lead agency",
        required=False,
        queryset=Agency.objects.order_by("name"),
        empty_label="Any agency",
    )
    overdue = forms.BooleanField(label="Only cases with an overdue review", required=False)


class ReferralForm(NameWarningMixin, GovukForm):
    name_warning_fields = ("reason", "neighbourhood_name")

    reason = _reason(
        "Why is this context referred?",
        "Enter why the context is referred",
        hint="Describe the context: what happens there, when, and to children as a group",
    )
    source = forms.CharField(
        label="Source of the information",
        max_length=300,
        error_messages={"required": "Enter the source of the information"},
    )
    reliability = forms.ChoiceField(
        label="How reliable is the source?",
        choices=SourceReliability.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how reliable the source is"},
    )
    concerns = forms.MultipleChoiceField(
        label="Concerns that are evidence (optional)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    neighbourhood_name = forms.CharField(
        label="Name of the neighbourhood (optional)",
        required=False,
        max_length=200,
        help_text="Name it by the place, never after a person",
    )

    def __init__(
        self,
        *args: Any,
        concern_choices: list[tuple[str, str]] | None = None,
        neighbourhood: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if concern_choices:
            field: Any = self.fields["concerns"]
            field.choices = concern_choices
        else:
            del self.fields["concerns"]
        if not neighbourhood:
            del self.fields["neighbourhood_name"]


class ScreeningForm(NameWarningMixin, GovukForm):
    name_warning_fields = ("reason",)

    decision = forms.ChoiceField(
        label="Screening decision",
        choices=ScreeningDecision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a threshold, or no further action"},
    )
    reason = _reason("Reason for the decision", "Enter the reason for the decision")


class TransferForm(NameWarningMixin, GovukForm):
    name_warning_fields = ("reason",)

    to_agency = forms.ModelChoiceField(
        label="New lead agency",
        queryset=Agency.objects.order_by("name"),
        error_messages={"required": "Choose the new lead agency"},
    )
    to_worker = forms.ModelChoiceField(
        label="New lead worker (optional)",
        required=False,
        queryset=User.objects.filter(is_active=True, agency__isnull=False).order_by(
            "last_name", "first_name", "username"
        ),
        help_text="They must work for the new lead agency",
    )
    reason = _reason("Why does the lead change?", "Enter why the lead changes")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["to_worker"]
        groups: dict[str, list[tuple[int, str]]] = {}
        for user in field.queryset.select_related("agency").order_by(
            "agency__name", "last_name", "first_name", "username"
        ):
            groups.setdefault(user.agency.name, []).append(
                (user.pk, user.get_full_name() or user.username)
            )
        field.choices = [("", "None yet"), *groups.items()]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        agency, worker = data.get("to_agency"), data.get("to_worker")
        if agency is not None and worker is not None and worker.agency_id != agency.pk:
            self.add_error("to_worker", f"The new lead worker must work for {agency}")
        return data


class CaseLinkForm(NameWarningMixin, GovukForm):
    name_warning_fields = ("reason",)

    young_person = forms.CharField(
        label="Young person's reference",
        max_length=20,
        help_text="For example, YP-7F3KQ",
        error_messages={"required": "Enter the young person's reference"},
    )
    reason = forms.CharField(
        label="Why are they linked to this context?",
        max_length=LINK_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Enter why the young person is linked to the context",
            "max_length": f"This must be {LINK_REASON_MAX_LENGTH} characters or fewer",
        },
    )


class ReviewForm(NameWarningMixin, GovukForm):
    name_warning_fields = ("summary",)

    held_on = GovukDateField(
        label="Date of the review", error_messages={"required": "Enter the date of the review"}
    )
    summary = _reason("Summary of the review", "Enter a summary of the review")
    next_review_on = GovukDateField(
        label="Date of the next review (optional)",
        help_text="If you leave it blank, the next review is due three months after this one.",
        required=False,
    )


class CloseForm(NameWarningMixin, GovukForm):
    name_warning_fields = ("reason",)

    reason = _reason(
        "Why is the case closed?",
        "Enter why the case is closed",
        hint="Say whether the context became safer for children",
    )


class OnlineSpaceForm(NameWarningMixin, GovukForm):
    name_warning_fields = ("how_children_meet", "moderation", "reporting_routes")

    platform = forms.CharField(
        label="Platform",
        max_length=80,
        help_text="For example, Snapchat, Discord, Roblox",
        error_messages={"required": "Enter the platform"},
    )
    name = forms.CharField(
        label="Name or handle",
        max_length=200,
        help_text="Of the space, never of a child in it",
        error_messages={"required": "Enter the space's name or handle"},
    )
    kind = forms.ChoiceField(
        label="Kind of space",
        choices=OnlineSpaceKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of space it is"},
    )
    how_children_meet = forms.CharField(
        label="How children meet there (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=REASON_MAX_LENGTH,
    )
    moderation = forms.CharField(
        label="Moderation (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=REASON_MAX_LENGTH,
    )
    reporting_routes = forms.CharField(
        label="Reporting routes (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=REASON_MAX_LENGTH,
    )
