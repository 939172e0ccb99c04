"""The form for recording a place."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from waymark.contexts.models import PlaceKind, Ward
from waymark.core.forms import GovukForm
from waymark.core.validators import validate_postcode


class PlaceForm(GovukForm):
    name = forms.CharField(
        label="Name of the place",
        max_length=200,
        help_text="What people call it, for example Eastbridge Bus Station or Mill Lane Park",
        error_messages={"required": "Enter the name of the place"},
    )
    kind = forms.ChoiceField(
        label="What kind of place is it?",
        choices=[("", "Select a kind of place"), *PlaceKind.choices],
        error_messages={"required": "Select what kind of place it is"},
    )
    address = forms.CharField(label="Address (optional)", max_length=300, required=False)
    postcode = forms.CharField(
        label="Postcode (optional)",
        max_length=8,
        required=False,
        validators=[validate_postcode],
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-10"}),
    )
    uprn = forms.CharField(
        label="UPRN (optional)",
        max_length=12,
        required=False,
        help_text="The Unique Property Reference Number, if the place has one",
        widget=forms.TextInput(
            attrs={"class": "govuk-input govuk-input--width-10", "inputmode": "numeric"}
        ),
    )
    latitude = forms.FloatField(
        label="Latitude",
        min_value=-90,
        max_value=90,
        help_text="In decimal degrees (WGS84), for example 52.6231",
        error_messages={
            "required": "Enter the latitude",
            "invalid": "Enter the latitude as a number",
        },
        widget=forms.TextInput(
            attrs={"class": "govuk-input govuk-input--width-10", "inputmode": "decimal"}
        ),
    )
    longitude = forms.FloatField(
        label="Longitude",
        min_value=-180,
        max_value=180,
        help_text="In decimal degrees (WGS84), for example -1.1623",
        error_messages={
            "required": "Enter the longitude",
            "invalid": "Enter the longitude as a number",
        },
        widget=forms.TextInput(
            attrs={"class": "govuk-input govuk-input--width-10", "inputmode": "decimal"}
        ),
    )
    ward = forms.ModelChoiceField(
        label="Ward (optional)",
        queryset=Ward.objects.none(),
        required=False,
        empty_label="Not known",
    )

    def __init__(self, *args: Any, wards: QuerySet[Ward], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ward_field: Any = self.fields["ward"]
        ward_field.queryset = wards

    def clean_uprn(self) -> str:
        uprn = self.cleaned_data.get("uprn", "").strip()
        if uprn and not uprn.isdigit():
            raise forms.ValidationError("Enter a UPRN of up to 12 digits")
        return uprn
