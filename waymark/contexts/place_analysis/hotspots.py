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

from .filters import SMALL_COUNT, AnalysisFilters
from .points import analysis_cached, concern_points, places_per_cell


@dataclass(frozen=True)
class CellRow:
    """One H3 cell of the study area, as the Places page and the API show it."""

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
        return 0 < self.count < SMALL_COUNT

    @property
    def count_shown(self) -> int | None:
        return None if self.count_suppressed else self.count

    @property
    def count_text(self) -> str:
        return "fewer than 5" if self.count_suppressed else str(self.count)

    @property
    def description(self) -> str:
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

    def slice_classes(self) -> dict[str, list[int]]:
        """Per shown cell, the class in each slice: +1 hot, -1 cold, 0 neither."""
        if self.hot is None:
            return {}
        index = {c: i for i, c in enumerate(self.hot.cells.tolist())}
        out: dict[str, list[int]] = {}
        for row in self.rows:
            i = index.get(row.cell)
            if i is None:
                continue
            out[row.cell] = (
                self.hot.hot[:, i].astype(int) - self.hot.cold[:, i].astype(int)
            ).tolist()
        return out


def _analyse(filters: AnalysisFilters) -> PlaceAnalysis:
    points = concern_points(filters=filters)
    if len(points) == 0:
        return PlaceAnalysis(filters=filters, points=0, rows=[], hot=None)
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
    rows.sort(key=lambda r: (-r.cls, -r.z, r.cell))
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
