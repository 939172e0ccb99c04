"""Hot spots at a million points: Waymark against esda, at city and national extent, in one run.

Issue 4: from 1,000,000 points to an FDR hot-spot table in under 1.0 s at city extent (~50k H3
cells at resolution 9) and under 1.5 s at national extent (~1.4M cells) with the study area's grid
cached; conditional-permutation inference with 999 permutations at city extent in under 3 s and
99 at national extent in under 10 s, at least 50x faster than esda. (Emerging hot spots, timed
here before they moved to a space-time cube, are measured by bench/emerging.py.)

What it does
------------
1. Generates 1,000,000 synthetic points (fixed seed) over a box at each extent: a uniform
   background, towns (Gaussian blobs of several sizes) and planted tight clusters, with times over
   52 weeks from a Monday, the planted clusters leaning towards the recent weeks. The city box is
   about 67 x 69 km (~48k cells); the national box is 3.5 x 5.2 degrees, about England's area
   (~1.46M cells).
2. Times Waymark, each figure the median of --runs runs (3):
   - end to end, binning + study area + Gi* + BH FDR + classes (`hotspots`): at city extent with
     the default study area (the k-rings of the occupied cells); at national extent with an
     explicit study area (the box) whose grid is cached, and for information with the default
     study area, which builds its grid every time; and the uncached national grid build;
   - conditional-permutation pseudo p-values (`permutation_p`): 99 and 999 at city, 99 national;
   - Gi* on both grids, and on the national grid the effective memory bandwidth of its sparse
     matrix-vector product: the bytes it reads (values, column indices, row pointers, the count
     vector) and writes, over its time;
3. Times esda on the same weights (libpysal W built from Waymark's matrix, self-weights included):
   `G_Local(transform="B", star=True)` analytical (permutations=0) and with 99 permutations
   (esda's other defaults; keep_simulations=False). esda runs in a separate process: its numba
   compilation is done once on a small problem and not timed, and a permutation run that passes
   --esda-timeout seconds is killed and reported as "> N s". It reports the largest |z|
   difference between esda and Waymark, and how often their permutation p-values agree about
   p < 0.05 (different random draws, so not exactly).
4. Prints a table of Waymark's times, esda's, the ratios, and each target with PASS or FAIL. It
   exits 0 whatever the result, unless --check is given.

Run it with `make bench`, or:

    .venv/bin/python bench/hotspots.py [--runs 3] [--esda-timeout 150] [--check]
    .venv/bin/python bench/hotspots.py --quick     # one run each, esda at city extent only
"""

import argparse
import datetime
import multiprocessing as mp
import os
import platform
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

from waymark.analytics import hotspots as hs  # noqa: E402

POINTS = 1_000_000
SEED = 20260401
FIRST_MONDAY = np.datetime64("2025-01-06T00:00:00", "s")
WEEKS = 52
INSET = 0.01  # degrees
ESDA_SETUP_TIMEOUT = 900.0  # s: grid, libpysal W, one-off numba compilation
ESDA_ANALYTICAL_TIMEOUT = 300.0


@dataclass(frozen=True)
class Extent:
    name: str
    south: float
    west: float
    north: float
    east: float
    towns: int
    town_km: tuple[float, float]  # range of the towns' standard deviations
    clusters: int

    @property
    def area(self) -> hs.StudyArea:
        return hs.StudyArea.box(self.south, self.west, self.north, self.east)


EXTENTS = {
    "city": Extent("city", 51.25, -0.60, 51.85, 0.40, towns=12, town_km=(0.4, 2.5), clusters=15),
    "national": Extent(
        "national", 50.60, -3.60, 54.10, 1.60, towns=80, town_km=(0.8, 8.0), clusters=120
    ),
}


def make_points(
    extent: Extent, n: int, seed: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.datetime64]]:
    """Synthetic concern locations and times: 50% background, 40% towns, 10% planted clusters."""
    rng = np.random.default_rng(seed)
    n_towns, n_planted = int(n * 0.4), int(n * 0.1)
    n_background = n - n_towns - n_planted
    km_lat = 1 / 111.0
    km_lon = km_lat / np.cos(np.radians((extent.south + extent.north) / 2))

    def centres(count: int) -> npt.NDArray[np.float64]:
        return np.column_stack(
            [
                rng.uniform(extent.south, extent.north, count),
                rng.uniform(extent.west, extent.east, count),
            ]
        )

    def blobs(count: int, where: npt.NDArray[np.float64], sizes: npt.NDArray[np.float64]) -> Any:
        weight = rng.pareto(1.2, len(where)) + 1  # a few large towns, many small ones
        which = rng.choice(len(where), count, p=weight / weight.sum())
        lat = where[which, 0] + rng.normal(0, 1, count) * sizes[which] * km_lat
        lon = where[which, 1] + rng.normal(0, 1, count) * sizes[which] * km_lon
        return lat, lon

    town_lat, town_lon = blobs(
        n_towns, centres(extent.towns), rng.uniform(*extent.town_km, extent.towns)
    )
    planted_lat, planted_lon = blobs(
        n_planted, centres(extent.clusters), rng.uniform(0.1, 0.3, extent.clusters)
    )
    lat = np.concatenate(
        [rng.uniform(extent.south, extent.north, n_background), town_lat, planted_lat]
    )
    lon = np.concatenate(
        [rng.uniform(extent.west, extent.east, n_background), town_lon, planted_lon]
    )
    # Keep every point a cell or two inside the box, so the explicit study area (the cells whose
    # centres are in the box) holds all of them.
    lat = np.clip(lat, extent.south + INSET, extent.north - INSET)
    lon = np.clip(lon, extent.west + INSET, extent.east - INSET)
    seconds = WEEKS * 7 * 86400
    offset = rng.uniform(0, 1, n)
    offset[n - n_planted :] = rng.beta(3.0, 1.0, n_planted)  # planted clusters grow recently
    when = FIRST_MONDAY + (offset * (seconds - 1)).astype("timedelta64[s]")
    order = rng.permutation(n)  # no order for binning to profit from
    return lat[order], lon[order], when[order]


def study_grid(extent: Extent, lat: Any, lon: Any, explicit: bool) -> hs.Grid:
    if explicit:
        return hs.area_grid(extent.area, 9, 1)
    return hs.grid_build(np.unique(hs.cell_ids(lat, lon, 9)), 1)


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    """Median wall time of `runs` calls, and the last call's result."""
    times = []
    result = None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def timed_cpu(fn: Callable[[], Any], runs: int) -> tuple[float, float, Any]:
    """Median wall time and median CPU time (this process, all threads) of `runs` calls, and the
    last result. On a busy machine the CPU time is the steadier figure."""
    walls, cpus = [], []
    result = None
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - start_cpu)
    return statistics.median(walls), statistics.median(cpus), result


def points_label(n: int) -> str:
    return f"{n / 1e6:g}M" if n % 100_000 == 0 else f"{n:,}"


def wall_and_cpu(wall: float, cpu: float) -> str:
    return f"{seconds(wall)} (CPU {seconds(cpu)})"


# --- esda, in a process of its own ---------------------------------------------------------


def _esda_worker(conn: Connection) -> None:
    """Serves esda measurements: one extent per request, each phase reported as it ends."""
    warnings.filterwarnings("ignore")
    import esda
    import libpysal

    start = time.perf_counter()
    tiny = libpysal.weights.lat2W(6, 6)
    y = np.arange(36, dtype=float)
    esda.G_Local(y, tiny, transform="B", star=True, permutations=9, keep_simulations=False, seed=1)
    conn.send(("compiled", time.perf_counter() - start))
    while True:
        request = conn.recv()
        if request is None:
            return
        name, n, seed, runs, analytical_runs, permutations = request
        extent = EXTENTS[name]
        lat, lon, _ = make_points(extent, n, seed)
        explicit = name == "national"
        grid = study_grid(extent, lat, lon, explicit)
        count = hs.hotspots(lat, lon, area=extent.area if explicit else None).count
        start = time.perf_counter()
        w = libpysal.weights.WSP(grid.weights).to_W(silence_warnings=True)
        conn.send(("weights", time.perf_counter() - start))
        values = count.astype(float)
        zs = None
        for _ in range(analytical_runs):
            start = time.perf_counter()
            local = esda.G_Local(values, w, transform="B", star=True, permutations=0)
            conn.send(("analytical", time.perf_counter() - start))
            zs = local.Zs
        conn.send(("zs", zs))
        for i in range(runs):
            conn.send(("start", i))
            start = time.perf_counter()
            local = esda.G_Local(
                values,
                w,
                transform="B",
                star=True,
                permutations=permutations,
                keep_simulations=False,
                seed=seed + i,
            )
            conn.send(("permutations", time.perf_counter() - start))
            conn.send(("p_sim", local.p_sim if name == "city" else None))


@dataclass
class EsdaFigures:
    weights_s: float | None = None
    analytical: list[float] = field(default_factory=list)
    zs: npt.NDArray[np.float64] | None = None
    permutations: list[float] = field(default_factory=list)
    timed_out: bool = False
    p_sim: npt.NDArray[np.float64] | None = None


class EsdaProcess:
    def __init__(self) -> None:
        context = mp.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_esda_worker, args=(child,), daemon=True)
        self.process.start()
        self.compiled_s = float(self._expect("compiled", ESDA_SETUP_TIMEOUT))

    def _expect(self, kind: str, timeout: float) -> Any:
        if not self.conn.poll(timeout):
            raise TimeoutError(kind)
        got, value = self.conn.recv()
        if got != kind:
            raise RuntimeError(f"esda process sent {got}, expected {kind}")
        return value

    def measure(
        self, name: str, *, n: int, seed: int, runs: int, analytical_runs: int, timeout: float
    ) -> EsdaFigures:
        figures = EsdaFigures()
        self.conn.send((name, n, seed, runs, analytical_runs, 99))
        figures.weights_s = self._expect("weights", ESDA_SETUP_TIMEOUT)
        for _ in range(analytical_runs):
            figures.analytical.append(self._expect("analytical", ESDA_ANALYTICAL_TIMEOUT))
        figures.zs = self._expect("zs", 60)
        for _ in range(runs):
            self._expect("start", 60)
            try:
                figures.permutations.append(self._expect("permutations", timeout))
            except TimeoutError:
                figures.timed_out = True
                self.close()
                return figures
            figures.p_sim = self._expect("p_sim", 60)
        return figures

    @property
    def alive(self) -> bool:
        return self.process.is_alive()

    def close(self) -> None:
        if self.process.is_alive():
            self.process.kill()  # only this process, which this benchmark started
        self.process.join()


# --- the run -------------------------------------------------------------------------------


@dataclass
class Row:
    measure: str
    waymark: str
    peer: str = ""
    ratio: str = ""
    target: str = ""
    passed: bool | None = None


def seconds(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def versions() -> str:
    names = ["numpy", "scipy", "h3", "h3ronpy", "esda", "libpysal", "numba"]
    found = []
    for name in names:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} absent")
    return ", ".join(found)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--points", type=int, default=POINTS, help="points per extent (1,000,000)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per figure; median (3)")
    parser.add_argument("--seed", type=int, default=SEED, help="seed for the synthetic points")
    parser.add_argument(
        "--esda-timeout",
        type=float,
        default=150.0,
        help="seconds before an esda permutation run is killed (150)",
    )
    parser.add_argument("--no-esda", action="store_true", help="time Waymark only")
    parser.add_argument(
        "--quick", action="store_true", help="one run per figure; esda at city extent only"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs = 1
    return args


@dataclass
class Session:
    """What the extents share: the options, the esda process, the rows, notes and header."""

    args: argparse.Namespace
    esda: EsdaProcess | None
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    esda_city_permutations: tuple[float, int] | None = None  # seconds, cells

    def esda_figures(self, name: str) -> EsdaFigures | None:
        if self.esda is None:
            return None
        if not self.esda.alive:  # killed at a timeout: a new one, compiled again
            self.esda = EsdaProcess()
        args = self.args
        return self.esda.measure(
            name,
            n=args.points,
            seed=args.seed,
            runs=args.runs,
            analytical_runs=args.runs,
            timeout=args.esda_timeout,
        )


def measure_city(session: Session) -> None:
    """City extent: the default study area, built from the points on every call."""
    args, runs, seed = session.args, session.args.runs, session.args.seed
    city = EXTENTS["city"]
    lat, lon, _ = make_points(city, args.points, seed)
    e2e, e2e_cpu, result = timed_cpu(lambda: hs.hotspots(lat, lon), runs)
    grid = study_grid(city, lat, lon, explicit=False)
    assert len(grid) == len(result.cells)
    values = result.count.astype(float)
    p99, p_sim = timed(lambda: hs.permutation_p(values, grid.weights, 99, seed), runs)
    p999, _ = timed(lambda: hs.permutation_p(values, grid.weights, 999, seed), runs)
    session.rows.append(
        Row(
            f"city: {points_label(args.points)} points to FDR table",
            wall_and_cpu(e2e, e2e_cpu),
            target="< 1.0 s",
            passed=e2e < 1.0,
        )
    )
    esda = session.esda_figures("city")
    session.rows += peer_rows("city", grid, values, result.z, p_sim, p99, esda, session)
    session.rows.append(
        Row("city: permutations, 999", seconds(p999), target="< 3 s", passed=p999 < 3.0)
    )
    session.header.append(
        f"City       {len(grid):,} cells (default study area), "
        f"{int((result.cls > 0).sum()):,} hot at FDR 0.05"
    )


def measure_national(session: Session) -> None:
    """National extent: an explicit study area (the box) whose grid is cached."""
    args, runs, seed = session.args, session.args.runs, session.args.seed
    nation = EXTENTS["national"]
    lat, lon, _ = make_points(nation, args.points, seed)

    def build_uncached() -> hs.Grid:
        hs.clear_area_grids()
        return hs.area_grid(nation.area, 9, 1)

    build, grid = timed(build_uncached, runs)
    e2e, e2e_cpu, result = timed_cpu(lambda: hs.hotspots(lat, lon, area=nation.area), runs)
    default_e2e, default_result = timed(lambda: hs.hotspots(lat, lon), runs)
    values = result.count.astype(float)
    p99, _ = timed(lambda: hs.permutation_p(values, grid.weights, 99, seed), runs)
    session.rows += [
        Row("national: grid build (uncached)", seconds(build), target="(info)"),
        Row(
            f"national: {points_label(args.points)} points to FDR table",
            wall_and_cpu(e2e, e2e_cpu),
            target="< 1.5 s",
            passed=e2e < 1.5,
        ),
        Row("national: same, default study area", seconds(default_e2e), target="(info)"),
        bandwidth_row(grid, values, session.notes),
    ]
    esda = None if args.quick else session.esda_figures("national")
    session.rows += peer_rows("national", grid, values, result.z, None, p99, esda, session)
    session.header.append(
        f"National   {len(grid):,} cells in the box, {int((result.count > 0).sum()):,} occupied, "
        f"{int((result.cls > 0).sum()):,} hot, {result.outside} points outside; default study "
        f"area {len(default_result.cells):,} cells"
    )
    hs.clear_area_grids()


def run(args: argparse.Namespace) -> int:
    warnings.filterwarnings("ignore")
    wall = time.perf_counter()
    load_before = os.getloadavg()[0]
    session = Session(args=args, esda=None if args.no_esda else EsdaProcess())
    measure_city(session)
    measure_national(session)
    if session.esda is not None:
        session.esda.close()

    header = [
        f"Date       {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC",
        f"Machine    {platform.machine()}, {os.cpu_count()} cores, load average "
        f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after; "
        f"Python {platform.python_version()}",
        f"Versions   {versions()}",
        f"Points     {args.points:,} per extent (seed {args.seed}); H3 resolution 9, k = 1; "
        f"median of {args.runs} run{'s' if args.runs > 1 else ''}",
        *session.header,
    ]
    if session.esda is not None:
        header.append(
            f"esda       G_Local(transform='B', star=True), numba compilation "
            f"{session.esda.compiled_s:.0f} s (untimed); permutation runs killed after "
            f"{args.esda_timeout:g} s"
        )
    load = max(load_before, os.getloadavg()[0])
    if load > (os.cpu_count() or 1):
        session.notes.append(
            f"the machine was busy with other work (load average up to {load:.1f} on "
            f"{os.cpu_count()} cores): wall times are inflated. CPU is the work done, in all "
            f"threads: on a quiet machine binning's two threads bring the wall time below it"
        )
    missed = report(header, session.rows, session.notes)
    print(f"Wall time {time.perf_counter() - wall:.0f} s.")
    return 1 if (args.check and missed) else 0


def peer_rows(
    name: str,
    grid: hs.Grid,
    values: npt.NDArray[np.float64],
    z: npt.NDArray[np.float64],
    p_sim: npt.NDArray[np.float64] | None,
    waymark_p99: float,
    esda: EsdaFigures | None,
    session: Session,
) -> list[Row]:
    args, notes = session.args, session.notes
    gi, _ = timed(lambda: hs.gi_star(values, grid), max(args.runs, 5))
    rows = [Row(f"{name}: Gi* z (analytical)", seconds(gi))]
    perm = Row(f"{name}: permutations, 99", seconds(waymark_p99))
    if name == "national":
        perm.target = "< 10 s, >= 50x"
        perm.passed = waymark_p99 < 10.0
    rows.append(perm)
    if esda is None:
        rows[0].peer = perm.peer = "not run"
        return rows
    if esda.analytical:
        analytical = statistics.median(esda.analytical)
        rows[0].peer = seconds(analytical)
        rows[0].ratio = f"{analytical / gi:.0f}x"
    if esda.zs is not None:
        difference = float(np.max(np.abs(esda.zs - z)))
        rows.append(Row(f"{name}: largest |z - esda z|", f"{difference:.1e}", target="< 1e-6"))
        rows[-1].passed = difference < 1e-6
    if esda.weights_s is not None:
        notes.append(f"{name}: building libpysal's W from the matrix took {esda.weights_s:.1f} s")
    if esda.timed_out:
        perm.peer = f"> {args.esda_timeout:g} s"
        bound = args.esda_timeout / waymark_p99
        perm.ratio = f"> {bound:.0f}x"
        if name == "national":
            perm.passed = perm.passed and bound >= 50
            if bound < 50:
                notes.append("national: raise --esda-timeout to show the 50x ratio")
            if session.esda_city_permutations is not None:
                # esda copies the other n - 1 values for every cell: its time grows as n^2.
                city_s, city_n = session.esda_city_permutations
                guess = city_s * (len(grid) / city_n) ** 2
                notes.append(
                    f"national: esda's permutations grow as n^2 (each cell copies the other n - 1 "
                    f"values); scaled from city extent they would take about {guess / 60:.0f} "
                    f"min, {guess / waymark_p99:,.0f}x Waymark (an estimate, not a measurement)"
                )
    elif esda.permutations:
        taken = statistics.median(esda.permutations)
        if name == "city":
            session.esda_city_permutations = (taken, len(grid))
        perm.peer = seconds(taken)
        perm.ratio = f"{taken / waymark_p99:.0f}x"
        if name == "national":
            perm.passed = perm.passed and taken / waymark_p99 >= 50
    if p_sim is not None and esda.p_sim is not None:
        agree = float(np.mean((p_sim < 0.05) == (esda.p_sim < 0.05)))
        notes.append(
            f"{name}: Waymark's and esda's 99-permutation p agree on p < 0.05 for {agree:.1%} "
            f"of cells (independent draws); Waymark {np.mean(p_sim < 0.05):.1%}, esda "
            f"{np.mean(esda.p_sim < 0.05):.1%} below 0.05"
        )
    return rows


def bandwidth_row(grid: hs.Grid, values: npt.NDArray[np.float64], notes: list[str]) -> Row:
    """The sparse product is the memory-bound core of Gi*: bytes it moves over its time."""
    w = grid.weights
    moved = w.data.nbytes + w.indices.nbytes + w.indptr.nbytes + 2 * values.nbytes
    matvec, _ = timed(lambda: w @ values, 21)
    reference = 21e9  # bytes/s read on two threads
    notes.append(
        f"national: the Gi* product moves {moved / 1e6:.0f} MB ({w.nnz:,} weights); at the "
        f"reference {reference / 1e9:.0f} GB/s that is a floor of {moved / reference * 1000:.1f} ms"
    )
    return Row(
        "national: Gi* sparse product",
        f"{seconds(matvec)}, {moved / matvec / 1e9:.1f} GB/s",
        target="(info)",
    )


def report(header: list[str], rows: list[Row], notes: list[str]) -> bool:
    for line in header:
        print(line)
    print()
    titles = ("measure", "Waymark", "esda", "esda/Waymark", "target", "")
    widths = [max(len(titles[0]), *(len(r.measure) for r in rows)), 24, 12, 12, 12]
    print("  ".join(t.ljust(w) for t, w in zip(titles, widths, strict=False)).rstrip())
    missed = []
    for r in rows:
        verdict = "" if r.passed is None else ("PASS" if r.passed else "FAIL")
        cells = (r.measure, r.waymark, r.peer, r.ratio, r.target, verdict)
        print("  ".join(c.ljust(w) for c, w in zip(cells, [*widths, 4], strict=True)).rstrip())
        if r.passed is False:
            missed.append(r.measure)
    print()
    for note in notes:
        print(f"- {note}")
    if missed:
        print(f"FAIL: {len(missed)} target(s) missed: {'; '.join(missed)}")
    else:
        print("PASS: every target met")
    return bool(missed)


def main() -> int:
    return run(parse_args())


if __name__ == "__main__":
    sys.exit(main())
