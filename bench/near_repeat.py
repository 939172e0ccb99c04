"""The Knox test against a plain peer.

Target, on the 2-core development machine: the Knox test (`knox_test`) on 50,000 events with 99
Monte Carlo runs in under 1 s, for a city about 10 km across with a year of events, and for a
sparser 20 km square. (Emerging hot spots, which this benchmark also timed before they moved to
a space-time cube, are measured by bench/emerging.py.)

What it does
------------
1. For each square side (--sides, default 20 and 10 km) it generates 50,000 events (fixed seed)
   spread uniformly over the square and over 365 days, with bands of 100, 200 and 300 m and 7,
   14 and 21 days. It times Waymark's `knox_test` (every core) and the peer, "k-d tree per run":
   the straightforward implementation, which finds the close pairs again with scipy's cKDTree
   for the observed table and for every run, then bins the pairs' distances and day gaps with
   numpy, on one thread. The peer is timed over --peer-runs runs (9) and scaled to the observed
   table plus 99 runs, which is linear in the runs; the ratio compares that with Waymark's 99
   runs. The two observed tables must be equal.
2. Each figure is the median of --repeat runs (3), wall time and CPU time (all threads); on a
   busy machine the CPU time shows what the wall time would have been. It prints the load
   average before and after, the ratios against the peer, and each target with PASS or FAIL.
   It exits 0 whatever the result, unless --check is given.

Run it with `make bench`, or:

    .venv/bin/python bench/near_repeat.py [--repeat 3] [--sides 20,10] [--check]
"""

import argparse
import datetime
import os
import platform
import sys
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

from _common import Row, report, seconds, timed, versions  # noqa: E402

PACKAGES = ("numpy", "scipy", "h3", "h3ronpy")  # whose versions the report prints

from waymark.analytics.near_repeat import knox_test  # noqa: E402

EVENTS = 50_000
RUNS = 99
DISTANCE_BANDS = (100.0, 200.0, 300.0)
DAY_BANDS = (7, 14, 21)
KNOX_TARGET = 1.0  # s
SEED = 20261127


# --- data ------------------------------------------------------------------------------------


def knox_events(
    side_km: float, seed: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """50,000 events uniform over a square of `side_km` and over a year: x, y (m), day."""
    rng = np.random.default_rng(seed)
    side = side_km * 1000
    x = rng.uniform(0, side, EVENTS)
    y = rng.uniform(0, side, EVENTS)
    day = rng.integers(0, 365, EVENTS)
    return x, y, day


# --- peers -----------------------------------------------------------------------------------


def knox_table_by_tree(
    points: npt.NDArray[np.float64], day: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """The peer's table for one arrangement of the days: close pairs found afresh, then binned."""
    pairs = cKDTree(points).query_pairs(r=DISTANCE_BANDS[-1], output_type="ndarray")
    first, second = pairs[:, 0], pairs[:, 1]
    distance = np.hypot(*(points[first] - points[second]).T)
    row = np.where(distance == 0, 0, 1 + np.searchsorted(DISTANCE_BANDS, distance, side="left"))
    col = np.searchsorted(DAY_BANDS, np.abs(day[first] - day[second]), side="left")
    cols = len(DAY_BANDS) + 1
    close = np.bincount(row * cols + col, minlength=(len(DISTANCE_BANDS) + 1) * cols)
    # All pairs per day band, from the sorted days; the far row is that less the close rows.
    ordered = np.sort(day)
    within = [
        int(
            (np.searchsorted(ordered, ordered + edge, side="right") - np.arange(len(day)) - 1).sum()
        )
        for edge in DAY_BANDS
    ]
    total = len(day) * (len(day) - 1) // 2
    per_band = np.diff([0, *within, total])
    close = close.reshape(-1, cols)
    return np.vstack([close, per_band - close.sum(axis=0)])


def knox_by_tree(
    x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], day: npt.NDArray[np.int64], runs: int
) -> npt.NDArray[np.int64]:
    """The peer: the observed table, then `runs` shuffles, each with its pairs found again."""
    points = np.column_stack([x, y])
    observed = knox_table_by_tree(points, day)
    for child in np.random.SeedSequence(1).spawn(runs):
        knox_table_by_tree(points, day[np.random.default_rng(child).permutation(len(day))])
    return observed


# --- timing ----------------------------------------------------------------------------------


# --- the run ---------------------------------------------------------------------------------


def knox_rows(side_km: float, args: argparse.Namespace) -> list[Row]:
    x, y, day = knox_events(side_km, args.seed)
    pairs = len(
        cKDTree(np.column_stack([x, y])).query_pairs(DISTANCE_BANDS[-1], output_type="ndarray")
    )
    ours = timed(
        lambda: knox_test(
            x=x, y=y, days=day, distance_bands=DISTANCE_BANDS, day_bands=DAY_BANDS, runs=RUNS,
            seed=1,
        ),
        args.repeat,
        warm_up=True,
    )  # fmt: skip
    peer = timed(lambda: knox_by_tree(x, y, day, args.peer_runs), args.repeat)
    if not np.array_equal(ours.result.observed, peer.result):
        raise SystemExit(f"Knox, {side_km:g} km: the observed tables differ from the peer's")
    scale = (RUNS + 1) / (args.peer_runs + 1)
    label = f"Knox, {side_km:g} km square, {pairs:,} pairs <= 300 m"
    return [
        Row(
            label,
            ours.text(),
            peer.text(scale) + " *",
            f"{peer.wall * scale / ours.wall:.0f}x",
            f"< {seconds(KNOX_TARGET)}",
            ours.wall < KNOX_TARGET,
        )
    ]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per figure; median (3)")
    parser.add_argument(
        "--sides", default="20,10", help="Knox squares' sides in km, comma-separated (20,10)"
    )
    parser.add_argument("--peer-runs", type=int, default=9, help="Knox peer runs, scaled to 99 (9)")
    parser.add_argument("--seed", type=int, default=SEED, help="seed for the synthetic data")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> int:
    load_before = os.getloadavg()[0]
    rows: list[Row] = []
    knox = [float(side) for side in args.sides.split(",") if side.strip()]
    for side in knox:
        rows += knox_rows(side, args)
    header = [
        f"Date       {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC",
        f"Machine    {platform.machine()}, {os.cpu_count()} cores, load average "
        f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after; "
        f"Python {platform.python_version()}; {versions(('numpy', 'scipy', 'h3', 'h3ronpy'))}",
        f"Knox       {EVENTS:,} events over 365 days, uniform over the square; bands "
        f"{', '.join(f'{d:g}' for d in DISTANCE_BANDS)} m x "
        f"{', '.join(map(str, DAY_BANDS))} days; {RUNS} runs",
        f"Figures    median of {args.repeat} runs, wall time (CPU time, all threads)",
    ]
    notes = []
    if knox:
        notes.append(
            f"* the peer timed over its observed table and {args.peer_runs} runs, scaled to the "
            f"observed table and {RUNS} runs (its time is linear in the runs); it uses one thread."
        )
        notes.append(
            "Knox peer, 'k-d tree per run': the close pairs found again with scipy's cKDTree for "
            "every run, then binned with numpy."
        )
    if load_before >= 1:
        notes.append(
            f"The machine was not idle (load average {load_before:.2f} before): wall times "
            "that count on both cores are pessimistic; the CPU times are the steadier figure."
        )
    passed = report(
        "Near repeats: the Knox test, Waymark against a plain peer",
        header,
        rows,
        notes,
        width=134,
    )
    return 0 if passed or not args.check else 1


def main() -> int:
    return run(parse_args())


if __name__ == "__main__":
    sys.exit(main())
