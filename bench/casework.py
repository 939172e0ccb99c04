"""Context cases at scale: the case list and a case page with 200 linked children and 60 actions.

Target: each loads in under 150 ms at p50 on the demo town at scale 1.

What it does
------------
1. Sets up Django as `audit_overhead.py` does (local settings in demo mode, no two-factor sign-in,
   DEBUG off, a scratch database unless DATABASE_URL names one) and builds the demo town at
   scale 1 with the demo's seed, unless it is already there.
2. Adds one context case of its own, once: a place with 200 young people linked to it by a
   practitioner, and a context plan of 6 goals with 10 actions each, owned by agencies, named
   workers and partner organisations in turn.
3. Signs in a practitioner with the test client (`force_login`: no server, no password hashing)
   and, after a warm-up, times GET /cases/, GET /cases/<reference>/ and, as the yardstick
   measured in the same run, GET /places/<pk>/ of the same place, each request in turn. It counts
   each page's SQL queries.
4. Prints p50 and p95, the query counts, the ratio of each page to the place page, and PASS or
   FAIL against the target. It exits 0 whatever it finds, unless --check is given.

    .venv/bin/python bench/casework.py [--requests 200] [--scale 1] [--check]
    DATABASE_URL=postgres://USER:PASSWORD@127.0.0.1:5432/waymark_bench .venv/bin/python bench/casework.py
"""

import argparse
import datetime
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

from _common import Row, report, versions  # noqa: E402
from audit_overhead import (  # noqa: E402
    configure_environment,
    engine_description,
    prepare_database,
    redact,
)

DEFAULT_DATABASE_URL = "sqlite:////tmp/waymark-bench-casework.sqlite3"
TARGET_P50 = 0.150
LINKED = 200
GOALS, ACTIONS_PER_GOAL = 6, 10
MARKER = "Benchmark case: linked for the load measurement"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page (200)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed rounds first (20)")
    parser.add_argument("--scale", type=float, default=1.0, help="demo town scale (1)")
    parser.add_argument("--seed", type=int, default=None, help="demo town seed (the demo's own)")
    parser.add_argument("--user", default="practitioner", help="demo user to sign in as")
    parser.add_argument("--replace-town", action="store_true")
    parser.add_argument("--check", action="store_true", help="exit 1 if a page misses the target")
    return parser.parse_args(argv)


def bench_case() -> Any:
    """The benchmark's own case, made once: 200 linked children and 60 actions."""
    from django.db import transaction

    from waymark.accounts.models import Agency, User
    from waymark.casework.instruments import INSTRUMENTS
    from waymark.casework.models import (
        Action,
        Assessment,
        AssessmentArea,
        AssessmentKind,
        CaseLink,
        CaseStatus,
        ContextCase,
        ContextPlan,
        Goal,
        OwnerKind,
        Partner,
        PartnerKind,
        Referral,
        Screening,
        SourceReliability,
        SubjectKind,
        Threshold,
    )
    from waymark.contexts.models import Place
    from waymark.core.references import reference_assign_and_save
    from waymark.people.models import YoungPerson

    link = CaseLink.objects.filter(reason=MARKER).select_related("case").first()
    if link is not None:
        return link.case
    from django.utils import timezone

    today = timezone.localdate()
    worker = User.objects.get(username="practitioner")
    agency = worker.agency
    if agency is None:
        raise SystemExit(f"{worker.username} has no agency")
    agencies = list(Agency.objects.all()[:3])
    place = Place.objects.exclude(kind="residential").order_by("pk").first()
    with transaction.atomic():
        case = ContextCase(
            subject_kind=SubjectKind.PLACE,
            place=place,
            status=CaseStatus.OPEN,
            threshold=Threshold.PARTNERSHIP_PLUS,
            lead_agency=agency,
            lead_worker=worker,
            next_review_on=today + datetime.timedelta(days=30),
            created_by=worker,
        )
        reference_assign_and_save(case, "CC")
        Referral.objects.create(
            case=case,
            referred_by=worker,
            referring_agency=agency,
            referred_on=today - datetime.timedelta(days=120),
            reason="Load measurement",
            source="Benchmark",
            reliability=SourceReliability.RELIABLE,
        )
        Screening.objects.create(
            case=case,
            decision=Threshold.PARTNERSHIP_PLUS,
            reason="Load measurement",
            decided_by=worker,
            decided_on=today - datetime.timedelta(days=110),
        )
        assessment = Assessment.objects.create(
            case=case,
            kind=AssessmentKind.LOCATION,
            number=1,
            started_on=today - datetime.timedelta(days=100),
            completed_on=today - datetime.timedelta(days=90),
            assessed_by=worker,
        )
        areas = [
            AssessmentArea.objects.create(
                assessment=assessment, area=area.key, findings="Findings", rating=2
            )
            for area in INSTRUMENTS[AssessmentKind.LOCATION].areas
        ]
        plan = ContextPlan.objects.create(
            case=case, started_on=today - datetime.timedelta(days=80), agreed_by=worker
        )
        partners = [
            Partner.objects.get_or_create(
                name=f"Benchmark partner {n}",
                kind=PartnerKind.BUSINESS,
                defaults={"agency": agency},
            )[0]
            for n in range(3)
        ]
        for g in range(GOALS):
            goal = Goal.objects.create(
                plan=plan, outcome=f"Outcome {g + 1}", finding=areas[g % len(areas)]
            )
            for a in range(ACTIONS_PER_GOAL):
                kind = [OwnerKind.AGENCY, OwnerKind.WORKER, OwnerKind.PARTNER][a % 3]
                Action.objects.create(
                    goal=goal,
                    description=f"Action {g + 1}.{a + 1}",
                    owner_kind=kind,
                    owner_agency=agencies[a % len(agencies)] if kind == OwnerKind.AGENCY else None,
                    owner_worker=worker if kind == OwnerKind.WORKER else None,
                    owner_partner=partners[a % 3] if kind == OwnerKind.PARTNER else None,
                    due_on=today + datetime.timedelta(days=a * 7 - 20),
                )
        young_people = YoungPerson.objects.order_by("pk").values_list("pk", flat=True)[:LINKED]
        CaseLink.objects.bulk_create(
            CaseLink(
                case=case, young_person_id=pk, reason=MARKER, linked_by=worker, linked_on=today
            )
            for pk in young_people
        )
    return case


def measure(urls: dict[str, str], *, requests: int, warmup: int, user: Any) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    for _ in range(warmup):
        for url in urls.values():
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"GET {url} answered {response.status_code}")
    samples: dict[str, list[float]] = {name: [] for name in urls}
    for _ in range(requests):
        for name, url in urls.items():
            started = time.perf_counter()
            client.get(url)
            samples[name].append(time.perf_counter() - started)
    queries = {}
    for name, url in urls.items():
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        queries[name] = len(captured.captured_queries)
    return {"samples": samples, "queries": queries}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    configure_environment()
    import django

    django.setup()
    from waymark.accounts.models import User
    from waymark.demo.generator import DEFAULT_SEED

    seed = DEFAULT_SEED if args.seed is None else args.seed
    town = prepare_database(scale=args.scale, seed=seed, replace_town=args.replace_town)
    case = bench_case()
    user = User.objects.get(username=args.user)
    urls = {
        "case list": "/cases/",
        f"case page ({LINKED} children, {GOALS * ACTIONS_PER_GOAL} actions)": (
            f"/cases/{case.reference}/"
        ),
        "place page (yardstick)": f"/places/{case.place_id}/",
    }
    result = measure(urls, requests=args.requests, warmup=args.warmup, user=user)
    samples, queries = result["samples"], result["queries"]
    yardstick = statistics.median(samples["place page (yardstick)"])
    rows, passed = [], True
    for name in urls:
        p50 = statistics.median(samples[name])
        p95 = statistics.quantiles(samples[name], n=20)[18]
        is_case_page = not name.startswith("place page")
        ok = p50 < TARGET_P50 if is_case_page else None
        passed = passed and (ok is not False)
        rows.append(
            Row(
                measure=f"{name}: p50 (p95), queries",
                waymark=f"{p50 * 1000:.0f} ({p95 * 1000:.0f}) ms, {queries[name]} q",
                peer=f"place page {yardstick * 1000:.0f} ms",
                ratio=f"{p50 / yardstick:.2f}",
                target="< 150 ms" if is_case_page else "",
                passed=ok,
            )
        )
    from django.conf import settings

    all_passed = report(
        "Context cases: page load at scale",
        [
            f"Engine: {engine_description()} [{redact(settings.DATABASES['default'].get('NAME', ''))}]",
            f"Demo town: scale {args.scale:g}, seed {seed}, {town}",
            f"Requests: {args.requests} per page after {args.warmup} warm-up rounds, as {args.user}",
            f"Python {platform.python_version()}; {versions(['django', 'djangorestframework'])}",
        ],
        rows,
        [
            "The place page is the yardstick: an existing page of the same place, timed in the "
            "same run, in turn with the case pages.",
        ],
        width=118,
    )
    if args.check and not (passed and all_passed):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
