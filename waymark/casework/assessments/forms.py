"""The assessment form: one GOV.UK page, a fieldset per area of the case's instrument."""

import re
from typing import Any

from django import forms

from waymark.core.forms import GovukDateField, GovukForm

from ..instruments import Instrument
from ..models import AssessmentMethod
from ..names import NameWarningMixin
from .services import ATTRIBUTION_MAX_LENGTH, rating_message

VOICE_ROWS = 3


class AssessmentForm(NameWarningMixin, GovukForm):
    started_on = GovukDateField(
        label="Date the assessment started",
        help_text="For example, 27 3 2026",
        required=False,
    )
    completed_on = GovukDateField(
        label="Date the assessment was completed (leave blank if it is still in progress)",
        help_text="A completed assessment rates every area",
        required=False,
    )
    methods = forms.MultipleChoiceField(
        label="Methods used",
        choices=AssessmentMethod.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    summary = forms.CharField(
        label="Summary (optional)",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    concern_references = forms.CharField(
        label="Concerns this assessment draws on (optional)",
        help_text="Their references, separated by spaces or commas, for example CN-7F3KQ",
        required=False,
    )

    def __init__(
        self, *args: Any, instrument: Instrument, voice_rows: int = VOICE_ROWS, **kwargs: Any
    ):
        self.instrument = instrument
        self.voice_rows = voice_rows
        super().__init__(*args, **kwargs)
        self.name_warning_fields = (
            "summary",
            *(
                f"{area.key}_{name}"
                for area in instrument.areas
                for name in ("findings", "strengths", "concerns")
            ),
            *(
                f"voice_{i}_{name}"
                for i in range(voice_rows)
                for name in ("quote", "attributed_to")
            ),
        )
        for area in instrument.areas:
            title = area.title.lower()
            self.fields[f"{area.key}_findings"] = forms.CharField(
                label="Findings", widget=forms.Textarea(attrs={"rows": 4}), required=False
            )
            self.fields[f"{area.key}_strengths"] = forms.CharField(
                label="Strengths", widget=forms.Textarea(attrs={"rows": 3}), required=False
            )
            self.fields[f"{area.key}_concerns"] = forms.CharField(
                label="Concerns", widget=forms.Textarea(attrs={"rows": 3}), required=False
            )
            message = rating_message(instrument, area.key)
            self.fields[f"{area.key}_rating"] = forms.TypedChoiceField(
                label=f"Rating for {title}",
                help_text=instrument.scale.name,
                choices=[(str(v), label) for v, label in instrument.scale.points],
                coerce=int,
                widget=forms.RadioSelect,
                required=False,
                error_messages={"invalid_choice": message},
            )
        for i in range(voice_rows):
            self.fields[f"voice_{i}_quote"] = forms.CharField(
                label=f"Voice {i + 1}: what a young person said, in their words",
                widget=forms.Textarea(attrs={"rows": 2}),
                required=False,
            )
            self.fields[f"voice_{i}_attributed_to"] = forms.CharField(
                label=f"Voice {i + 1}: who said it (optional)",
                help_text='Describe, never name: for example "a girl in Year 9"',
                max_length=ATTRIBUTION_MAX_LENGTH,
                required=False,
            )

    def area_fields(self) -> list[tuple[Any, list[Any]]]:
        return [
            (
                area,
                [
                    self[f"{area.key}_{name}"]
                    for name in ("findings", "strengths", "concerns", "rating")
                ],
            )
            for area in self.instrument.areas
        ]

    def voice_fields(self) -> list[tuple[Any, Any]]:
        return [
            (self[f"voice_{i}_quote"], self[f"voice_{i}_attributed_to"])
            for i in range(self.voice_rows)
        ]

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "started_on": data["started_on"],
            "completed_on": data["completed_on"],
            "methods": data["methods"],
            "summary": data["summary"],
            "areas": {
                area.key: {
                    name: data[f"{area.key}_{name}"]
                    for name in ("findings", "strengths", "concerns", "rating")
                }
                for area in self.instrument.areas
            },
            "voices": [
                {
                    "quote": data[f"voice_{i}_quote"],
                    "attributed_to": data[f"voice_{i}_attributed_to"],
                }
                for i in range(self.voice_rows)
            ],
        }

    def concern_references_list(self) -> list[str]:
        text = self.cleaned_data.get("concern_references") or ""
        return [r for r in re.split(r"[\s,;]+", text.strip()) if r]

    @staticmethod
    def voice_rows_in(data: Any) -> int:
        """How many voice boxes the posted form had."""
        rows = 0
        while f"voice_{rows}_quote" in data:
            rows += 1
        return max(rows, VOICE_ROWS)
