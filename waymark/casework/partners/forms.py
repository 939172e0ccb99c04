"""Forms of the partner pages. They check the shape of what was typed; the services decide."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from waymark.casework.models import PartnerKind
from waymark.casework.names import NameWarningMixin
from waymark.contexts.models import Place
from waymark.core.forms import GovukDateField, GovukForm

from .services import (
    CONTACT_NAME_MAX_LENGTH,
    CONTACT_ROLE_MAX_LENGTH,
    COURSE_MAX_LENGTH,
    EMAIL_MAX_LENGTH,
    HOURS_MAX_LENGTH,
    NAME_MAX_LENGTH,
    NOTES_MAX_LENGTH,
    PHONE_MAX_LENGTH,
)


class PartnerFilterForm(GovukForm):
    q = forms.CharField(label="Name", required=False, max_length=NAME_MAX_LENGTH)
    kind = forms.ChoiceField(
        label="Kind of partner",
        required=False,
        choices=[("", "All kinds"), *PartnerKind.choices],
    )


class PartnerForm(NameWarningMixin, GovukForm):
    # A contact's name is meant to be a name, of an adult: only the notes are checked.
    name_warning_fields = ("notes",)

    name = forms.CharField(
        label="Name of the organisation",
        max_length=NAME_MAX_LENGTH,
        help_text="The name it trades or works under, for example Station Road Convenience Store",
        error_messages={
            "required": "Enter the name of the partner",
            "max_length": f"The name must be {NAME_MAX_LENGTH} characters or fewer",
        },
    )
    kind = forms.ChoiceField(
        label="What kind of partner is it?",
        choices=[("", "Select a kind of partner"), *PartnerKind.choices],
        error_messages={"required": "Select what kind of partner it is"},
    )
    notes = forms.CharField(
        label="Notes (optional)",
        required=False,
        max_length=NOTES_MAX_LENGTH,
        help_text="How the partnership works with them. Do not name children here.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": f"The notes must be {NOTES_MAX_LENGTH} characters or fewer"},
    )


class PartnerContactForm(GovukForm):
    name = forms.CharField(
        label="Full name",
        max_length=CONTACT_NAME_MAX_LENGTH,
        error_messages={"required": "Enter the contact's name"},
    )
    role = forms.CharField(
        label="Role (optional)",
        required=False,
        max_length=CONTACT_ROLE_MAX_LENGTH,
        help_text="For example owner, duty manager or designated safeguarding lead",
    )
    phone = forms.CharField(
        label="Telephone number (optional)",
        required=False,
        max_length=PHONE_MAX_LENGTH,
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-20", "type": "tel"}),
    )
    email = forms.CharField(
        label="Email address (optional)",
        required=False,
        max_length=EMAIL_MAX_LENGTH,
        help_text="Give a telephone number, an email address or both",
        widget=forms.TextInput(attrs={"type": "email", "spellcheck": "false"}),
    )


class GuardianshipForm(GovukForm):
    place = forms.ModelChoiceField(
        label="Place",
        queryset=Place.objects.none(),
        empty_label="Select a place",
        error_messages={"required": "Select the place the partner is a guardian of"},
    )
    hours = forms.CharField(
        label="Hours present",
        max_length=HOURS_MAX_LENGTH,
        help_text="When adults from the partner are there, for example Mon-Sat 07:00-22:00",
        error_messages={
            "required": "Enter the hours the partner is present, like Mon-Sat 07:00-22:00"
        },
    )

    def __init__(self, *args: Any, places: QuerySet[Place], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        place_field: Any = self.fields["place"]
        place_field.queryset = places


class TrainingRecordForm(GovukForm):
    course = forms.CharField(
        label="Course",
        max_length=COURSE_MAX_LENGTH,
        help_text="For example exploitation awareness for hotel staff",
        error_messages={"required": "Enter the name of the course"},
    )
    delivered_on = GovukDateField(
        label="Date of the training",
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date of the training"},
    )
    number_trained = forms.IntegerField(
        label="Number of staff trained",
        min_value=1,
        widget=forms.TextInput(
            attrs={"class": "govuk-input govuk-input--width-4", "inputmode": "numeric"}
        ),
        error_messages={
            "required": "Enter the number of staff trained",
            "invalid": "Enter the number of staff trained as a whole number",
            "min_value": "The number of staff trained must be 1 or more",
        },
    )
    refresh_due = GovukDateField(
        label="Refresh due",
        help_text="When the staff should be trained again",
        error_messages={"required": "Enter the date the refresh is due"},
    )
