"""Space-time analytics: the Knox test and emerging hot spots against plain peers, in one run.

Targets, on the 2-core development machine:
- the Knox test (`knox_test`) on 50,000 events with 99 Monte Carlo runs in under 1 s, for a city
  about 10 km across with a year of events, and for a sparser 20 km square;
- emerging hot spots (`emerging_hotspots`) over 52 weekly slices of 1,000,000 points in under
  1 s at city extent (~50k H3 cells at resolution 9); and, with --national, in under 30 s and
  5 GiB at national extent (~1.4M cells). `make bench` leaves --national off because
  bench/hotspots.py measures that figure already.

What it does
------------
1. Knox test. For each square side (--sides, default 20 and 10 km) it generates 50,000 events
   (fixed seed) spread uniformly over the square and over 365 days, with bands of 100, 200 and
   300 m and 7, 14 and 21 days. It times Waymark's `knox_test` (every core) and the peer, "k-d
   tree per run": the straightforward implementation, which finds the close pairs again with
   scipy's cKDTree for the observed table and for every run, then bins the pairs' distances and
   day gaps with numpy, on one thread. The peer is timed over --peer-runs runs (9) and scaled to
   the observed table plus 99 runs, which is linear in the runs; the ratio compares that with
   Waymark's 99 runs. The two observed tables must be equal.
2. Emerging hot spots. It generates 1,000,000 points (fixed seed) over a city-sized box, half
   uniform and half around a centre, at times over 52 weeks from a Monday. It times Waymark's
   `emerging_hotspots(..., interval="week")` and the peer, "per-slice loop": the same binning,
   study area, Gi* and Benjamini-Hochberg functions called slice by slice, the cube filled with
   np.add.at, Mann-Kendall by a loop over pairs of slices on the dense float array, and
   `classify_series` cell by cell. The categories of the two must be the same.
3. With --national, it times `emerging_hotspots` over a box about England's size in a fresh
   process, and reports the process's peak resident memory (VmHWM).
4. Each figure is the median of --repeat runs (3), wall time and CPU time (all threads); on a
   busy machine the CPU time shows what the wall time would have been. It prints the load
   average before and after, the ratios against the peers, and each target with PASS or FAIL.
   It exits 0 whatever the result, unless --check is given.

Run it with `make bench`, or:

    .venv/bin/python bench/near_repeat.py [--repeat 3] [--sides 20,10] [--national] [--check]
"""

import argparse
import datetime
import multiprocessing as mp
import os
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import stats
from scipy.spatial import cKDTree

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

from waymark.analytics import emerging, hotspots  # noqa: E402
from waymark.analytics.near_repeat import knox_test  # noqa: E402

EVENTS = 50_000
RUNS = 99
DISTANCE_BANDS = (100.0, 200.0, 300.0)
DAY_BANDS = (7, 14, 21)
KNOX_TARGET = 1.0  # s
POINTS = 1_000_000
WEEKS = 52
FIRST_MONDAY = np.datetime64("2025-01-06T00:00:00", "s")
CITY_TARGET = 1.0  # s
NATIONAL_TARGET = 30.0  # s
NATIONAL_MEMORY = 5 * 2**30  # bytes
SEED = 20261127
# (centre latitude, centre longitude, half height, half width) in degrees.
CITY_BOX = (52.48, -1.90, 0.32, 0.52)  # about 71 x 71 km: ~54k cells at resolution 9
NATIONAL_BOX = (52.48, -1.90, 1.75, 2.80)  # about 390 x 380 km: ~1.5M cells


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


def concern_points(
    box: tuple[float, float, float, float], seed: int, n: int = POINTS
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.datetime64]]:
    """Half uniform over the box, half gathered around its centre, over 52 weeks."""
    lat0, lon0, half_lat, half_lon = box
    rng = np.random.default_rng(seed)
    spread = n // 2
    lat = np.concatenate(
        [
            rng.uniform(-half_lat, half_lat, spread),
            np.clip(rng.normal(0, half_lat / 3, n - spread), -half_lat, half_lat),
        ]
    )
    lon = np.concatenate(
        [
            rng.uniform(-half_lon, half_lon, spread),
            np.clip(rng.normal(0, half_lon / 3, n - spread), -half_lon, half_lon),
        ]
    )
    when = FIRST_MONDAY + rng.integers(0, WEEKS * 7 * 86400, n).astype("timedelta64[s]")
    order = rng.permutation(n)
    return (lat0 + lat)[order], (lon0 + lon)[order], when[order]


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


def emerging_by_slice(
    lat: npt.NDArray[np.float64],
    lon: npt.NDArray[np.float64],
    when: npt.NDArray[np.datetime64],
    alpha: float = 0.10,
    trend_alpha: float = 0.05,
) -> list[str]:
    """The peer: emerging hot spots slice by slice and cell by cell (categories only)."""
    point_cells = hotspots.bin_points(lat, lon, 9)
    grid = hotspots.grid_build(np.unique(point_cells), 1)
    slot, starts = emerging.slice_index(when, "week")
    counts = np.zeros((len(starts), len(grid.cells)), dtype=np.int64)
    column = np.searchsorted(grid.cells, point_cells)
    np.add.at(counts, (slot, column), 1)
    z = np.array([hotspots.gi_star(row.astype(np.float64), grid.weights) for row in counts])
    p_fdr = np.array([hotspots.fdr_bh(2 * stats.norm.sf(np.abs(row))) for row in z])
    hot = (p_fdr < alpha) & (z > 0)
    cold = (p_fdr < alpha) & (z < 0)
    t = len(z)
    s = np.zeros(z.shape[1])
    for i in range(t - 1):
        s += np.sign(z[i + 1 :] - z[i]).sum(axis=0)
    ties = np.zeros(z.shape[1])
    for i in range(z.shape[1]):
        _, sizes = np.unique(z[:, i], return_counts=True)
        ties[i] = (sizes * (sizes - 1) * (2 * sizes + 5)).sum()
    var = (t * (t - 1) * (2 * t + 5) - ties) / 18
    with np.errstate(divide="ignore", invalid="ignore"):
        trend_z = np.where(var > 0, (s - np.sign(s)) / np.sqrt(var), 0.0)
    trend_p = 2 * stats.norm.sf(np.abs(trend_z))
    return [
        emerging.classify_series(hot[:, i], cold[:, i], trend_z[i], trend_p[i], trend_alpha)
        for i in range(z.shape[1])
    ]


# --- timing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    wall: float  # median, s
    cpu: float  # median, s, all threads
    result: Any

    def text(self, scale: float = 1.0) -> str:
        return f"{seconds(self.wall * scale)} (CPU {seconds(self.cpu * scale)})"


def timed(fn: Callable[[], Any], repeat: int, warm_up: bool = False) -> Timing:
    if warm_up:
        fn()
    walls, cpus = [], []
    result = None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - start_cpu)
    return Timing(statistics.median(walls), statistics.median(cpus), result)


def seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def peak_rss() -> int:
    """This process's peak resident memory in bytes (VmHWM; ru_maxrss where /proc is absent)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _national_worker(conn: Connection, seed: int) -> None:
    lat, lon, when = concern_points(NATIONAL_BOX, seed)
    baseline = peak_rss()
    start, start_cpu = time.perf_counter(), time.process_time()
    result = emerging.emerging_hotspots(lat, lon, when, interval="week")
    wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    conn.send((wall, cpu, len(result.cells), len(result.slices), baseline, peak_rss()))


def national_once(seed: int) -> tuple[float, float, int, int, int, int]:
    """One national run in a fresh process, so that its peak memory is its own."""
    context = mp.get_context("spawn")
    conn, child = context.Pipe()
    process = context.Process(target=_national_worker, args=(child, seed))
    process.start()
    try:
        if not conn.poll(600):
            raise SystemExit("the national emerging hot spot run took over 10 minutes")
        figures: tuple[float, float, int, int, int, int] = conn.recv()
        return figures
    finally:
        if process.is_alive():
            process.kill()
        process.join()


# --- the run ---------------------------------------------------------------------------------


@dataclass
class Row:
    measure: str
    waymark: str
    peer: str = ""
    ratio: str = ""
    target: str = ""
    passed: bool | None = None


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


def emerging_rows(args: argparse.Namespace) -> list[Row]:
    lat, lon, when = concern_points(CITY_BOX, args.seed)
    ours = timed(
        lambda: emerging.emerging_hotspots(lat, lon, when, interval="week"),
        args.repeat,
        warm_up=True,
    )
    peer = timed(lambda: emerging_by_slice(lat, lon, when), args.repeat)
    if ours.result.category != peer.result:
        raise SystemExit("emerging hot spots: the categories differ from the peer's")
    cells, slices = len(ours.result.cells), len(ours.result.slices)
    return [
        Row(
            f"Emerging, city, 1M points, {slices} weeks, {cells:,} cells",
            ours.text(),
            peer.text(),
            f"{peer.wall / ours.wall:.0f}x",
            f"< {seconds(CITY_TARGET)}",
            ours.wall < CITY_TARGET,
        )
    ]


def national_rows(args: argparse.Namespace) -> list[Row]:
    runs = [national_once(args.seed) for _ in range(args.repeat)]
    wall = statistics.median(r[0] for r in runs)
    cpu = statistics.median(r[1] for r in runs)
    peak = max(r[5] for r in runs)
    cells, slices, baseline = runs[0][2], runs[0][3], runs[0][4]
    return [
        Row(
            f"Emerging, national, 1M points, {slices} weeks, {cells:,} cells",
            f"{seconds(wall)} (CPU {seconds(cpu)})",
            target=f"< {seconds(NATIONAL_TARGET)}",
            passed=wall < NATIONAL_TARGET,
        ),
        Row(
            f"  peak memory of that process ({baseline / 2**30:.2f} GiB before the call)",
            f"{peak / 2**30:.2f} GiB",
            target=f"< {NATIONAL_MEMORY / 2**30:.0f} GiB",
            passed=peak < NATIONAL_MEMORY,
        ),
    ]


def versions() -> str:
    found = []
    for name in ("numpy", "scipy", "h3", "h3ronpy"):
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} absent")
    return ", ".join(found)


def report(header: list[str], rows: list[Row], notes: list[str]) -> bool:
    width = 134
    print("=" * width)
    print("Space-time analytics: Knox test and emerging hot spots, Waymark against plain peers")
    for line in header:
        print(line)
    print("-" * width)
    print(f"{'measure':<58} {'Waymark':<24} {'peer':<26} {'ratio':>6}  {'target':<9} result")
    for row in rows:
        verdict = "" if row.passed is None else ("PASS" if row.passed else "FAIL")
        print(
            f"{row.measure:<58} {row.waymark:<24} {row.peer:<26} {row.ratio:>6}  "
            f"{row.target:<9} {verdict}"
        )
    print("-" * width)
    for note in notes:
        print(note)
    passed = all(row.passed is not False for row in rows)
    missed = [row.measure.strip() for row in rows if row.passed is False]
    print(("PASS: every target met" if passed else f"FAIL: missed {'; '.join(missed)}") + ".")
    print("=" * width)
    return passed


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per figure; median (3)")
    parser.add_argument(
        "--sides", default="20,10", help="Knox squares' sides in km, comma-separated (20,10)"
    )
    parser.add_argument("--peer-runs", type=int, default=9, help="Knox peer runs, scaled to 99 (9)")
    parser.add_argument("--seed", type=int, default=SEED, help="seed for the synthetic data")
    parser.add_argument("--no-emerging", action="store_true", help="the Knox test only")
    parser.add_argument(
        "--national", action="store_true", help="also emerging hot spots at national extent"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> int:
    load_before = os.getloadavg()[0]
    rows: list[Row] = []
    knox = [float(side) for side in args.sides.split(",") if side.strip()]
    for side in knox:
        rows += knox_rows(side, args)
    if not args.no_emerging:
        rows += emerging_rows(args)
    if args.national:
        rows += national_rows(args)
    header = [
        f"Date       {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC",
        f"Machine    {platform.machine()}, {os.cpu_count()} cores, load average "
        f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after; "
        f"Python {platform.python_version()}; {versions()}",
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
    if not args.no_emerging:
        notes.append(
            "Emerging peer, 'per-slice loop': np.add.at cube, Gi* and BH slice by slice, "
            "Mann-Kendall on the float cube, classify_series cell by cell."
        )
    if not args.national:
        notes.append(
            "National emerging hot spots (30 s, 5 GiB): run with --national, or see "
            "bench/hotspots.py."
        )
    if load_before >= 1:
        notes.append(
            f"The machine was not idle (load average {load_before:.2f} before): wall times "
            "that count on both cores are pessimistic; the CPU times are the steadier figure."
        )
    passed = report(header, rows, notes)
    return 0 if passed or not args.check else 1


def main() -> int:
    return run(parse_args())


if __name__ == "__main__":
    sys.exit(main())
