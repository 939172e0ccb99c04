"""Emerging hot spots on the space-time cube: Waymark against esda and a plain implementation.

Targets, on the 2-core development machine: 1,000,000 points over 52 weekly slices
to the emerging hot-spot categories in under 1 s at city extent (~50k H3 cells at resolution 9),
and in under 30 s and 5 GiB at national extent (~1.5M cells).

What it does
------------
1. Against esda, at a size esda can handle: 200,000 points over a box about 22 km across, 52
   weeks, resolution 9, k = 1 and one time step. The peer is esda's
   `G_Local(transform="B", star=True, permutations=0)` on the cube's space-time graph: node
   (cell i, slice s) is linked to the cells of i's k-ring in slices s - 1 and s, built as
   libpysal's W from the Kronecker product of the time band and Waymark's spatial weights
   (building it is reported, not timed). Waymark's figure is `space_time_gi_star` on the same
   cube; the largest |z - esda z| is printed and must be under 1e-6.
2. At city extent, 1,000,000 points (fixed seed, half uniform, half around the centre) over 52
   weeks: Waymark's `emerging_hotspots(..., interval="week")` against the plain peer, "one big
   product": the same binning and study area, the cube filled with np.add.at, the space-time
   sums as one scipy sparse product with the Kronecker matrix of the whole cube, BH over the
   cube with `fdr_bh`, Mann-Kendall by a loop over pairs of slices on the float cube, and
   `classify_series` cell by cell. Their categories must be the same.
3. Unless --no-national is given, `emerging_hotspots` over a box
   about England's size, in a fresh process per run so that its peak resident memory (VmHWM)
   is its own.

Each figure is the median of --repeat runs (3), wall time with the CPU time of all threads. It
exits 0 whatever the result, unless --check is given.

    .venv/bin/python bench/emerging.py [--repeat 3] [--no-national] [--check]
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
import warnings
from multiprocessing.connection import Connection
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy import sparse, stats

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

from _common import Row, report, seconds, timed, versions  # noqa: E402

PACKAGES = (
    "numpy",
    "scipy",
    "h3",
    "h3ronpy",
    "esda",
    "libpysal",
)  # whose versions the report prints

from waymark.analytics import emerging, hotspots  # noqa: E402

POINTS = 1_000_000
ESDA_POINTS = 200_000
WEEKS = 52
TIME_STEPS = 1
FIRST_MONDAY = np.datetime64("2025-01-06T00:00:00", "s")
CITY_TARGET = 1.0  # s
NATIONAL_TARGET = 30.0  # s
NATIONAL_MEMORY = 5 * 2**30  # bytes
SEED = 20261207
# (centre latitude, centre longitude, half height, half width) in degrees.
ESDA_BOX = (52.48, -1.90, 0.10, 0.16)  # about 22 x 22 km
CITY_BOX = (52.48, -1.90, 0.32, 0.52)  # about 71 x 71 km: ~54k cells at resolution 9
NATIONAL_BOX = (52.48, -1.90, 1.75, 2.80)  # about 390 x 380 km: ~1.5M cells


# --- data ------------------------------------------------------------------------------------


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


def cube(
    lat: npt.NDArray[np.float64], lon: npt.NDArray[np.float64], when: npt.NDArray[np.datetime64]
) -> tuple[hotspots.Grid, npt.NDArray[np.int64]]:
    """The study area and the (slices, cells) counts, the plain way."""
    point_cells = hotspots.cell_ids(lat, lon, 9)
    grid = hotspots.grid_build(np.unique(point_cells), 1)
    slot, starts = emerging.slice_index(when, "week")
    counts = np.zeros((len(starts), len(grid)), dtype=np.int64)
    np.add.at(counts, (slot, np.searchsorted(grid.ids, point_cells)), 1)
    return grid, counts


def space_time_matrix(grid: hotspots.Grid, slices: int) -> sparse.csr_array:
    """The cube's binary weights, node s * cells + i: i's k-ring in slices s - TIME_STEPS..s."""
    band = sparse.diags_array(
        [np.ones(slices - lag) for lag in range(TIME_STEPS + 1)],
        offsets=[-lag for lag in range(TIME_STEPS + 1)],
    )
    return sparse.csr_array(sparse.kron(band, grid.weights, format="csr"))


# --- the plain peer --------------------------------------------------------------------------


def emerging_by_product(
    lat: npt.NDArray[np.float64],
    lon: npt.NDArray[np.float64],
    when: npt.NDArray[np.datetime64],
    alpha: float = 0.10,
    trend_alpha: float = 0.05,
) -> list[str]:
    """The peer: one sparse product over the whole cube, then BH, Mann-Kendall and the
    categories the straightforward way (categories only)."""
    grid, counts = cube(lat, lon, when)
    slices, n = counts.shape
    x = counts.astype(np.float64).ravel()
    matrix = space_time_matrix(grid, slices)
    weight = np.asarray(matrix.sum(axis=1)).ravel()
    bins = len(x)
    spread = np.sqrt((bins * weight - weight**2) / (bins - 1))
    z = ((matrix @ x - x.mean() * weight) / (x.std() * spread)).reshape(slices, n)
    p_fdr = hotspots.fdr_bh(2 * stats.norm.sf(np.abs(z.ravel()))).reshape(slices, n)
    hot = (p_fdr < alpha) & (z > 0)
    cold = (p_fdr < alpha) & (z < 0)
    s = np.zeros(n)
    for i in range(slices - 1):
        s += np.sign(z[i + 1 :] - z[i]).sum(axis=0)
    ties = np.zeros(n)
    for i in range(n):
        _, sizes = np.unique(z[:, i], return_counts=True)
        ties[i] = (sizes * (sizes - 1) * (2 * sizes + 5)).sum()
    var = (slices * (slices - 1) * (2 * slices + 5) - ties) / 18
    with np.errstate(divide="ignore", invalid="ignore"):
        trend_z = np.where(var > 0, (s - np.sign(s)) / np.sqrt(var), 0.0)
    trend_p = 2 * stats.norm.sf(np.abs(trend_z))
    return [
        emerging.classify_series(hot[:, i], cold[:, i], trend_z[i], trend_p[i], trend_alpha)
        for i in range(n)
    ]


# --- timing ----------------------------------------------------------------------------------


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
    result = emerging.emerging_hotspots(lat, lon, when, interval="week", time_steps=TIME_STEPS)
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
            process.kill()  # only this process, which this benchmark started
        process.join()


# --- the run ---------------------------------------------------------------------------------


def esda_rows(args: argparse.Namespace, notes: list[str]) -> list[Row]:
    warnings.filterwarnings("ignore")  # libpysal warns of islands and disconnected components
    import esda
    import libpysal

    lat, lon, when = concern_points(ESDA_BOX, args.seed, ESDA_POINTS)
    grid, counts = cube(lat, lon, when)
    slices, n = counts.shape
    start = time.perf_counter()
    graph = libpysal.weights.WSP(space_time_matrix(grid, slices)).to_W(silence_warnings=True)
    notes.append(f"esda: building libpysal's W of the space-time graph took "
                 f"{time.perf_counter() - start:.1f} s (untimed)")  # fmt: skip
    values = counts.astype(np.float64).ravel()
    peer = timed(
        lambda: esda.G_Local(values, graph, transform="B", star=True, permutations=0).Zs,
        args.repeat,
    )
    ours = timed(lambda: emerging.space_time_gi_star(counts, grid, TIME_STEPS), args.repeat)
    whole = timed(
        lambda: emerging.emerging_hotspots(lat, lon, when, interval="week", time_steps=TIME_STEPS),
        args.repeat,
    )
    difference = float(np.max(np.abs(ours.result.ravel() - peer.result)))
    label = f"{ESDA_POINTS // 1000}k points, {slices} weeks, {n * slices:,} bins"
    return [
        Row(
            f"Gi* z on the space-time graph, {label}",
            ours.text(),
            peer.text(),
            f"{peer.wall / ours.wall:.0f}x",
        ),
        Row(
            "  largest |z - esda z|",
            f"{difference:.1e}",
            target="< 1e-6",
            passed=difference < 1e-6,
        ),
        Row("  the whole analysis, same points (information)", whole.text()),
    ]


def city_rows(args: argparse.Namespace) -> list[Row]:
    lat, lon, when = concern_points(CITY_BOX, args.seed)
    ours = timed(
        lambda: emerging.emerging_hotspots(lat, lon, when, interval="week", time_steps=TIME_STEPS),
        args.repeat,
        warm_up=True,
    )
    peer = timed(lambda: emerging_by_product(lat, lon, when), 1)
    if ours.result.category != peer.result:
        raise SystemExit("emerging hot spots: the categories differ from the peer's")
    cells, slices = len(ours.result.cells), len(ours.result.slices)
    return [
        Row(
            f"Emerging, city, 1M points, {slices} weeks, {cells:,} cells",
            ours.text(),
            peer.text() + " *",
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


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per figure; median (3)")
    parser.add_argument("--seed", type=int, default=SEED, help="seed for the synthetic data")
    parser.add_argument("--no-esda", action="store_true", help="leave out the esda comparison")
    parser.add_argument("--no-national", action="store_true", help="leave out national extent")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> int:
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    rows: list[Row] = []
    notes: list[str] = []
    if not args.no_esda:
        rows += esda_rows(args, notes)
    rows += city_rows(args)
    if not args.no_national:
        rows += national_rows(args)
    header = [
        f"Date       {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC",
        f"Machine    {platform.machine()}, {os.cpu_count()} cores, load average "
        f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after; "
        f"Python {platform.python_version()}",
        f"Versions   {versions(('numpy', 'scipy', 'h3', 'h3ronpy', 'esda', 'libpysal'))}",
        f"Cube       weekly slices, H3 resolution 9, k = 1, {TIME_STEPS} time step, BH over the "
        "cube, 90% for the categories",
        f"Figures    median of {args.repeat} runs, wall time (CPU time, all threads)",
    ]
    notes.append(
        "* one run of the plain peer: the cube by np.add.at, the space-time sums as one sparse "
        "product with the Kronecker matrix, fdr_bh over the cube, Mann-Kendall by pairs of "
        "slices, classify_series cell by cell; its categories equal Waymark's."
    )
    if load_before >= 1:
        notes.append(
            f"The machine was not idle (load average {load_before:.2f} before): wall times "
            "that count on both cores are pessimistic; the CPU times are the steadier figure."
        )
    notes.append(f"Wall time {time.perf_counter() - started:.0f} s.")
    passed = report(
        "Emerging hot spots on the space-time cube: Waymark against esda and a plain peer",
        header,
        rows,
        notes,
        width=150,
    )
    return 0 if passed or not args.check else 1


def main() -> int:
    return run(parse_args())


if __name__ == "__main__":
    sys.exit(main())
