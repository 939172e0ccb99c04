"""The `waymark near-repeat` command. It needs no database.

    waymark near-repeat --input points.csv --distance-bands 100,200,300 --day-bands 7,14,21
                        [--runs 99] [--seed 1] --output out.csv

Bad input ends with one line on stderr naming the line and column, exit code 2, and no output
file. See docs/how-to/near-repeat.md.
"""

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from waymark.analytics.defaults import DEFAULT_RUNS
from waymark.cli.errors import CommandFailed
from waymark.cli.io import InputError, Subcommands, positive_int, read_points, write_csv

if TYPE_CHECKING:
    from waymark.analytics.near_repeat import KnoxResult


def _bands(value: str, *, whole: bool) -> list[float]:
    kind = "whole numbers of days" if whole else "distances in metres"
    try:
        bands = [float(part) for part in value.split(",") if part.strip()]
    except ValueError:
        bands = []
    if (
        not bands
        or any(not 0 < b < float("inf") for b in bands)
        or any(b >= c for b, c in zip(bands, bands[1:], strict=False))
        or (whole and any(b != int(b) for b in bands))
    ):
        raise argparse.ArgumentTypeError(
            f"'{value}' is not a list of increasing positive {kind}, e.g. "
            + ("7,14,21" if whole else "100,200,300")
        )
    return bands


def _distance_bands(value: str) -> list[float]:
    return _bands(value, whole=False)


def _day_bands(value: str) -> list[float]:
    return _bands(value, whole=True)


def add_commands(commands: Subcommands) -> None:
    near = commands.add_parser(
        "near-repeat",
        help="Knox test: are concerns close in space also close in time? (no database)",
        description="Count pairs of concerns in each distance band and day band, and compare "
        "with random shuffles of their dates, as the Near Repeat Calculator does. The input "
        "needs lat, lon and occurred_at columns. See docs/how-to/near-repeat.md.",
    )
    near.add_argument("--input", required=True, type=Path, help="CSV with lat,lon,occurred_at")
    near.add_argument(
        "--distance-bands",
        required=True,
        type=_distance_bands,
        help="upper limits of the distance bands in metres, e.g. 100,200,300",
    )
    near.add_argument(
        "--day-bands",
        required=True,
        type=_day_bands,
        help="upper limits of the day bands in days, e.g. 7,14,21",
    )
    near.add_argument(
        "--runs", type=positive_int, default=DEFAULT_RUNS, help=f"Monte Carlo runs ({DEFAULT_RUNS})"
    )
    near.add_argument("--seed", type=int, default=None, help="random seed, for repeatable runs")
    near.add_argument("--output", required=True, type=Path, help="CSV file to write")
    near.set_defaults(handler=cmd_near_repeat)


def result_rows(result: "KnoxResult") -> tuple[list[str], list[list[Any]]]:
    """The Calculator's table: a row per distance band; per day band observed, expected,
    ratio and p."""
    header = ["distance"]
    for day in result.day_labels:
        header += [f"{day} observed", f"{day} expected", f"{day} ratio", f"{day} p"]
    rows: list[list[Any]] = []
    for r, distance in enumerate(result.distance_labels):
        row: list[Any] = [distance]
        for c in range(len(result.day_labels)):
            ratio = result.ratio[r, c]
            row += [
                int(result.observed[r, c]),
                f"{result.expected[r, c]:.2f}",
                f"{ratio:.2f}" if ratio == ratio else "",  # NaN: nothing was expected
                f"{result.p_value[r, c]:.3f}",
            ]
        rows.append(row)
    return header, rows


def cmd_near_repeat(args: argparse.Namespace) -> int:
    # The numeric stack takes seconds to load: only the commands that use it load it.
    import numpy as np

    from waymark.analytics.near_repeat import NearRepeatError, knox_test_latlon

    try:
        points = read_points(args.input)
    except InputError as exc:
        raise CommandFailed(str(exc)) from exc
    if points.occurred_at is None:
        raise CommandFailed(
            "line 1, column 'occurred_at': missing from the header; the Knox test needs a date "
            "for every concern"
        )
    if len(points) < 2:
        raise CommandFailed(
            f"{args.input} has {len(points)} concern(s); the Knox test needs at least 2"
        )
    try:
        result = knox_test_latlon(
            lat=points.lat,
            lon=points.lon,
            occurred_at=np.asarray(points.occurred_at, dtype="datetime64[s]"),
            distance_bands=args.distance_bands,
            day_bands=args.day_bands,
            runs=args.runs,
            seed=args.seed,
        )
    except NearRepeatError as exc:
        raise CommandFailed(str(exc)) from exc
    header, rows = result_rows(result)
    write_csv(args.output, header, rows)
    verdict = (
        "more near repeats than chance at 95%"
        if result.near_repeat
        else "no more near repeats than chance at 95%"
    )
    print(
        f"Wrote {args.output}: {result.events:,} concerns, {result.runs} runs; "
        f"{result.distance_labels[1]}, {result.day_labels[0]}: {verdict}."
    )
    return 0
