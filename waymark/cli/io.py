"""What the `waymark` commands share: argument types, the CSV files they read, and output files
written whole or not at all.

An input file is CSV with a header row. Column names are matched ignoring case and surrounding
spaces, other columns are ignored, and blank lines are skipped. Lines are counted as a text editor
counts them, the header being line 1, so an InputError names the line and column to fix.

- A points file (`read_points`) names `lat` and `lon` (WGS84 degrees), and optionally
  `occurred_at` (an ISO 8601 date or date-time; a date-time with an offset is converted to UTC,
  one without is taken as UTC) and `category`.
- A links file (`read_edges`) names `source` and `target`, and optionally `weight` (0 or more).

The readers return plain lists: the commands that analyse them make the arrays, so that this
module, which every command imports, loads no numpy.
"""

import argparse
import csv
import datetime
import io
import math
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

from waymark.cli.errors import CommandFailed

# What `add_subparsers` returns; each command module adds its commands to it.
Subcommands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


# --- argument types -------------------------------------------------------------------------


def positive_int(value: str) -> int:
    """An argparse type: a whole number of 1 or more."""
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"'{value}' is not a whole number of 1 or more")
    return number


# --- output ---------------------------------------------------------------------------------


def csv_text(header: list[str], rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def write_text_atomically(path: Path, text: str) -> None:
    """Write beside the target, then rename: a reader never sees half a file, and a failed run
    leaves none behind. Raises CommandFailed when the folder does not exist."""
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise CommandFailed(f"cannot write {path}: the folder {directory} does not exist")
    handle, temp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        # mkstemp makes the file private; give it the mode a plain open() would have.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp, 0o666 & ~umask)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    write_text_atomically(path, csv_text(header, rows))


# --- input ----------------------------------------------------------------------------------


class InputError(ValueError):
    """A problem with an input file, in words that name the line and column to fix."""


@dataclass(frozen=True)
class _Table:
    columns: frozenset[str]
    rows: Iterator[tuple[int, dict[str, str]]]  # (line, cell by column), blank lines skipped


@contextmanager
def _csv_table(
    path: str | os.PathLike[str], *, required: tuple[str, ...], expected: str
) -> Iterator[_Table]:
    """Open a CSV file and check its header has the `required` columns; `expected` describes the
    header wanted, for the messages. Raises InputError, here or while the rows are read."""
    try:
        handle = open(path, newline="", encoding="utf-8-sig")  # noqa: SIM115
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, None)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise InputError(f"line 1: {exc}") from None
        if header is None:
            raise InputError(f"line 1: the file is empty; expected a header with {expected}")
        names = [name.strip().lower() for name in header]
        for column in required:
            if column not in names:
                raise InputError(
                    f"line 1, column '{column}': missing from the header "
                    f"(expected {expected}; found {', '.join(names) or 'nothing'})"
                )
        at = {name: names.index(name) for name in names}

        def rows() -> Iterator[tuple[int, dict[str, str]]]:
            for row in reader:
                if not any(cell.strip() for cell in row):
                    continue  # a blank line, often the last
                yield (
                    reader.line_num,
                    {name: (row[i].strip() if i < len(row) else "") for name, i in at.items()},
                )

        try:
            yield _Table(frozenset(at), rows())
        except (csv.Error, UnicodeDecodeError) as exc:
            raise InputError(f"line {reader.line_num}: {exc}") from None


def _value(cells: dict[str, str], column: str, line: int) -> str:
    value = cells[column]
    if not value:
        raise InputError(f"line {line}, column '{column}': no value")
    return value


def _number(text: str, line: int, column: str, *, low: float, high: float = math.inf) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"line {line}, column '{column}': '{text}' is not a number") from None
    if not math.isfinite(value):
        raise InputError(f"line {line}, column '{column}': '{text}' is not a finite number")
    if value < low or value > high:
        if math.isfinite(high):
            problem = f"is out of range ({low:g} to {high:g})"
        else:
            problem = "is negative; use 0 or more" if low == 0 else f"is less than {low:g}"
        raise InputError(f"line {line}, column '{column}': {text} {problem}")
    return value


def _moment(text: str, line: int) -> datetime.datetime:
    """A date or date-time, as a naive date-time in UTC."""
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"line {line}, column 'occurred_at': '{text}' is not a date or date-time "
            "(use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS)"
        ) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.UTC).replace(tzinfo=None)
    return moment


@dataclass(frozen=True)
class Points:
    """Concern locations, in file order. `occurred_at` and `category` are None when the file
    has no such column; times are naive and in UTC."""

    lat: list[float]
    lon: list[float]
    occurred_at: list[datetime.datetime] | None
    category: list[str] | None

    def __len__(self) -> int:
        return len(self.lat)


def read_points(path: str | os.PathLike[str]) -> Points:
    """Read and check every row of a points file; raise InputError at the first bad value."""
    lats: list[float] = []
    lons: list[float] = []
    whens: list[datetime.datetime] = []
    categories: list[str] = []
    with _csv_table(path, required=("lat", "lon"), expected="lat,lon") as table:
        has_when = "occurred_at" in table.columns
        has_category = "category" in table.columns
        needed = ("lat", "lon", "occurred_at") if has_when else ("lat", "lon")
        for line, cells in table.rows:
            for column in needed:
                _value(cells, column, line)
            lats.append(_number(cells["lat"], line, "lat", low=-90.0, high=90.0))
            lons.append(_number(cells["lon"], line, "lon", low=-180.0, high=180.0))
            if has_when:
                whens.append(_moment(cells["occurred_at"], line))
            if has_category:
                categories.append(cells["category"])
    return Points(
        lat=lats,
        lon=lons,
        occurred_at=whens if has_when else None,
        category=categories if has_category else None,
    )


def read_edges(path: str | os.PathLike[str]) -> tuple[list[str], list[str], list[float] | None]:
    """Read and check every row of a links file: (sources, targets, weights or None). Raise
    InputError at the first bad row."""
    sources: list[str] = []
    targets: list[str] = []
    weights: list[float] = []
    with _csv_table(
        path, required=("source", "target"), expected="source,target[,weight]"
    ) as table:
        has_weight = "weight" in table.columns
        for line, cells in table.rows:
            source = _value(cells, "source", line)
            target = _value(cells, "target", line)
            if source == target:
                raise InputError(
                    f"line {line}, columns 'source' and 'target': '{source}' is linked to "
                    "itself (a self-loop); a link joins two different people"
                )
            sources.append(source)
            targets.append(target)
            if has_weight:
                weights.append(_number(_value(cells, "weight", line), line, "weight", low=0.0))
    return sources, targets, (weights if has_weight else None)
