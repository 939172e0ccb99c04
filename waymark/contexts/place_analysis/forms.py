"""The filters of the analysis of places: the web pages' forms and the API's query strings."""

from datetime import date, timedelta
from typing import Any, cast

import numpy as np
from django import forms

from waymark.accounts.selectors import agency_list_visible_to
from waymark.accounts.types import Actor
from waymark.analytics.emerging import months_back
from waymark.concerns.taxonomy import RiskCategory
from waymark.contexts.models import Place
from waymark.contexts.places.selectors import place_list_visible_to
from waymark.core.forms import GovukForm

from .cells import cell_is_valid
from .filters import AGE_BANDS, DEFAULT_MONTHS, AnalysisFilters, analysis_default_period

# Before this, months cannot be counted back; after it, a day cannot be counted forward.
END_EARLIEST, END_LATEST = date(1900, 1, 1), date(2199, 12, 31)
PERIOD_MONTHS = ((3, "3 months"), (6, "6 months"), (12, "12 months"), (24, "24 months"))
RESOLUTION_CHOICES = (
    (7, "Large areas (about 5 square kilometres)"),
    (8, "Neighbourhoods (about 0.7 square kilometres)"),
    (9, "Streets (about 0.1 square kilometres)"),
    (10, "Blocks (about 0.015 square kilometres)"),
)
RING_CHOICES = ((1, "Next-door areas"), (2, "Two areas out"), (3, "Three areas out"))
TIME_STEP_CHOICES = (
    (0, "That month or week alone"),
    (1, "It and the one before"),
    (2, "It and the two before"),
    (3, "It and the three before"),
)
FDR_CHOICES = (
    ("on", "Correct for the number of areas and periods tested (recommended)"),
    ("off", "Do not correct"),
)


class PlaceAnalysisForm(GovukForm):
    """The filters every analysis of places takes, from a query string (web and API alike)."""

    category = forms.MultipleChoiceField(
        label="Kinds of risk",
        choices=RiskCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked to include every kind of risk",
    )
    months = forms.TypedChoiceField(
        label="Period",
        choices=PERIOD_MONTHS,
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": "Select a period of 3, 6, 12 or 24 months"},
    )
    end = forms.DateField(
        label="Ending on (optional)",
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        help_text="For example, 2026-11-27. Leave blank for the latest concern",
        error_messages={"invalid": "Enter the end of the period as a date, like 2026-11-27"},
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-10"}),
    )
    interval = forms.ChoiceField(
        label="Trend by",
        choices=(("month", "Month"), ("week", "Week")),
        required=False,
        error_messages={"invalid_choice": "Select month or week"},
    )
    age_band = forms.ChoiceField(
        label="Age of the children",
        choices=[("", "All ages"), *((k, v[0]) for k, v in AGE_BANDS.items())],
        required=False,
        error_messages={"invalid_choice": "Select an age band from the list"},
    )
    agency = forms.TypedChoiceField(
        label="Recorded by",
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": "Select an agency from the list"},
    )
    confidence = forms.TypedChoiceField(
        label="Confidence",
        choices=((90, "90%"), (95, "95%"), (99, "99%")),
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": "Select a confidence of 90%%, 95%% or 99%%"},
    )
    resolution = forms.TypedChoiceField(
        label="Size of area",
        choices=RESOLUTION_CHOICES,
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": "Select a size of area from the list"},
    )
    k = forms.TypedChoiceField(
        label="Compare each area with",
        choices=RING_CHOICES,
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": "Select how far around each area to compare"},
    )

    time_steps = forms.TypedChoiceField(
        label="Compare each month or week with",
        choices=TIME_STEP_CHOICES,
        coerce=int,
        required=False,
        empty_value=None,
        help_text="For trends: the earlier months or weeks counted with each one",
        error_messages={"invalid_choice": "Select how many earlier time steps, from 0 to 3"},
    )
    fdr = forms.ChoiceField(
        label="False discoveries",
        choices=FDR_CHOICES,
        required=False,
        help_text="Without the correction, more areas are flagged by chance alone",
        error_messages={"invalid_choice": "Select on or off"},
    )

    FILTER_ORDER = [
        "months",
        "end",
        "interval",
        "category",
        "age_band",
        "agency",
        "confidence",
        "resolution",
        "k",
        "time_steps",
        "fdr",
    ]
    field_order = FILTER_ORDER

    def __init__(self, *args: Any, agencies: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency = cast(forms.ChoiceField, self.fields["agency"])
        agency.choices = [("", "Any agency"), *((a.pk, a.name) for a in agencies)]
        for name, value in (("months", 12), ("interval", "month"), ("confidence", 95)):
            self.fields[name].initial = value
        self.fields["resolution"].initial = 9
        self.fields["k"].initial = 1
        self.fields["time_steps"].initial = 1
        self.fields["fdr"].initial = "on"

    def clean_end(self) -> date | None:
        end: date | None = self.cleaned_data.get("end")
        if end is not None and not END_EARLIEST <= end <= END_LATEST:
            raise forms.ValidationError("Enter an end date from 1900 to 2199, like 2026-11-27")
        return end

    def filters(self) -> AnalysisFilters:
        """The cleaned filters; call only when the form is valid."""
        data = self.cleaned_data
        end = data.get("end")
        if end is None:
            _, end = analysis_default_period()
        months = data.get("months") or DEFAULT_MONTHS
        start = months_back(np.datetime64(end + timedelta(days=1)), np.array([months]))[0]
        return AnalysisFilters(
            date_from=start.astype(date),
            date_to=end,
            categories=tuple(sorted(data.get("category") or ())),
            age_band=data.get("age_band") or "",
            agency_id=data.get("agency"),
            resolution=data.get("resolution") or 9,
            k=data.get("k") or 1,
            confidence=data.get("confidence") or 95,
            interval=data.get("interval") or "month",
            time_steps=1 if data.get("time_steps") is None else data["time_steps"],
            fdr=(data.get("fdr") or "on") == "on",
        )


class SharedContextsForm(PlaceAnalysisForm):
    min_young_people = forms.TypedChoiceField(
        label="At least this many children with no link between them",
        choices=[(n, str(n)) for n in (3, 5, 10, 15, 20)],
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": "Select how many children: 3, 5, 10, 15 or 20"},
    )
    by = forms.ChoiceField(
        label="Group concerns by",
        choices=(("place", "Place"), ("cell", "Area (H3 cell of the size chosen)")),
        required=False,
        error_messages={"invalid_choice": "Select place or area"},
    )

    field_order = ["min_young_people", "by", *PlaceAnalysisForm.FILTER_ORDER]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["min_young_people"].initial = 3
        self.fields["by"].initial = "place"


def _bands(text: str, unit: str, limit: int) -> tuple[int, ...]:
    parts = [p.strip() for p in text.replace(" ", ",").split(",") if p.strip()]
    if not parts:
        raise forms.ValidationError(f"Enter at least one band in {unit}, like 7,14,21")
    try:
        values = tuple(int(p) for p in parts)
    except ValueError as exc:
        raise forms.ValidationError(
            f"Enter the bands as whole numbers of {unit} separated by commas, like 7,14,21"
        ) from exc
    if any(v <= 0 for v in values):
        raise forms.ValidationError(f"Each band must be more than 0 {unit}")
    if any(b <= a for a, b in zip(values, values[1:], strict=False)):
        raise forms.ValidationError("Enter the bands from smallest to largest, each larger")
    if values[-1] > limit or len(values) > 10:
        raise forms.ValidationError(f"Enter up to 10 bands, none more than {limit} {unit}")
    return values


class NearRepeatForm(PlaceAnalysisForm):
    DISTANCE_BANDS = (100, 200, 400)
    DAY_BANDS = (7, 14, 21)

    distance_bands = forms.CharField(
        label="Distance bands in metres",
        required=False,
        help_text="Upper limits, separated by commas, for example 100,200,400",
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-20"}),
    )
    day_bands = forms.CharField(
        label="Day bands in days",
        required=False,
        help_text="Upper limits, separated by commas, for example 7,14,21",
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-20"}),
    )

    field_order = ["distance_bands", "day_bands", *PlaceAnalysisForm.FILTER_ORDER]

    def clean_distance_bands(self) -> tuple[int, ...]:
        text = self.cleaned_data.get("distance_bands") or ""
        return _bands(text, "metres", 10_000) if text else self.DISTANCE_BANDS

    def clean_day_bands(self) -> tuple[int, ...]:
        text = self.cleaned_data.get("day_bands") or ""
        return _bands(text, "days", 365) if text else self.DAY_BANDS


# --- the same filters read from the API's query string ---------------------------------------

MAX_RUNS = 999


def whole_number(label: str, low: int, high: int, help_text: str = "") -> forms.IntegerField:
    """An optional whole-number parameter whose errors say what was wanted."""
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=low,
        max_value=high,
        help_text=help_text or f"From {low} to {high}",
        error_messages={
            "invalid": f"Enter a whole number from {low} to {high}",
            "min_value": f"Enter {low} or more",
            "max_value": f"Enter {high} or less",
        },
    )


class AnalysisQuery(PlaceAnalysisForm):
    """The filters every analysis of places takes, read from the query string."""

    def __init__(self, data: Any = None, *, user: Actor | None = None) -> None:
        agencies = agency_list_visible_to(user=user) if user is not None else ()
        super().__init__(data, agencies=agencies)
        self.user = user
        # The web form's hints speak of ticking boxes; these speak of the query string.
        for name, hint in (
            ("category", "Repeat for several kinds; none means every kind of risk"),
            ("months", "How many months, up to the end date"),
            ("agency", "The id of the agency that recorded the concerns (see /api/agencies/)"),
            ("end", "A date, like 2026-11-27; the latest concern if not given"),
            (
                "time_steps",
                "Earlier slices in each emerging hot spot's neighbourhood, from 0 to 3 (ArcGIS's "
                "Neighborhood Time Step)",
            ),
            ("fdr", "on: Benjamini-Hochberg over every area (and slice); off: no correction"),
        ):
            self.fields[name].help_text = hint

    def value_or_default(self, name: str) -> Any:
        """A cleaned value, or the field's documented default when none was given."""
        value = self.cleaned_data.get(name)
        return self.fields[name].initial if value in (None, "") else value


class NearRepeatQuery(AnalysisQuery, NearRepeatForm):
    runs = whole_number(
        "Monte Carlo runs", 1, MAX_RUNS, f"Times the dates are shuffled, from 1 to {MAX_RUNS}"
    )
    seed = whole_number("Random seed", 0, 2**32 - 1, "The same seed gives the same p-values")

    field_order = ["distance_bands", "day_bands", "runs", "seed"]

    def __init__(self, data: Any = None, *, user: Actor | None = None) -> None:
        super().__init__(data, user=user)
        self.fields["distance_bands"].initial = ",".join(map(str, self.DISTANCE_BANDS))
        self.fields["day_bands"].initial = ",".join(map(str, self.DAY_BANDS))
        self.fields["runs"].initial = 99
        self.fields["seed"].initial = 1


class SharedContextsQuery(AnalysisQuery):
    min_young_people = whole_number("At least this many children with no link between them", 2, 50)
    by = forms.ChoiceField(
        label="Group concerns by",
        choices=(("place", "Place"), ("cell", "Area (H3 cell of the size chosen)")),
        required=False,
        error_messages={"invalid_choice": "Select place or cell"},
    )
    limit = whole_number("How many shared contexts", 1, 100, "The strongest first, 1 to 100")

    field_order = ["min_young_people", "by", "limit"]

    def __init__(self, data: Any = None, *, user: Actor | None = None) -> None:
        super().__init__(data, user=user)
        for name, value in (("min_young_people", 3), ("by", "place"), ("limit", 20)):
            self.fields[name].initial = value


class TimeProfileQuery(AnalysisQuery):
    place = forms.IntegerField(
        label="Place",
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text="The id of a place. Give a place or a cell, not both",
        error_messages={"invalid": "Enter the place as its id, a whole number"},
    )
    cell = forms.CharField(
        label="Area",
        required=False,
        max_length=15,
        help_text="An H3 cell index, like 89195da49b7ffff. Give a place or a cell, not both",
        error_messages={"max_length": "Enter an H3 cell index of 15 characters"},
    )

    field_order = ["place", "cell"]

    def clean_place(self) -> Place | None:
        pk = self.cleaned_data.get("place")
        if pk is None:
            return None
        places = (
            Place.objects.none() if self.user is None else place_list_visible_to(user=self.user)
        )
        place = places.filter(pk=pk).first()
        if place is None:
            raise forms.ValidationError(f"There is no place with the id {pk} that you can see")
        return place

    def clean_cell(self) -> str:
        cell = (self.cleaned_data.get("cell") or "").lower()
        if cell and not cell_is_valid(cell):
            raise forms.ValidationError("Enter an H3 cell index, like 89195da49b7ffff")
        return cell

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given = [n for n in ("place", "cell") if data.get(n)]
        if len(given) == 2:
            raise forms.ValidationError("Give a place or a cell, not both")
        if not given and not {"place", "cell"} & set(self.errors):
            raise forms.ValidationError("Give a place (its id) or a cell (an H3 index)")
        return data
