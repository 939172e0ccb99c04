"""Audit overhead: the young person page and API, with the audit trail on and off, in one run.

Reading a young person writes a hash-chained audit event (it takes the chain lock, reads the
chain head, computes its HMAC, inserts), and that may cost at most 15% at p50.

What it does
------------
1. Sets up Django with the local settings in demo mode, without two-factor sign-in and with
   DEBUG off, on the database DATABASE_URL names (by default a scratch SQLite file under /tmp,
   never var/). It migrates and builds the demo town at a small scale and a fixed seed, unless
   that town is already there. On PostgreSQL it creates the database if it is missing.
2. Signs a practitioner in with Django's test client (`force_login`), so requests run in this
   process: no server, no network, no password hashing.
3. Picks young people the practitioner may see (`young_person_list_visible_to`), with a fixed seed.
4. Times GET /young-people/<ref>/ (web page) and GET /api/young-people/<ref>/ (API) with the
   real code ("on") and with `audit_record`, `audit_record_many` and `audit_record_events`
   replaced by no-ops ("off").
   The no-ops are put wherever those functions are looked up: in `waymark.audit.services` and
   in every module that imported them by name (found by identity, not by a hand-kept list).
   After a warm-up, each round runs the four cells (endpoint x arm) once, in an order shuffled
   with a fixed seed, so drift (caches, the growing audit table, the machine) falls on both arms.
5. Checks every "on" request wrote audit events (one per record the response shows) and no
   "off" request did, then prints p50 and p95 per endpoint and arm, the ratios on/off, and PASS
   or FAIL against the target. It exits 0 whatever the result, unless --check is given.

Run it with `make bench`, or:

    .venv/bin/python bench/audit_overhead.py [--requests 300] [--scale 0.25] [--check]
    DATABASE_URL=postgres://USER:PASSWORD@127.0.0.1:5432/waymark_bench \\
        .venv/bin/python bench/audit_overhead.py
"""

import argparse
import base64
import datetime
import gc
import hashlib
import os
import platform
import random
import re
import secrets
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "sqlite:////tmp/waymark-bench-audit.sqlite3"
TARGET_P50_OVERHEAD = 0.15  # at most 15% at p50
CHECKPOINT_EVERY = 50  # rounds between signed checkpoints
ENDPOINTS = {
    "web page": "/young-people/{ref}/",
    "API": "/api/young-people/{ref}/",
}
ARMS = ("on", "off")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Latency of the young person page and API with the audit trail on and off."
    )
    parser.add_argument(
        "--requests", type=int, default=300, help="timed requests per arm per endpoint (300)"
    )
    parser.add_argument(
        "--warmup", type=int, default=30, help="untimed rounds before timing starts (30)"
    )
    parser.add_argument("--people", type=int, default=20, help="young people to cycle through (20)")
    parser.add_argument("--scale", type=float, default=0.25, help="demo town scale (0.25)")
    parser.add_argument("--seed", type=int, default=None, help="demo town seed (the demo's own)")
    parser.add_argument(
        "--order-seed", type=int, default=1, help="seed for the people and the arm order (1)"
    )
    parser.add_argument("--user", default="practitioner", help="demo user to sign in as")
    parser.add_argument(
        "--replace-town",
        action="store_true",
        help="replace a demo town of another seed or scale in the database",
    )
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the p50 overhead misses the target"
    )
    return parser.parse_args(argv)


def _bench_key(label: str) -> str:
    """A Fernet-shaped key (32 bytes, URL-safe base64), the same on every run."""
    digest = hashlib.sha256(f"waymark bench {label} key".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


def configure_environment() -> None:
    """Settings for this process only. DATABASE_URL and DJANGO_SETTINGS_MODULE may be overridden."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ["WAYMARK_DEMO"] = "true"
    os.environ["WAYMARK_REQUIRE_2FA"] = "false"
    # As served in production: DEBUG on would also log every SQL statement in both arms.
    os.environ.setdefault("WAYMARK_DEBUG", "false")
    # The test client's host name.
    os.environ["ALLOWED_HOSTS"] = "testserver"
    # Keys of its own, so the local settings neither read nor write the ones under var/. The
    # field-encryption keys must outlive the run (the scratch town stays encrypted under them),
    # so they are derived from fixed labels: they protect synthetic data only.
    os.environ.setdefault("WAYMARK_SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("WAYMARK_FIELD_KEYS", _bench_key("field"))
    os.environ.setdefault("WAYMARK_BLIND_INDEX_KEY", _bench_key("blind index"))
    # The audit chain's HMAC key must outlive the run too: the scratch town's events keep their
    # hashes. Checkpoints are signed as in production, every CHECKPOINT_EVERY rounds, into a
    # store of the run's own (the first one checks the whole scratch log), so var/ is left alone.
    os.environ.setdefault("WAYMARK_AUDIT_KEY", _bench_key("audit"))
    os.environ.setdefault("WAYMARK_AUDIT_SIGNING_KEY", _bench_key("audit signing"))
    os.environ["WAYMARK_AUDIT_CHECKPOINTS"] = tempfile.mkdtemp(prefix="waymark-bench-checkpoints-")
    if str(BASE_DIR) not in sys.path:
        sys.path.insert(0, str(BASE_DIR))
    # WhiteNoise warns that var/static (collectstatic's output) is missing; the pages do not
    # need it here, and the benchmark must not create it.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)


def redact(url: str) -> str:
    return re.sub(r"://([^:@/]+):[^@]*@", r"://\1:***@", url)


# --- database and demo town ----------------------------------------------------------------


def ensure_postgresql_database() -> None:
    """Create the named PostgreSQL database if it does not exist yet (the role needs CREATEDB)."""
    from django.db import connection
    from django.db.utils import OperationalError

    if connection.vendor != "postgresql":
        return
    try:
        connection.ensure_connection()
        return
    except OperationalError as exc:
        if "does not exist" not in str(exc):
            raise
    name = connection.settings_dict["NAME"]
    # The same way Django's test runner creates its database: through the "postgres" database.
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    print(f"Created PostgreSQL database {name}.")


def engine_description() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version} ({connection.settings_dict['NAME']})"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (version,) = cursor.fetchone()
    return f"PostgreSQL {version} ({connection.settings_dict['NAME']})"


def prepare_database(*, scale: float, seed: int, replace_town: bool) -> str:
    from django.core.management import call_command

    from waymark.demo.generator import DemoBuild, demo_ensure, demo_state

    ensure_postgresql_database()
    call_command("migrate", verbosity=0, interactive=False)
    built = demo_state()
    if built is not None and built != DemoBuild(seed=seed, scale=scale) and not replace_town:
        # demo_ensure would remove that town to build this one: not in someone's own database.
        raise SystemExit(
            f"This database holds the demo town with seed {built.seed} and scale {built.scale:g}; "
            "the benchmark would replace it. Point DATABASE_URL at a scratch database, or pass "
            "--replace-town."
        )
    started = time.perf_counter()
    result = demo_ensure(seed=seed, scale=scale)
    if result.built_now:
        return f"built now in {time.perf_counter() - started:.1f} s"
    return "already built"


# --- switching the audit trail off ---------------------------------------------------------


def _audit_record_off(**kwargs: Any) -> None:
    return None


def _audit_record_many_off(**kwargs: Any) -> None:
    return None


def _audit_record_events_off(**kwargs: Any) -> None:
    return None


@dataclass
class AuditSwitch:
    """Where `audit_record`, `audit_record_many` and `audit_record_events` (which writes the
    reads collected during a request) are looked up, and no-ops to put there."""

    replacements: dict[Callable[..., Any], Callable[..., Any]]
    sites: list[tuple[ModuleType, str, Callable[..., Any]]] = field(default_factory=list)

    @classmethod
    def find(cls) -> "AuditSwitch":
        import config.urls  # noqa: F401  (imports every view and API module)
        from waymark.audit import services

        switch = cls(
            {
                services.audit_record: _audit_record_off,
                services.audit_record_many: _audit_record_many_off,
                services.audit_record_events: _audit_record_events_off,
            }
        )
        for module_name, module in sorted(sys.modules.items()):
            if module is None or not module_name.startswith(("waymark", "config")):
                continue
            for attribute, value in list(vars(module).items()):
                if callable(value) and value in switch.replacements:
                    switch.sites.append((module, attribute, value))
        return switch

    def names(self) -> list[str]:
        return [f"{module.__name__}.{attribute}" for module, attribute, _ in self.sites]

    @contextmanager
    def off(self) -> Iterator[None]:
        for module, attribute, original in self.sites:
            setattr(module, attribute, self.replacements[original])
        try:
            yield
        finally:
            for module, attribute, original in self.sites:
                setattr(module, attribute, original)


# --- measuring -----------------------------------------------------------------------------


def p50(samples: list[float]) -> float:
    return statistics.median(samples)


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[94]


@dataclass
class Measurement:
    # Milliseconds per (endpoint, arm), in round order: sample i of "on" and of "off" read the
    # same young person in the same round, so their difference is a paired one.
    samples: dict[tuple[str, str], list[float]]
    events_on: int
    events_off: int
    unaudited: int
    checkpoints: list[float]  # milliseconds to check and sign each checkpoint, in run order

    def paired_p50_delta(self, endpoint: str) -> float:
        on, off = self.samples[(endpoint, "on")], self.samples[(endpoint, "off")]
        return statistics.median(a - b for a, b in zip(on, off, strict=True))


def measure(
    *, client: Any, switch: AuditSwitch, people: list[str], rng: random.Random, args: Any
) -> Measurement:
    from waymark.audit.checkpoints import checkpoint_write
    from waymark.audit.models import AuditEvent

    cells = [(endpoint, arm) for endpoint in ENDPOINTS for arm in ARMS]
    samples: dict[tuple[str, str], list[float]] = {cell: [] for cell in cells}

    def timed_get(url: str) -> float:
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}, not 200")
        return elapsed * 1000

    written = {arm: 0 for arm in ARMS}
    unaudited = 0  # "on" requests that wrote no event
    checkpoints: list[float] = []
    rounds = args.warmup + args.requests
    for round_number in range(rounds):
        if round_number % CHECKPOINT_EVERY == 0:
            # Between rounds, as the schedule would between requests; not in the request times.
            started = time.perf_counter()
            checkpoint_write()
            checkpoints.append((time.perf_counter() - started) * 1000)
        if round_number == args.warmup:
            gc.collect()
        ref = people[round_number % len(people)]
        order = cells[:]
        rng.shuffle(order)
        for endpoint, arm in order:
            url = ENDPOINTS[endpoint].format(ref=ref)
            before = AuditEvent.objects.count()
            if arm == "on":
                elapsed = timed_get(url)
            else:
                with switch.off():
                    elapsed = timed_get(url)
            if round_number >= args.warmup:
                samples[(endpoint, arm)].append(elapsed)
            # Not timed. An "on" request writes one event per record it shows (the young person,
            # and the concerns and people its page names), an "off" request none.
            count = AuditEvent.objects.count() - before
            written[arm] += count
            unaudited += arm == "on" and count == 0
    return Measurement(
        samples=samples,
        events_on=written["on"],
        events_off=written["off"],
        unaudited=unaudited,
        checkpoints=checkpoints,
    )


def report(result: Measurement, *, header: list[str], vendor: str) -> bool:
    """Print the table and the verdict; True if the target is met."""
    width = 86
    print("=" * width)
    print("Audit overhead: young person page and API, audit on vs off")
    for line in header:
        print(line)
    print(
        f"Audit log  {result.events_on} events written by 'on' requests ({result.unaudited} "
        f"wrote none), {result.events_off} by 'off' requests"
    )
    first, *later = result.checkpoints
    print(
        f"Checkpoints {len(result.checkpoints)} signed, one every {CHECKPOINT_EVERY} rounds: the "
        f"first (checking the whole log) in {first:.0f} ms, each later one (the events since the "
        f"one before) in {statistics.median(later) if later else 0:.1f} ms at the median"
    )
    print("-" * width)
    print(
        f"{'endpoint':<10} {'arm':<4} {'n':>5} {'p50 ms':>8} {'p95 ms':>8}   "
        f"{'on/off p50':>10} {'on/off p95':>10} {'Δp50 ms':>8} {'paired Δ':>9}"
    )
    worst = 0.0
    for endpoint in ENDPOINTS:
        on, off = result.samples[(endpoint, "on")], result.samples[(endpoint, "off")]
        ratio50, ratio95 = p50(on) / p50(off), p95(on) / p95(off)
        worst = max(worst, ratio50 - 1)
        print(
            f"{endpoint:<10} {'on':<4} {len(on):>5} {p50(on):>8.2f} {p95(on):>8.2f}   "
            f"{ratio50:>10.3f} {ratio95:>10.3f} {p50(on) - p50(off):>+8.2f} "
            f"{result.paired_p50_delta(endpoint):>+9.2f}"
        )
        print(f"{endpoint:<10} {'off':<4} {len(off):>5} {p50(off):>8.2f} {p95(off):>8.2f}")
    print("-" * width)
    print("paired Δ: median over rounds of (on - off) for the same young person, in ms")
    complete = result.unaudited == 0 and result.events_off == 0
    passed = complete and worst <= TARGET_P50_OVERHEAD
    print(
        f"{'PASS' if passed else 'FAIL'}: worst audit overhead at p50 is {worst:+.1%}; "
        f"target at most {TARGET_P50_OVERHEAD:.0%} ({vendor})"
        + ("" if complete else ". Not every 'on' request, or some 'off' request, wrote events.")
    )
    print("=" * width)
    return passed


def run(args: argparse.Namespace) -> int:
    configure_environment()
    import django

    django.setup()

    from django.conf import settings
    from django.db import connection
    from django.test import Client

    import waymark
    from waymark.accounts.models import User
    from waymark.demo.plan import DEFAULT_SEED
    from waymark.people.selectors import young_person_list_visible_to

    load_before = os.getloadavg()[0]
    seed = DEFAULT_SEED if args.seed is None else args.seed
    town = prepare_database(scale=args.scale, seed=seed, replace_town=args.replace_town)

    user = User.objects.get(username=args.user)
    rng = random.Random(args.order_seed)
    visible = list(
        young_person_list_visible_to(user=user)
        .order_by("reference")
        .values_list("reference", flat=True)
    )
    if not visible:
        raise SystemExit(f"{args.user} can see no young people in this town; nothing to measure.")
    people = rng.sample(visible, min(args.people, len(visible)))

    client = Client()
    client.force_login(user)
    switch = AuditSwitch.find()
    result = measure(client=client, switch=switch, people=people, rng=rng, args=args)

    header = [
        f"Date       {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC",
        f"Machine    {platform.machine()}, {os.cpu_count()} cores, load average "
        f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after; "
        f"Python {platform.python_version()}, Django {django.get_version()}",
        f"Code       {Path(waymark.__file__).parent}",
        f"Engine     {engine_description()}",
        f"           DATABASE_URL={redact(os.environ['DATABASE_URL'])}",
        f"Town       scale {args.scale:g}, seed {seed} ({town}); signed in as {args.user}, "
        f"{len(people)} of {len(visible)} visible young people",
        f"Requests   {args.requests} per arm per endpoint after {args.warmup} warm-up rounds, "
        f"interleaved (order seed {args.order_seed}); DEBUG={settings.DEBUG}",
        f"Audit off  no-ops at {', '.join(switch.names())}",
    ]
    passed = report(result, header=header, vendor=connection.vendor)
    return 0 if passed or not args.check else 1


def main() -> int:
    return run(parse_args())


if __name__ == "__main__":
    sys.exit(main())
