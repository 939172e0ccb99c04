"""Forms of the peer-group pages: filtering the list, and saving a group as a context."""

from django import forms

from waymark.contexts.models import Vulnerability
from waymark.core.forms import GovukForm

from .services import DESCRIPTION_MAX_LENGTH, NAME_MAX_LENGTH


class PeerGroupFilterForm(GovukForm):
    vulnerability = forms.ChoiceField(
        label="Vulnerability",
        required=False,
        choices=[("", "All groups"), *[(v, f"{label} only") for v, label in Vulnerability.choices]],
    )


class PeerGroupSaveForm(GovukForm):
    name = forms.CharField(
        label="Name of the peer group",
        help_text="Name it by where or how the group meets, never after a child",
        max_length=NAME_MAX_LENGTH,
        error_messages={
            "required": "Enter a name for the peer group",
            "max_length": f"The name must be {NAME_MAX_LENGTH} characters or fewer",
        },
    )
    description = forms.CharField(
        label="What brings the group together (optional)",
        required=False,
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": f"The description must be {DESCRIPTION_MAX_LENGTH} characters or fewer"
        },
    )
