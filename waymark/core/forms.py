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
        widgets: dict[str, forms.Widget | type[forms.Widget]] = {
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


WIDGET_CLASSES = {
    "text": "govuk-input",
    "email": "govuk-input",
    "number": "govuk-input",
    "password": "govuk-input",
    "time": "govuk-input govuk-input--width-5",
    "textarea": "govuk-textarea",
    "select": "govuk-select",
    "radioselect": "govuk-radios__input",
    "checkboxselectmultiple": "govuk-checkboxes__input",
    "checkbox": "govuk-checkboxes__input",
}
ERROR_CLASSES = {
    "govuk-input": "govuk-input--error",
    "govuk-textarea": "govuk-textarea--error",
    "govuk-select": "govuk-select--error",
}


class GovukFormMixin:
    """Adds GOV.UK classes to widgets, and error classes to the fields that failed."""

    fields: dict[str, forms.Field]
    errors: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, GovukDateWidget):
                for sub in widget.widgets:
                    sub.attrs["class"] = "govuk-input govuk-date-input__input"
                continue
            kind = type(widget).__name__.lower().replace("input", "").replace("widget", "")
            css = WIDGET_CLASSES.get(kind)
            if css and "class" not in widget.attrs:
                widget.attrs["class"] = css

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        self.mark_errors()

    def mark_errors(self) -> None:
        """Give every field with an error the GOV.UK error styling."""
        for name in self.errors:
            field = self.fields.get(name)
            if field is None:
                continue
            widget = field.widget
            if isinstance(widget, GovukDateWidget):
                for sub in widget.widgets:
                    sub.attrs["class"] = "govuk-input govuk-date-input__input govuk-input--error"
                continue
            css = widget.attrs.get("class", "")
            extra = ERROR_CLASSES.get(css.split(" ")[0]) if css else None
            if extra and extra not in css:
                widget.attrs["class"] = f"{css} {extra}"

    def error_summary(self) -> list[tuple[str, str]]:
        """(anchor, message) pairs for the GOV.UK error summary, in field order."""
        rows: list[tuple[str, str]] = []
        bound = self  # type: Any
        order = {name: i for i, name in enumerate(self.fields)}
        for name, errors in sorted(self.errors.items(), key=lambda kv: order.get(kv[0], -1)):
            if name == "__all__":
                rows.extend(("", str(e)) for e in errors)
                continue
            field = bound[name]
            anchor = field.auto_id
            widget_type = field.widget_type
            if widget_type in ("radioselect", "checkboxselectmultiple", "govukdate"):
                anchor = f"{field.auto_id}_0"
            rows.extend((anchor, str(e)) for e in errors)
        return rows


class GovukForm(GovukFormMixin, forms.Form):
    pass


def form_add_service_errors(form: forms.Form, exc: Any) -> None:
    """Show a service's ValidationError on the form: on the field it names, or above the form."""
    for name, messages in exc.message_dict.items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)
    if isinstance(form, GovukFormMixin):
        form.mark_errors()
