"""The filters every analysis of places takes, and the defaults they start from."""

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from django.db.models import Max
from django.utils import timezone

from waymark.analytics.emerging import months_back
from waymark.concerns.models import Concern
from waymark.concerns.selectors import concern_shared_q

AGE_BANDS: dict[str, tuple[str, int, int]] = {
    "under-10": ("Under 10", 0, 9),
    "10-13": ("10 to 13", 10, 13),
    "14-15": ("14 to 15", 14, 15),
    "16-17": ("16 to 17", 16, 17),
    "18-25": ("18 to 25", 18, 25),
}
CONFIDENCE_ALPHA = {90: 0.10, 95: 0.05, 99: 0.01}
RESOLUTIONS = range(6, 11)
RING_SIZES = range(1, 4)
INTERVALS = ("month", "week")
TIME_STEPS = range(0, 4)  # earlier slices in an emerging hot spot's neighbourhood
DEFAULT_MONTHS = 12


@dataclass(frozen=True)
class AnalysisFilters:
    """What to analyse. Every analysis of places takes the same filters."""

    date_from: date
    date_to: date
    categories: tuple[str, ...] = ()
    age_band: str = ""
    agency_id: int | None = None
    resolution: int = 9
    k: int = 1
    confidence: int = 95
    interval: str = "month"
    time_steps: int = 1  # ArcGIS's Neighborhood Time Step default
    fdr: bool = True  # Benjamini-Hochberg; off only on request

    def key(self) -> str:
        return "|".join(
            str(v)
            for v in (
                self.date_from,
                self.date_to,
                ",".join(sorted(self.categories)),
                self.age_band,
                self.agency_id,
                self.resolution,
                self.k,
                self.confidence,
                self.interval,
                self.time_steps,
                self.fdr,
            )
        )

    @property
    def alpha(self) -> float:
        return CONFIDENCE_ALPHA[self.confidence]


def analysis_default_period(*, today: date | None = None) -> tuple[date, date]:
    """The twelve months up to the latest concern (or today when there are none, or later ones).

    Only concerns every agency may know of (handling code P) set it: the period is shown to every
    viewer, and a later C concern would move it, telling them the concern exists and its date.
    """
    today = today or timezone.localdate()
    latest = Concern.objects.filter(concern_shared_q(), occurred_on__lte=today).aggregate(
        d=Max("occurred_on")
    )["d"]
    end = latest or today
    start = months_back(np.datetime64(end + timedelta(days=1)), np.array([DEFAULT_MONTHS]))[0]
    return start.astype(date), end
