"""Did the context become safer? The outcome of a context case, as it may be published.

Three readings, for every case with a plan:
1. the goal indicators over time: each assessment's ratings, and the measures workers enter;
2. concerns at the context before and after the plan started, beside the surrounding area over
   the same windows (`counts.py`), with exact rate ratios and the ratio of the two
   (`waymark.analytics.outcomes`);
3. that comparison in plain words, uncertainty included.

The counts are published through the one suppression rule. A count from 1 to 4 is shown as
"fewer than 5", and then no ratio or reading built on it is shown either: "concerns fell by about
70%" beside a count of 10 would give the withheld count back.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.utils import timezone
from django.utils.safestring import SafeString

from waymark.analytics.outcomes import (
    RateRatio,
    RatioOfRatios,
    outcome_reading,
    rate_ratio,
    ratio_of_ratios,
)
from waymark.casework.instruments import INSTRUMENTS
from waymark.casework.models import (
    Assessment,
    ContextCase,
    ContextPlan,
    Goal,
    GoalMeasure,
    SubjectKind,
)
from waymark.concerns.models import Concern
from waymark.contexts.models import Place
from waymark.core.charts import ChartTable, Series, bar_chart_svg, chart_table, line_chart_svg
from waymark.core.suppression import count_is_small, count_shown, count_text
from waymark.core.versions import Watched, data_version

from .counts import ContextCounts, Windows, context_counts, outcome_windows


@dataclass(frozen=True)
class Chart:
    svg: SafeString
    table: ChartTable


@dataclass(frozen=True)
class Ratio:
    """A ratio as published, with its interval and p-value in words."""

    estimate: float | None
    lower: float | None
    upper: float | None
    p_value: float | None

    @property
    def text(self) -> str:
        if self.estimate is None or self.lower is None or self.upper is None:
            return "Not estimable"
        upper = "no upper limit" if self.upper == float("inf") else f"{self.upper:.2f}"
        return f"{self.estimate:.2f} (95% interval {self.lower:.2f} to {upper})"

    @property
    def p_text(self) -> str:
        if self.p_value is None:
            return ""
        return "p < 0.001" if self.p_value < 0.001 else f"p = {self.p_value:.3f}"


def _ratio(value: RateRatio | RatioOfRatios | None) -> Ratio | None:
    if value is None:
        return None
    return Ratio(value.estimate, value.lower, value.upper, value.p_value)


@dataclass(frozen=True)
class ConcernsOutcome:
    """Concerns before and after the plan started, as published."""

    windows: Windows
    here_label: str
    area_label: str
    here_before: int | None
    here_after: int | None
    area_before: int | None
    area_after: int | None
    here: Ratio | None
    area: Ratio | None
    against_area: Ratio | None
    reading: str

    def text(self, value: int | None) -> str:
        return count_text(value)


@dataclass
class OutcomeShown:
    case: ContextCase
    plan: ContextPlan | None
    concerns: ConcernsOutcome | None = None
    # Why there are no concerns figures, in words, when there are none.
    concerns_missing: str = ""
    ratings: list[dict[str, Any]] = field(default_factory=list)  # per assessment, per area
    measures: list[tuple[Goal, list[GoalMeasure]]] = field(default_factory=list)
    charts: dict[str, Chart] = field(default_factory=dict)
    goal_charts: list[tuple[Goal, Chart]] = field(default_factory=list)


def _concerns_outcome(case: ContextCase, windows: Windows) -> tuple[ConcernsOutcome | None, str]:
    counts: ContextCounts | None = context_counts(case=case, windows=windows)
    if counts is None:
        return None, (
            "An online space has no place, so concerns there cannot be counted before and after "
            "the plan: read its outcome from the goal indicators."
        )
    here_small = count_is_small(counts.here_before) or count_is_small(counts.here_after)
    here = None if here_small else rate_ratio(counts.here_before, counts.here_after)
    area = against = None
    area_before, area_after = counts.area_before, counts.area_after
    if (
        area_before is not None
        and area_after is not None
        and not count_is_small(area_before)
        and not count_is_small(area_after)
    ):
        area = rate_ratio(area_before, area_after)
        if here is not None:
            against = ratio_of_ratios(
                counts.here_before, counts.here_after, area_before, area_after
            )
    if here is None:
        reading = (
            "Too few concerns here to tell whether they changed: fewer than 5 in one of the "
            "windows."
        )
    else:
        reading = outcome_reading(here, area, against)
    return (
        ConcernsOutcome(
            windows=windows,
            here_label=counts.here_label,
            area_label=counts.area_label,
            here_before=count_shown(counts.here_before),
            here_after=count_shown(counts.here_after),
            area_before=None if counts.area_before is None else count_shown(counts.area_before),
            area_after=None if counts.area_after is None else count_shown(counts.area_after),
            here=_ratio(here),
            area=_ratio(area),
            against_area=_ratio(against),
            reading=reading,
        ),
        "",
    )


OUTCOME_CACHE_SECONDS = 60 * 60


def _concerns_outcome_cached(
    case: ContextCase, windows: Windows
) -> tuple[ConcernsOutcome | None, str]:
    """`_concerns_outcome`, kept until a concern or a place changes: its exact intervals take
    tens of milliseconds, and the case page shows them to everyone who opens it. A peer group's members can change at
    any time, so its outcome is always worked out afresh."""
    if case.subject_kind == SubjectKind.PEER_GROUP:
        return _concerns_outcome(case, windows)
    # Any new, edited (recoded, moved, redated) or deleted concern, or moved place, changes it.
    version = data_version(
        [
            Watched(Concern.objects, latest=("id", "updated_at")),
            Watched(Place.objects, latest=("updated_at",)),
        ],
        also=[timezone.localdate()],
    )
    key = "waymark:case-outcome:" + ":".join(
        str(part)
        for part in (
            case.pk,
            case.place_id,
            case.neighbourhood_id,
            windows.start.isoformat(),
            windows.days,
            version,
        )
    )
    found = cache.get(key)
    if found is None:
        found = _concerns_outcome(case, windows)
        cache.set(key, found, OUTCOME_CACHE_SECONDS)
    return found


def _ratings(case: ContextCase) -> list[dict[str, Any]]:
    rows = []
    for assessment in (
        Assessment.objects.filter(case=case, completed_on__isnull=False)
        .prefetch_related("areas")
        .order_by("number")
    ):
        instrument = INSTRUMENTS[assessment.kind]
        rows.append(
            {
                "assessment": assessment,
                "on": assessment.completed_on or assessment.started_on,
                "scale": instrument.scale,
                "areas": {
                    area.area: (instrument.area(area.area).title, area.rating)
                    for area in assessment.areas.all()
                    if area.area in instrument.keys
                },
            }
        )
    return rows


def outcome_for(
    *, case: ContextCase, today: datetime.date | None = None, charts: bool = False
) -> OutcomeShown:
    """The outcome of a case as published. Charts are drawn only when asked for (they take tens
    of milliseconds each), on the outcomes page; the case page shows the reading and figures."""
    today = today or timezone.localdate()
    plan = ContextPlan.objects.filter(case=case).first()
    shown = OutcomeShown(case=case, plan=plan)
    if plan is None:
        return shown
    windows = outcome_windows(started_on=plan.started_on, today=today)
    if windows is None:
        shown.concerns_missing = (
            "The plan started less than four weeks ago: too soon to compare concerns before and "
            "after it."
        )
    else:
        shown.concerns, shown.concerns_missing = _concerns_outcome_cached(case, windows)
    shown.ratings = _ratings(case)
    goals = list(Goal.objects.filter(plan=plan).prefetch_related("measures").order_by("id"))
    shown.measures = [(goal, list(goal.measures.all())) for goal in goals if goal.measures.all()]
    if charts:
        shown.charts = _charts(shown)
    return shown


def _charts(shown: OutcomeShown) -> dict[str, Chart]:
    charts: dict[str, Chart] = {}
    concerns = shown.concerns
    if concerns is not None:
        series = [
            Series(
                concerns.here_label,
                [("Before", concerns.here_before), ("After", concerns.here_after)],
            )
        ]
        if concerns.area_before is not None or concerns.area_after is not None:
            series.append(
                Series(
                    concerns.area_label,
                    [("Before", concerns.area_before), ("After", concerns.area_after)],
                )
            )
        days = concerns.windows.days
        charts["concerns"] = Chart(
            bar_chart_svg(
                title="Concerns before and after the plan started",
                description=(
                    f"Concerns in the {days} days before and the {days} days after "
                    f"{concerns.windows.start:%d %B %Y}, here and in the surrounding area. "
                    f"{concerns.reading}"
                ),
                series=series,
                x_title="Window",
                y_title="Concerns",
            ),
            chart_table(
                caption=f"Concerns in the {days} days either side of the plan's start",
                series=series,
                x_title="Window",
            ),
        )
    if shown.ratings:
        keys = list(dict.fromkeys(k for row in shown.ratings for k in row["areas"]))[:4]
        titles = {k: t for row in shown.ratings for k, (t, _) in row["areas"].items()}
        series = [
            Series(
                titles[key],
                [(row["on"], row["areas"][key][1]) for row in shown.ratings if key in row["areas"]],
            )
            for key in keys
        ]
        scale = shown.ratings[-1]["scale"]
        charts["ratings"] = Chart(
            line_chart_svg(
                title="Assessment ratings over time",
                description=(
                    f"Each area's rating at each assessment, on the scale: {scale.name}. "
                    "Higher is safer."
                ),
                series=series,
                x_title="Assessment completed",
                y_title="Rating",
                marker_date=shown.plan.started_on if shown.plan else None,
                date_format="%d %b %Y",
            ),
            chart_table(
                caption="Ratings at each assessment",
                series=series,
                x_title="Assessment completed",
                date_format="%d %b %Y",
            ),
        )
    for goal, measures in shown.measures:
        label = goal.indicator or "Measure"
        series = [Series(label, [(m.measured_on, m.value) for m in measures])]
        shown.goal_charts.append(
            (
                goal,
                Chart(
                    line_chart_svg(
                        title=f"{label} over time",
                        description=f"The measure entered for the goal: {goal.outcome}",
                        series=series,
                        x_title="Measured on",
                        y_title=label,
                        marker_date=shown.plan.started_on if shown.plan else None,
                        date_format="%d %b %Y",
                    ),
                    chart_table(
                        caption=f"{label}: each measure",
                        series=series,
                        x_title="Measured on",
                        date_format="%d %b %Y",
                    ),
                ),
            )
        )
    return charts


def outcomes_section_for(*, user: Any, case: ContextCase) -> OutcomeShown | None:
    """The outcome section of the case page: the reading and the figures, without charts."""
    if not ContextPlan.objects.filter(case=case).exists():
        return None
    return outcome_for(case=case)


def outcome_snapshot(*, case: ContextCase) -> dict[str, Any]:
    """The outcome reading of a case as it stands today, kept on the case when it closes."""
    shown = outcome_for(case=case)
    concerns = shown.concerns
    if concerns is None:
        return {"on": timezone.localdate().isoformat(), "reading": shown.concerns_missing}
    return {
        "on": timezone.localdate().isoformat(),
        "reading": concerns.reading,
        "window_days": concerns.windows.days,
        "plan_started_on": concerns.windows.start.isoformat(),
        "here": {"before": concerns.here_before, "after": concerns.here_after},
        "area": {"before": concerns.area_before, "after": concerns.area_after},
        "here_ratio": concerns.here.text if concerns.here else None,
        "area_ratio": concerns.area.text if concerns.area else None,
        "against_area": concerns.against_area.text if concerns.against_area else None,
        "against_area_p": concerns.against_area.p_text if concerns.against_area else None,
    }
