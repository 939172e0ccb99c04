"""When concerns happen: hour of the day by day of the week, at a place or in an area."""

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from waymark.analytics.timeprofile import HOURS, WEEKDAYS, time_profile
from waymark.core.suppression import count_shown, count_text, table_suppress

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


@dataclass(frozen=True)
class ProfileShown:
    """A time profile as published (`waymark.core.suppression`, rounded: it takes filters).

    Three sets of counts are published together: the concerns total, split into the hours of
    the day and the untimed; and each hour, split into days of the week. Each set goes through
    complementary suppression against its total. An hour whose own total is withheld shows none
    of its days either, since days all shown would add up to it. With 1 to 4 concerns, or a set
    that cannot be protected, the profile is withheld whole.
    """

    profile: list[list[int | None]] | None  # 24 rows (hours) of 7 (days)
    hour_totals: list[int | None] | None
    concerns: int | None
    untimed: int | None
    suppressed: bool
    weekdays: tuple[str, ...] = WEEKDAYS
    hours: tuple[str, ...] = tuple(f"{h:02d}:00" for h in range(HOURS))

    @classmethod
    def of(cls, profile: TimeProfile) -> "ProfileShown":
        concerns = count_shown(profile.concerns, rounded=True)
        if concerns is None:
            return cls(None, None, None, None, True)
        matrix = [[int(n) for n in row] for row in profile.profile]
        top = table_suppress([sum(row) for row in matrix] + [profile.untimed], rounded=True)
        if top.withheld:
            return cls(None, None, concerns, None, True)
        rows: list[list[int | None]] = []
        for row, total in zip(matrix, top.cells[:-1], strict=True):
            if total is None:
                rows.append([0 if n == 0 else None for n in row])
                continue
            days = table_suppress(row, rounded=True)
            rows.append([None] * len(row) if days.withheld else list(days.cells))
        return cls(rows, list(top.cells[:-1]), concerns, top.cells[-1], False)

    def rows(self) -> list[dict[str, Any]]:
        """Hour-of-day rows for the table, each day with its text and a shade from 0 to 4.

        Shades come from the published counts, so a withheld count is shaded as 1 whatever it is.
        """
        if self.profile is None or self.hour_totals is None:
            return []
        peak = max((n or 0 for row in self.profile for n in row), default=0)

        def shade(n: int | None) -> int:
            if n is None:
                return 1
            return 0 if n == 0 or peak == 0 else 1 + min(3, (4 * n - 1) // peak)

        return [
            {
                "hour": hour,
                "cells": [(count_text(n), shade(n)) for n in row],
                "total": count_text(total),
            }
            for hour, row, total in zip(self.hours, self.profile, self.hour_totals, strict=True)
        ]

    @property
    def concerns_text(self) -> str:
        return count_text(self.concerns)

    @property
    def untimed_text(self) -> str:
        return count_text(self.untimed)
