"""One area (an H3 cell): its boundary, whether an index names one, its places and concerns."""

import re
from dataclasses import dataclass

import h3
import numpy as np
import numpy.typing as npt

from waymark.analytics.timeprofile import time_profile

from .filters import AnalysisFilters
from .points import analysis_cached, concern_points, places_per_cell

_CELL_INDEX = re.compile(r"[0-9a-f]{15}")


def cell_geometry(cell: str) -> list[list[float]]:
    """The cell's boundary as a closed GeoJSON ring of [longitude, latitude]."""
    ring = [[round(lon, 6), round(lat, 6)] for lat, lon in h3.cell_to_boundary(cell)]
    return [*ring, ring[0]]


def cell_is_valid(cell: str) -> bool:
    """A cell index as Waymark writes them: 15 lower-case hex digits naming a real H3 cell.

    h3 reads its argument with int(text, 16), so it would also take " 89..", "0x89..", "89_1.."
    or upper case, none of which match the cells the analysis keys on; and it raises
    OverflowError for "-1" or for more than 16 digits.
    """
    if not isinstance(cell, str) or not _CELL_INDEX.fullmatch(cell):
        return False
    try:
        return bool(h3.is_valid_cell(cell))
    except (TypeError, ValueError, OverflowError):
        return False


@dataclass(frozen=True)
class CellDetail:
    cell: str
    resolution: int
    place_ids: list[int]
    concern_ids: list[int]  # concerns in the cell after the filters (not all visible to everyone)
    profile: npt.NDArray[np.int64]  # hour x weekday
    untimed: int  # concerns with no recorded time


def _cell_detail(filters: AnalysisFilters, cell: str) -> CellDetail:
    resolution = h3.get_resolution(cell)
    place_ids = places_per_cell(resolution=resolution).get(cell, [])
    points = concern_points(filters=filters)
    inside = np.isin(points.place, np.array(place_ids, dtype=np.int64))
    mine = points.take(inside)
    return CellDetail(
        cell=cell,
        resolution=resolution,
        place_ids=sorted(place_ids),
        concern_ids=mine.concern.tolist(),
        profile=time_profile(mine.at),
        untimed=int(np.isnat(mine.at).sum()),
    )


def cell_detail(*, filters: AnalysisFilters, cell: str) -> CellDetail:
    return analysis_cached("cell", filters, lambda: _cell_detail(filters, cell), extra=cell)
