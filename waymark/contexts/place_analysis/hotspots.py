"""Hot spots (Gi* over the whole period) and emerging hot spots (the trend in each area)."""

from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np

from waymark.analytics.emerging import EmergingResult, emerging_hotspots
from waymark.analytics.hotspots import (
    HotspotResult,
    bin_points,
    class_label,
    classify,
    counts_on_grid,
    grid_build,
    hotspots_on_grid,
)
from waymark.core.suppression import (
    THRESHOLD,
    count_is_small,
    count_shown,
    count_text,
    table_suppress,
)

from .filters import AnalysisFilters
from .points import analysis_cached, concern_points, places_per_cell

NOT_SHOWN = "not shown"


@dataclass(frozen=True)
class CellRow:
    """One H3 cell of the study area, as the Places page and the API show it.

    The fields are exact. Pages and the API publish the `*_shown` properties: with 1 to 4
    concerns in the cell, its count is "fewer than 5" and its z-score, p-values, class,
    confidence, trend and slices are withheld too, since each is a function of that count (the
    class says hot or cold, which with the neighbours' counts bounds it). Counts shown are
    rounded to the nearest 5 (`waymark.core.suppression`, rule 3).
    """

    cell: str
    count: int
    z: float
    p: float
    p_fdr: float
    cls: int
    trend: str  # emerging hot-spot category over the period
    trend_z: float
    places: int  # places in the cell

    @property
    def label(self) -> str:
        return class_label(self.cls)

    @property
    def confidence(self) -> int:
        return {0: 0, 1: 90, 2: 95, 3: 99}[abs(self.cls)]

    @property
    def count_suppressed(self) -> bool:
        return count_is_small(self.count)

    @property
    def count_shown(self) -> int | None:
        return count_shown(self.count, rounded=True)

    @property
    def count_text(self) -> str:
        return count_text(self.count_shown)

    @property
    def z_shown(self) -> float | None:
        return None if self.count_suppressed else self.z

    @property
    def p_shown(self) -> float | None:
        return None if self.count_suppressed else self.p

    @property
    def p_fdr_shown(self) -> float | None:
        return None if self.count_suppressed else self.p_fdr

    @property
    def cls_shown(self) -> int | None:
        return None if self.count_suppressed else self.cls

    @property
    def confidence_shown(self) -> int | None:
        return None if self.count_suppressed else (self.confidence or None)

    @property
    def label_shown(self) -> str:
        return NOT_SHOWN if self.count_suppressed else self.label

    @property
    def trend_shown(self) -> str:
        return NOT_SHOWN if self.count_suppressed else self.trend

    @property
    def trend_z_shown(self) -> float | None:
        return None if self.count_suppressed else self.trend_z

    @property
    def description(self) -> str:
        if self.count_suppressed:
            return "Fewer than 5 concerns: the result is not shown, as it could identify them"
        if self.cls > 0:
            return f"Children may be at risk here ({self.confidence}% confidence)"
        if self.cls < 0:
            return f"Fewer concerns than expected ({self.confidence}% confidence)"
        return "No pattern beyond chance"


@dataclass(frozen=True)
class PlaceAnalysis:
    """Gi* over the whole period, and the emerging hot-spot category of each cell."""

    filters: AnalysisFilters
    points: int
    rows: list[CellRow]  # cells with concerns or a significant result, strongest first
    hot: EmergingResult | None
    slices: list[date] = field(default_factory=list)
    cells_in_study_area: int = 0

    @property
    def points_shown(self) -> int | None:
        """The concerns analysed, as published: withheld beside any withheld cell.

        The cells' counts add up to it, so with it a single withheld cell would be the total
        minus the others. Withholding the total keeps the larger cells' counts on show.
        """
        if any(r.count_suppressed for r in self.rows):
            return None
        return count_shown(self.points, rounded=True)

    @property
    def points_text(self) -> str:
        if self.points_shown is None:
            return "Not shown (some areas have fewer than 5)"
        return str(self.points_shown)

    def slice_counts(self, row: CellRow) -> list[int | None] | None:
        """The published count of each slice of a cell, or None where the cell has no series.

        The slices add up to the cell's count, which is published, so they go through
        complementary suppression against it. A cell whose count is withheld shows no slice.
        """
        if self.hot is None:
            return None
        cells = self.hot.cells.tolist()
        if row.cell not in cells:
            return None
        i = cells.index(row.cell)
        if row.count_suppressed:
            return [None] * len(self.slices)
        table = table_suppress(
            [int(self.hot.counts[j, i]) for j in range(len(self.slices))], rounded=True
        )
        return [None] * len(self.slices) if table.withheld else list(table.cells)

    def slice_classes(self) -> dict[str, list[int | None]]:
        """Per shown cell, the class in each slice: +1 hot, -1 cold, 0 neither.

        None for a slice whose count is withheld, and no series for a cell whose count is.
        """
        if self.hot is None:
            return {}
        index = {c: i for i, c in enumerate(self.hot.cells.tolist())}
        out: dict[str, list[int | None]] = {}
        for row in self.rows:
            i = index.get(row.cell)
            counts = self.slice_counts(row)
            if i is None or row.count_suppressed or counts is None:
                continue
            classes = (self.hot.hot[:, i].astype(int) - self.hot.cold[:, i].astype(int)).tolist()
            out[row.cell] = [None if n is None else c for n, c in zip(counts, classes, strict=True)]
        return out


def _analyse(filters: AnalysisFilters) -> PlaceAnalysis:
    points = concern_points(filters=filters)
    if len(points) < THRESHOLD:
        # Too few to show anything: every cell would be withheld, and the z-scores of the empty
        # cells beside them would describe them. The answer is withheld whole.
        return PlaceAnalysis(filters=filters, points=len(points), rows=[], hot=None)
    point_cells = bin_points(points.lat, points.lon, filters.resolution)
    grid = grid_build(np.unique(point_cells), filters.k)
    result: HotspotResult = hotspots_on_grid(
        grid, counts_on_grid(grid, point_cells), fdr=filters.alpha
    )
    if not filters.fdr:  # classes from the unadjusted p, which p_fdr then shows
        result = replace(result, p_fdr=result.p, cls=classify(result.z, result.p, filters.alpha))
    emerging = emerging_hotspots(
        points.lat,
        points.lon,
        points.day,
        interval=filters.interval,  # type: ignore[arg-type]
        resolution=filters.resolution,
        k=filters.k,
        time_steps=filters.time_steps,
        alpha=filters.alpha,
        fdr=filters.fdr,
        end=np.datetime64(filters.date_to, "D"),
    )
    trend = dict(zip(emerging.cells.tolist(), emerging.category, strict=True))
    trend_z = dict(zip(emerging.cells.tolist(), emerging.trend_z.tolist(), strict=True))
    per_cell = places_per_cell(resolution=filters.resolution)
    rows = [
        CellRow(
            cell=cell,
            count=int(result.count[i]),
            z=float(result.z[i]),
            p=float(result.p[i]),
            p_fdr=float(result.p_fdr[i]),
            cls=int(result.cls[i]),
            trend=trend.get(cell, "no pattern"),
            trend_z=float(trend_z.get(cell, 0.0)),
            places=len(per_cell.get(cell, ())),
        )
        for i, cell in enumerate(result.cells.tolist())
        if result.count[i] > 0
        or result.cls[i] != 0
        or trend.get(cell, "no pattern") != "no pattern"
    ]
    # Strongest first among the results shown; withheld cells after them in cell order, so
    # that their place in the list says nothing about their z-score.
    rows.sort(
        key=lambda r: (1, 0, 0.0, r.cell) if r.count_suppressed else (0, -r.cls, -r.z, r.cell)
    )
    return PlaceAnalysis(
        filters=filters,
        points=len(points),
        rows=rows,
        hot=emerging,
        slices=[d.astype(date) for d in emerging.slices],
        cells_in_study_area=len(result.cells),
    )


def place_analysis(*, filters: AnalysisFilters) -> PlaceAnalysis:
    """Hot spots and emerging hot spots for the filters (cached by data version)."""
    return analysis_cached("hotspots", filters, lambda: _analyse(filters))
