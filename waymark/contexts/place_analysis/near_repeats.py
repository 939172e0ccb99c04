"""Near repeats: do concerns close in space follow each other closely in time (the Knox test)?"""

from waymark.analytics.near_repeat import KnoxResult, knox_test_latlon

from .filters import AnalysisFilters
from .points import analysis_cached, concern_points


def near_repeat_analysis(
    *,
    filters: AnalysisFilters,
    distance_bands: tuple[int, ...],
    day_bands: tuple[int, ...],
    runs: int = 99,
    seed: int = 1,
) -> KnoxResult | None:
    """The Knox test over the filtered concerns; None with fewer than two concerns."""

    def compute() -> KnoxResult | None:
        points = concern_points(filters=filters)
        if len(points) < 2:
            return None
        return knox_test_latlon(
            lat=points.lat,
            lon=points.lon,
            occurred_at=points.day,
            distance_bands=distance_bands,
            day_bands=day_bands,
            runs=runs,
            seed=seed,
        )

    extra = f"{distance_bands}:{day_bands}:{runs}:{seed}"
    return analysis_cached("knox", filters, compute, extra=extra)
