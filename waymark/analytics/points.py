"""Read concern locations from a CSV file for the analysts' commands.

The file has a header row naming `lat` and `lon`, and optionally `occurred_at` (an ISO 8601 date
or date-time; a date-time with an offset is converted to UTC, one without is taken as UTC) and
`category`. Other columns are ignored. Lines are counted as a text editor counts them, the header
being line 1, so an error message points at the line to fix.
"""

import csv
import datetime
import math
from dataclasses import dataclass
from os import PathLike

import numpy as np
import numpy.typing as npt

REQUIRED = ("lat", "lon")


class PointsError(ValueError):
    """A problem with the input file, in words that name the line and column to fix."""


@dataclass(frozen=True)
class Points:
    lat: npt.NDArray[np.float64]
    lon: npt.NDArray[np.float64]
    occurred_at: npt.NDArray[np.datetime64] | None  # datetime64[s], UTC
    category: list[str] | None

    def __len__(self) -> int:
        return len(self.lat)


def _number(text: str, line: int, column: str, low: float, high: float) -> float:
    try:
        value = float(text)
    except ValueError:
        raise PointsError(f"line {line}, column '{column}': '{text}' is not a number") from None
    if not math.isfinite(value) or not low <= value <= high:
        raise PointsError(
            f"line {line}, column '{column}': {text} is out of range ({low:g} to {high:g})"
        )
    return value


def _when(text: str, line: int) -> np.datetime64:
    try:
        moment = datetime.datetime.fromisoformat(text.strip())
    except ValueError:
        raise PointsError(
            f"line {line}, column 'occurred_at': '{text}' is not a date or date-time "
            "(use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS)"
        ) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.UTC).replace(tzinfo=None)
    return np.datetime64(moment, "s")


def read_points(path: str | PathLike[str]) -> Points:
    """Read and check every row of a points file; raise PointsError at the first bad value."""
    lats: list[float] = []
    lons: list[float] = []
    whens: list[np.datetime64] = []
    categories: list[str] = []
    try:
        handle = open(path, newline="", encoding="utf-8-sig")  # noqa: SIM115
    except OSError as exc:
        raise PointsError(f"cannot read {path}: {exc.strerror}") from None
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except StopIteration:
            raise PointsError("line 1: the file is empty; expected a header with lat,lon") from None
        except (csv.Error, UnicodeDecodeError) as exc:
            raise PointsError(f"line 1: {exc}") from None
        names = [name.strip().lower() for name in header]
        for column in REQUIRED:
            if column not in names:
                raise PointsError(
                    f"line 1, column '{column}': missing from the header "
                    f"(found {', '.join(names) or 'nothing'})"
                )
        at = {name: names.index(name) for name in names}
        has_when = "occurred_at" in at
        has_category = "category" in at
        try:
            for row in reader:
                line = reader.line_num
                if not any(cell.strip() for cell in row):
                    continue  # a blank line, often the last
                cells = {name: (row[i].strip() if i < len(row) else "") for name, i in at.items()}
                for column in REQUIRED + (("occurred_at",) if has_when else ()):
                    if cells[column] == "":
                        raise PointsError(f"line {line}, column '{column}': no value")
                lats.append(_number(cells["lat"], line, "lat", -90.0, 90.0))
                lons.append(_number(cells["lon"], line, "lon", -180.0, 180.0))
                if has_when:
                    whens.append(_when(cells["occurred_at"], line))
                if has_category:
                    categories.append(cells["category"])
        except (csv.Error, UnicodeDecodeError) as exc:
            raise PointsError(f"line {reader.line_num}: {exc}") from None
    return Points(
        lat=np.asarray(lats, dtype=np.float64),
        lon=np.asarray(lons, dtype=np.float64),
        occurred_at=np.asarray(whens, dtype="datetime64[s]") if has_when else None,
        category=categories if has_category else None,
    )
