from typing import Any

from django import forms

from waymark.accounts.models import Agency
from waymark.contexts.models import Place, PlaceKind, Ward
from waymark.core.forms import GovukDateField, GovukForm
from waymark.core.validators import validate_nhs_number, validate_upn

from .access import LawfulBasis
from .models import AgeBand, Ethnicity, Gender


class YoungPersonForm(GovukForm):
    given_name = forms.CharField(
        label="First name", max_length=100, error_messages={"required": "Enter a first name"}
    )
    family_name = forms.CharField(
        label="Last name", max_length=100, error_messages={"required": "Enter a last name"}
    )
    known_as = forms.CharField(
        label="Known as (optional)",
        max_length=100,
        required=False,
        help_text="The name they like to be called",
    )
    date_of_birth = GovukDateField(
        label="Date of birth",
        help_text="For example, 14 7 2011",
        error_messages={"required": "Enter their date of birth"},
    )
    date_of_birth_estimated = forms.BooleanField(
        label="The date of birth is estimated", required=False
    )
    gender = forms.ChoiceField(label="Gender", choices=Gender.choices, initial=Gender.NOT_KNOWN)
    ethnicity = forms.ChoiceField(
        label="Ethnicity",
        choices=Ethnicity.choices,
        initial=Ethnicity.NOT_STATED,
        help_text="As the young person describes it (ONS 2021 categories)",
    )
    nhs_number = forms.CharField(
        label="NHS number (optional)",
        required=False,
        validators=[validate_nhs_number],
        help_text="10 digits, for example 943 476 5919",
        widget=forms.TextInput(
            attrs={
                "class": "govuk-input govuk-input--width-10",
                "inputmode": "numeric",
                "spellcheck": "false",
            }
        ),
    )
    upn = forms.CharField(
        label="Unique Pupil Number (optional)",
        required=False,
        validators=[validate_upn],
        widget=forms.TextInput(
            attrs={"class": "govuk-input govuk-input--width-20", "spellcheck": "false"}
        ),
    )
    school = forms.ModelChoiceField(
        label="School or college (optional)",
        required=False,
        queryset=Place.objects.none(),
        empty_label="Not known",
    )
    home_ward = forms.ModelChoiceField(
        label="Home ward (optional)",
        required=False,
        queryset=Ward.objects.none(),
        empty_label="Not known",
    )
    strengths = forms.CharField(
        label="Strengths",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What they are good at, what they care about, and the adults they trust",
    )
    own_words = forms.CharField(
        label="In their own words",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the young person says about their life, as they said it",
    )

    def __init__(self, *args: Any, places: Any, wards: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        school_field: Any = self.fields["school"]
        school_field.queryset = places.filter(kind=PlaceKind.SCHOOL)
        ward_field: Any = self.fields["home_ward"]
        ward_field.queryset = wards


class PersonOfConcernForm(GovukForm):
    names = forms.CharField(
        label="Names (optional)", max_length=200, required=False, help_text="Names as known"
    )
    nicknames = forms.CharField(
        label="Nicknames or street names (optional)", max_length=200, required=False
    )
    description = forms.CharField(
        label="Description (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What they look like, where they are seen, how they behave. Enter at least a "
        "name, a nickname or a description.",
    )
    age_band = forms.ChoiceField(label="Age", choices=AgeBand.choices, initial=AgeBand.NOT_KNOWN)
    vehicle_make = forms.CharField(label="Vehicle make (optional)", max_length=60, required=False)
    vehicle_colour = forms.CharField(
        label="Vehicle colour (optional)", max_length=40, required=False
    )
    vehicle_registration = forms.CharField(
        label="Vehicle registration (optional)",
        max_length=10,
        required=False,
        widget=forms.TextInput(
            attrs={"class": "govuk-input govuk-input--width-10", "spellcheck": "false"}
        ),
    )

    def service_arguments(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        vehicle = {
            "make": data.pop("vehicle_make", ""),
            "colour": data.pop("vehicle_colour", ""),
            "registration": data.pop("vehicle_registration", ""),
        }
        data["vehicles"] = [vehicle] if any(vehicle.values()) else []
        return data


class BreakGlassForm(GovukForm):
    reason = forms.CharField(
        label="Why do you need to see this record now?",
        help_text="For example, a child is missing and you need their contacts. Your reason, your "
        "name and the time are recorded, and the managers of the agencies involved see them.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say why you need to see this record now"},
    )


class InvolvementForm(GovukForm):
    agency = forms.ModelChoiceField(
        label="Agency",
        queryset=Agency.objects.none(),
        empty_label="Select an agency",
        error_messages={"required": "Select the agency that is involved"},
    )
    worker = forms.CharField(
        label="Allocated worker's username (optional)",
        required=False,
        max_length=150,
        help_text="Leave blank if the involvement is the agency's, not one worker's",
    )
    purpose = forms.CharField(
        label="Purpose",
        max_length=300,
        help_text="Why this agency needs to see the young person's record",
        error_messages={"required": "Say why this agency is involved"},
    )
    lawful_basis = forms.ChoiceField(
        label="Lawful basis",
        choices=LawfulBasis.choices,
        initial=LawfulBasis.SAFEGUARDING,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency_field: Any = self.fields["agency"]
        agency_field.queryset = agencies


class InvolvementEndForm(GovukForm):
    reason = forms.CharField(
        label="Why is the involvement ending?",
        max_length=500,
        error_messages={"required": "Say why the involvement is ending"},
    )


class InvolvementRequestForm(GovukForm):
    purpose = forms.CharField(
        label="Purpose",
        max_length=300,
        help_text="Why your agency needs to see the young person's record",
        error_messages={"required": "Say why your agency needs to be involved"},
    )
    lawful_basis = forms.ChoiceField(
        label="Lawful basis",
        choices=LawfulBasis.choices,
        initial=LawfulBasis.SAFEGUARDING,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the lawful basis for the involvement"},
    )


class DecisionForm(GovukForm):
    """Accept or decline something another agency asked for, with a note (needed to decline)."""

    decision = forms.ChoiceField(
        label="Your decision",
        choices=[("accept", "Accept"), ("decline", "Decline")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select accept or decline"},
    )
    note = forms.CharField(
        label="Note (needed if you decline)",
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "decline" and not (data.get("note") or "").strip():
            self.add_error("note", "Say why you are declining")
        return data
