"""GOV.UK Design System rendering for ordinary Django forms.

Every form field renders through `govuk/field.html`, which adds the label, hint, error message and
the GOV.UK classes for its widget. Views stay thin: a form renders with `{{ form }}` or per field.
"""

import datetime
from typing import Any

from django import forms
from django.forms.renderers import TemplatesSetting


class GovukFormRenderer(TemplatesSetting):
    form_template_name = "govuk/form.html"
    field_template_name = "govuk/field.html"


class GovukDateWidget(forms.MultiWidget):
    """The GOV.UK date input: day, month and year as three separate boxes."""

    template_name = "govuk/widgets/date.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        widgets = {
            "day": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 2}),
            "month": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 2}),
            "year": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 4}),
        }
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list[Any]:
        if value:
            return [value.day, value.month, value.year]
        return [None, None, None]


class GovukDateField(forms.MultiValueField):
    widget = GovukDateWidget
    default_error_messages = {
        "incomplete": "Enter a full date, including the day, month and year",
        "invalid": "Enter a real date",
    }

    def __init__(self, **kwargs: Any) -> None:
        fields = (
            forms.IntegerField(min_value=1, max_value=31),
            forms.IntegerField(min_value=1, max_value=12),
            forms.IntegerField(min_value=1900, max_value=2100),
        )
        super().__init__(fields=fields, require_all_fields=True, **kwargs)

    def compress(self, data_list: list[Any]) -> Any:
        if not data_list:
            return None
        day, month, year = data_list
        try:
            return datetime.date(int(year), int(month), int(day))
        except (TypeError, ValueError) as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc

    def clean(self, value: Any) -> Any:
        # One clear message for the whole date rather than one per box.
        try:
            return super().clean(value)
        except forms.ValidationError as exc:
            if any(e.code == "required" for e in exc.error_list) and not any(value or []):
                raise
            if any(e.code == "required" for e in exc.error_list):
                raise forms.ValidationError(
                    self.error_messages["incomplete"], code="incomplete"
                ) from exc
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc
