"""What the benchmarks share: timing, the rows of a results table, and printing it.

A helper module (its name starts with `_`), so `make bench` does not run it. Each bench script
runs with bench/ first on sys.path and imports it as `_common`.
"""

import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import metadata
from typing import Any


@dataclass(frozen=True)
class Timing:
    wall: float  # median, s
    cpu: float  # median, s, all threads
    result: Any

    def text(self, scale: float = 1.0) -> str:
        return f"{seconds(self.wall * scale)} (CPU {seconds(self.cpu * scale)})"


def timed(fn: Callable[[], Any], repeat: int, warm_up: bool = False) -> Timing:
    """The median wall and CPU time of `repeat` calls, and the last call's result."""
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


@dataclass
class Row:
    measure: str
    waymark: str
    peer: str = ""
    ratio: str = ""
    target: str = ""
    passed: bool | None = None


def versions(names: Iterable[str]) -> str:
    found = []
    for name in names:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} absent")
    return ", ".join(found)


def report(title: str, header: list[str], rows: list[Row], notes: list[str], width: int) -> bool:
    """Print the table of results; True when every row with a target met it."""
    measure = width - 76
    print("=" * width)
    print(title)
    for line in header:
        print(line)
    print("-" * width)
    print(f"{'measure':<{measure}} {'Waymark':<24} {'peer':<26} {'ratio':>6}  {'target':<9} result")
    for row in rows:
        verdict = "" if row.passed is None else ("PASS" if row.passed else "FAIL")
        print(
            f"{row.measure:<{measure}} {row.waymark:<24} {row.peer:<26} {row.ratio:>6}  "
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
