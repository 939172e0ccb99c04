from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from waymark.core.forms import GovukForm, GovukFormMixin


class SignInForm(GovukFormMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account is not active. Ask your administrator.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(
            {"class": "govuk-input govuk-!-width-one-half", "spellcheck": "false"}
        )
        self.fields["password"].widget.attrs.update({"class": "govuk-input govuk-!-width-one-half"})


class TwoFactorCodeForm(GovukForm):
    """One code: from the authenticator app, or (when signing in) a backup code."""

    code = forms.CharField(
        max_length=20,
        error_messages={"required": "Enter the code from your authenticator app"},
        widget=forms.TextInput(
            attrs={
                "class": "govuk-input govuk-input--width-10",
                "autocomplete": "one-time-code",
                "spellcheck": "false",
                "autocapitalize": "none",
            }
        ),
    )

    def __init__(self, *args: Any, label: str, help_text: str, numeric: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        field.label = label
        field.help_text = help_text
        if numeric:
            field.widget.attrs["inputmode"] = "numeric"

    def add_error(self, field: str | None, error: Any) -> None:
        # A wrong code is found by the service after validation, so GovukFormMixin.full_clean has
        # already styled the fields; style the box for that error too.
        super().add_error(field, error)
        widget = self.fields["code"].widget
        if self.has_error("code") and "govuk-input--error" not in widget.attrs["class"]:
            widget.attrs["class"] += " govuk-input--error"


class EnrolmentCodeForm(GovukForm):
    """The one-use code an administrator or manager gave the user, asked for before the key."""

    enrolment_code = forms.CharField(
        label="Enrolment code",
        help_text="The code your administrator or manager gave you, for example ABCD-EFGH-JKLM",
        max_length=30,
        error_messages={"required": "Enter the enrolment code you were given"},
        widget=forms.TextInput(
            attrs={
                "class": "govuk-input govuk-input--width-20",
                "autocomplete": "off",
                "spellcheck": "false",
                "autocapitalize": "characters",
            }
        ),
    )


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return (
            f"{obj.get_full_name() or obj.username} ({obj.username}), {obj.agency or 'no agency'}"
        )


class EnrolmentCodeIssueForm(GovukForm):
    """Choose whom to issue an enrolment code for, from the users the issuer may vouch for."""

    user = UserChoiceField(
        queryset=None,
        label="User",
        help_text="The user who will set up two-factor authentication with this code",
        empty_label="Choose a user",
        error_messages={"required": "Choose the user to issue a code for"},
    )

    def __init__(self, *args: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users.select_related("agency")  # type: ignore[attr-defined]
