"""When concerns happen: hour of the day by day of the week, at a place or in an area."""

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from waymark.analytics.timeprofile import time_profile

from .cells import cell_detail
from .filters import AnalysisFilters
from .points import analysis_cached, concern_points


@dataclass(frozen=True)
class TimeProfile:
    profile: npt.NDArray[np.int64]
    concerns: int
    untimed: int


def place_time_profile(*, filters: AnalysisFilters, place_id: int) -> TimeProfile:
    def compute() -> TimeProfile:
        points = concern_points(filters=filters)
        mine = points.take(points.place == place_id)
        return TimeProfile(time_profile(mine.at), len(mine), int(np.isnat(mine.at).sum()))

    return analysis_cached("profile", filters, compute, extra=str(place_id))


def cell_time_profile(*, filters: AnalysisFilters, cell: str) -> TimeProfile:
    detail = cell_detail(filters=filters, cell=cell)
    return TimeProfile(detail.profile, len(detail.concern_ids), detail.untimed)


def profile_rows(profile: npt.NDArray[np.int64]) -> list[dict[str, Any]]:
    """Hour-of-day rows for the time-profile table, with a shade from 0 to 4 for each count."""
    peak = int(profile.max()) if profile.size else 0
    rows = []
    for hour in range(24):
        counts = [int(n) for n in profile[hour]]
        rows.append(
            {
                "hour": f"{hour:02d}:00",
                "cells": [
                    (n, 0 if n == 0 or peak == 0 else 1 + min(3, (4 * n - 1) // peak))
                    for n in counts
                ],
                "total": sum(counts),
            }
        )
    return rows
