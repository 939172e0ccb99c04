"""The `waymark hotspots` and `waymark emerging-hotspots` commands.

    waymark hotspots --input points.csv [--resolution 9] [--k 1] [--permutations 0] [--seed 1]
                     [--fdr 0.05] --output out.csv|out.geojson
    waymark emerging-hotspots --input points.csv --interval week|month [--resolution 9] [--k 1]
                     [--time-steps 1] [--confidence 90] [--no-fdr] --output out.csv|out.geojson

They read a CSV of points, need no database, and write the output through a temporary file in the
same directory, renamed at the end: bad input ends with one line on stderr naming the line and
column, exit code 2, and no output file. See docs/how-to/hotspots.md.
"""

import argparse
import json
from pathlib import Path
from typing import Any

from waymark.cli.errors import CommandFailed
from waymark.cli.io import (
    InputError,
    Points,
    Subcommands,
    read_points,
    write_csv,
    write_text_atomically,
)


def _resolution(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = -1
    if not 0 <= number <= 15:
        raise argparse.ArgumentTypeError(f"'{value}' is not an H3 resolution from 0 to 15")
    return number


def _count(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise argparse.ArgumentTypeError(f"'{value}' is not a whole number of 0 or more")
    return number


def _rate(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 < number < 1:
        raise argparse.ArgumentTypeError(f"'{value}' is not a rate between 0 and 1")
    return number


_ALPHA = {90: 0.10, 95: 0.05, 99: 0.01}  # confidence (%) to the largest p that is significant


def _output(value: str) -> Path:
    path = Path(value)
    if path.suffix.lower() not in (".csv", ".geojson"):
        raise argparse.ArgumentTypeError(f"'{value}' must end in .csv or .geojson")
    return path


def add_commands(commands: Subcommands) -> None:
    hot = commands.add_parser(
        "hotspots",
        help="find places where concerns cluster (Getis-Ord Gi* on H3 cells), from a CSV",
        description="Bin points to H3 cells, compute Gi* z-scores over the occupied cells and "
        "their neighbours, correct p-values for the false discovery rate, and class each cell. "
        "Needs no database. See docs/how-to/hotspots.md.",
    )
    _common(hot)
    hot.add_argument(
        "--permutations", type=_count, default=0, help="permutation pseudo p-values (0: none)"
    )
    hot.add_argument("--seed", type=int, default=1, help="seed for the permutations (1)")
    hot.add_argument(
        "--fdr", type=_rate, default=0.05, help="false discovery rate: largest q classed (0.05)"
    )
    hot.set_defaults(handler=cmd_hotspots)

    emerging = commands.add_parser(
        "emerging-hotspots",
        help="find new, intensifying and fading places where concerns cluster, from a CSV",
        description="A space-time cube of weeks or months: Gi* over each bin's neighbours in "
        "space and in the earlier time steps, standardised and corrected for the false discovery "
        "rate over the whole cube; a Mann-Kendall trend per cell; and the ArcGIS emerging hot "
        "spot categories. The input needs an occurred_at column. Needs no database. See "
        "docs/how-to/hotspots.md.",
    )
    _common(emerging)
    emerging.add_argument("--interval", choices=("week", "month"), default="week")
    emerging.add_argument(
        "--time-steps",
        type=_count,
        default=1,
        help="earlier slices in each bin's neighbourhood, as ArcGIS's Neighborhood Time Step (1)",
    )
    emerging.add_argument(
        "--confidence",
        type=int,
        choices=(90, 95, 99),
        default=90,
        help="confidence (%%) at which a bin is a hot or cold spot for the categories (90)",
    )
    emerging.add_argument(
        "--no-fdr",
        dest="fdr",
        action="store_false",
        help="do not correct the p-values for the false discovery rate (corrected by default)",
    )
    emerging.set_defaults(handler=cmd_emerging_hotspots)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--input", type=Path, required=True, help="CSV with lat,lon columns")
    parser.add_argument("--output", type=_output, required=True, help="out.csv or out.geojson")
    parser.add_argument("--resolution", type=_resolution, default=9, help="H3 resolution (9)")
    parser.add_argument("--k", type=_count, default=1, help="neighbour rings (1)")


def _read(path: Path) -> Points:
    try:
        points = read_points(path)
    except InputError as exc:
        raise CommandFailed(f"{path}: {exc}") from exc
    if len(points) == 0:
        raise CommandFailed(f"{path}: no points after the header")
    return points


def _write(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    """Write the table as CSV, or as GeoJSON cell polygons; atomically, via a temporary file."""
    if path.suffix.lower() == ".geojson":
        # The numeric stack takes seconds to load: only the commands that use it load it.
        import h3

        features = []
        for row in rows:
            ring = [[lon, lat] for lat, lon in h3.cell_to_boundary(row[0])]
            ring.append(ring[0])
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Polygon", "coordinates": [ring]},
                    "properties": dict(zip(header, row, strict=True)),
                }
            )
        write_text_atomically(path, json.dumps({"type": "FeatureCollection", "features": features}))
    else:
        write_csv(path, header, rows)


def _num(value: float) -> float:
    return round(float(value), 6)


def cmd_hotspots(args: argparse.Namespace) -> int:
    # The numeric stack takes seconds to load: only the commands that use it load it.
    from waymark.analytics.hotspots import class_label, hotspots

    points = _read(args.input)
    result = hotspots(
        points.lat,
        points.lon,
        resolution=args.resolution,
        k=args.k,
        fdr=args.fdr,
        permutations=args.permutations,
        seed=args.seed,
    )
    header = ["h3", "count", "z", "p", "p_fdr", "class"]
    if result.p_sim is not None:
        header.append("p_sim")
    rows = []
    for i, cell in enumerate(result.cells.tolist()):
        row = [
            cell,
            int(result.count[i]),
            _num(result.z[i]),
            _num(result.p[i]),
            _num(result.p_fdr[i]),
            class_label(int(result.cls[i])),
        ]
        if result.p_sim is not None:
            row.append(_num(result.p_sim[i]))
        rows.append(row)
    _write(args.output, header, rows)
    hot = int((result.cls > 0).sum())
    cold = int((result.cls < 0).sum())
    print(
        f"{len(points):,} points in {len(result.cells):,} cells: {hot:,} hot, {cold:,} cold "
        f"at FDR {args.fdr:g}. Written to {args.output}."
    )
    return 0


def cmd_emerging_hotspots(args: argparse.Namespace) -> int:
    # The numeric stack takes seconds to load: only the commands that use it load it.
    import numpy as np

    from waymark.analytics.emerging import emerging_hotspots
    from waymark.analytics.hotspots import class_label

    points = _read(args.input)
    if points.occurred_at is None:
        raise CommandFailed(f"{args.input}: line 1, column 'occurred_at': missing from the header")
    result = emerging_hotspots(
        points.lat,
        points.lon,
        np.asarray(points.occurred_at, dtype="datetime64[s]"),
        interval=args.interval,
        resolution=args.resolution,
        k=args.k,
        time_steps=args.time_steps,
        alpha=_ALPHA[args.confidence],
        fdr=args.fdr,
    )
    header = [
        "h3",
        "count",
        "slices_hot",
        "slices_cold",
        "final_z",
        "final_class",
        "trend_z",
        "trend_p",
        "category",
    ]
    hot, cold = result.hot, result.cold
    total = result.counts.sum(axis=0)
    rows = [
        [
            cell,
            int(total[i]),
            int(hot[:, i].sum()),
            int(cold[:, i].sum()),
            _num(result.z[-1, i]),
            class_label(int(result.cls[-1, i])),
            _num(result.trend_z[i]),
            _num(result.trend_p[i]),
            result.category[i],
        ]
        for i, cell in enumerate(result.cells.tolist())
    ]
    _write(args.output, header, rows)
    correction = "after FDR" if args.fdr else "without FDR"
    print(
        f"{len(points):,} points in {len(result.cells):,} cells over {len(result.slices)} "
        f"{args.interval}s, {args.time_steps} earlier time step(s) in each neighbourhood; hot "
        f"and cold at {args.confidence}% {correction}. Written to {args.output}."
    )
    return 0
