"""The peer network from what practitioners record, and the peer groups found in it.

Selectors here turn associations and concerns into arrays for `waymark.analytics.peer_graph`;
`peer_groups_refresh` runs detection and keeps each group's number stable across runs by member
overlap, so a practitioner sees "the same group" tomorrow. Detection runs when a page needs it
and the data have changed since the last run (the data version), never twice for the same data.

What counts:
- every association between two young people (with its reliability, first and last seen and
  review-by date), and every pair of young people named in the same concern (co-involvement,
  with the reliability of the concern's source and the standard review period);
- only links not past their review-by date and seen in the window (the last `WINDOW_DAYS`).
Detection is one computation shared by every viewer, so it reads only what every agency may
know: links that are manual or supported by a handling-code P concern, and concerns with handling
code P. A handling-code C concern never shapes a group, its membership or its reasons; its
audience sees what it created on their own pages (`concerns.selectors.association_audience_q`).
A member has an "open exploitation concern" when a concern about them in an exploitation
category happened within the standard review period (six months).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations

import numpy as np
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from waymark.analytics.group_vulnerability import MemberFacts, group_vulnerability
from waymark.analytics.peer_bridges import (
    KeyConnection,
    PersonOfConcernBridge,
    key_connections,
    persons_of_concern_bridging,
)
from waymark.analytics.peer_graph import CONFIRMED, TENTATIVE, UNCONFIRMED, PeerGraph, peer_graph
from waymark.analytics.peer_groups import PeerGroups, match_groups, peer_groups
from waymark.concerns.models import (
    Association,
    AssociationReview,
    Concern,
    ConcernRisk,
    ConcernYoungPerson,
    HandlingCode,
)
from waymark.concerns.selectors import association_shared_q
from waymark.concerns.services import ASSOCIATION_REVIEW_PERIOD
from waymark.concerns.taxonomy import EXPLOITATION, RiskCategory
from waymark.contexts.models import (
    DetectedGroup,
    DetectedGroupMember,
    PeerGroupDetection,
    Vulnerability,
)
from waymark.core.models import Reliability
from waymark.core.versions import Watched, data_version
from waymark.people.models import PersonFlag, YoungPerson

WINDOW_DAYS = 730
SEED = 1
RELIABILITY_CODE = {
    Reliability.CONFIRMED: CONFIRMED,
    Reliability.TENTATIVE: TENTATIVE,
    Reliability.UNCONFIRMED: UNCONFIRMED,
}
# A concern's source grading (3x5x2) read as the reliability of the link it makes.
SOURCE_RELIABILITY = {"1": CONFIRMED, "2": TENTATIVE, "3": UNCONFIRMED}
_LOCK_KEY = 0x5EE6_9209  # advisory lock: one detection at a time on PostgreSQL


def peer_data_version(*, today: datetime.date | None = None) -> str:
    """Changes whenever anything detection reads changes (and each day, as links lapse)."""
    return data_version(
        [
            Watched(Association.objects, latest=("updated_at",)),
            Watched(Concern.objects, latest=("id", "updated_at")),
            Watched(ConcernYoungPerson.objects, latest=("id",)),
            Watched(ConcernRisk.objects, latest=("id",)),
            Watched(PersonFlag.objects, latest=("updated_at",)),
            Watched(YoungPerson.objects, latest=("updated_at",)),
        ],
        also=[today or timezone.localdate()],
    )


@dataclass(frozen=True)
class NetworkRows:
    """One row per link, as `peer_graph` takes them; days are proleptic ordinals."""

    source: np.ndarray
    target: np.ndarray
    to_person_of_concern: np.ndarray
    co_involvement: np.ndarray
    reliability: np.ndarray
    first_seen: np.ndarray
    last_seen: np.ndarray
    review_by: np.ndarray
    young_people: np.ndarray  # every young person, so the ungrouped show too


def network_rows(*, window: tuple[datetime.date, datetime.date]) -> NetworkRows:
    rows: list[tuple[int, int, bool, bool, int, int, int, int]] = []
    for a, b, poc, reliability, first, last, review in (
        Association.objects.in_effect()
        .filter(association_shared_q())
        .values_list(
            "young_person_id",
            "other_young_person_id",
            "person_of_concern_id",
            "reliability",
            "first_seen",
            "last_seen",
            "review_by",
        )
    ):
        other, is_poc = (poc, True) if b is None else (b, False)
        rows.append(
            (
                a,
                other,
                is_poc,
                False,
                RELIABILITY_CODE[Reliability(reliability)],
                first.toordinal(),
                last.toordinal(),
                review.toordinal(),
            )
        )
    named: dict[int, list[int]] = defaultdict(list)
    grading: dict[int, tuple[str, datetime.date]] = {}
    for concern_id, person, source, day in ConcernYoungPerson.objects.filter(
        concern__occurred_on__gte=window[0],
        concern__occurred_on__lte=window[1],
        concern__handling_code=HandlingCode.P,
    ).values_list(
        "concern_id", "young_person_id", "concern__source_evaluation", "concern__occurred_on"
    ):
        named[concern_id].append(person)
        grading[concern_id] = (source, day)
    # A pair whose link from a concern is held for review (or was rejected) is not co-involved
    # through that concern either, until an involved agency accepts the link.
    not_in_effect = set(
        Association.objects.exclude(review_state=AssociationReview.IN_EFFECT)
        .filter(other_young_person__isnull=False, source_concerns__isnull=False)
        .values_list("source_concerns", "young_person_id", "other_young_person_id")
    )
    for concern_id, people in named.items():
        if len(people) < 2:
            continue
        source, day = grading[concern_id]
        lapses = (day + ASSOCIATION_REVIEW_PERIOD).toordinal()
        for a, b in combinations(sorted(set(people)), 2):
            if (concern_id, a, b) in not_in_effect:
                continue
            rows.append(
                (a, b, False, True, SOURCE_RELIABILITY.get(source, UNCONFIRMED),
                 day.toordinal(), day.toordinal(), lapses)
            )  # fmt: skip
    columns = list(zip(*rows, strict=True)) if rows else [()] * 8
    return NetworkRows(
        source=np.array(columns[0], dtype=np.int64),
        target=np.array(columns[1], dtype=np.int64),
        to_person_of_concern=np.array(columns[2], dtype=bool),
        co_involvement=np.array(columns[3], dtype=bool),
        reliability=np.array(columns[4], dtype=np.int64),
        first_seen=np.array(columns[5], dtype=np.int64),
        last_seen=np.array(columns[6], dtype=np.int64),
        review_by=np.array(columns[7], dtype=np.int64),
        young_people=np.array(
            sorted(YoungPerson.objects.values_list("id", flat=True)), dtype=np.int64
        ),
    )


def network_window(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The days a link must have been seen in to count: the last `WINDOW_DAYS` up to today."""
    return today - datetime.timedelta(days=WINDOW_DAYS), today


def network_graph(
    *, rows: NetworkRows, today: datetime.date, include_persons_of_concern: bool = False
) -> PeerGraph:
    start, end = network_window(today)
    return peer_graph(
        source=rows.source,
        target=rows.target,
        reliability=rows.reliability,
        first_seen=rows.first_seen,
        last_seen=rows.last_seen,
        review_by=rows.review_by,
        today=today.toordinal(),
        window=(start.toordinal(), end.toordinal()),
        co_involvement=rows.co_involvement,
        target_is_person_of_concern=rows.to_person_of_concern,
        include_persons_of_concern=include_persons_of_concern,
        young_people=rows.young_people,
    )


def member_facts(*, people: set[int], today: datetime.date) -> dict[int, MemberFacts]:
    """What group vulnerability reads about each young person, from concerns in the window."""
    start, _ = network_window(today)
    open_since = today - ASSOCIATION_REVIEW_PERIOD
    by_category: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    exploitation: set[int] = set()
    for person, category, day in ConcernRisk.objects.filter(
        concern__involved__young_person__in=people,
        concern__occurred_on__gte=start,
        concern__handling_code=HandlingCode.P,
    ).values_list("concern__involved__young_person", "category", "concern__occurred_on"):
        by_category[person][category] += 1
        if category in EXPLOITATION and day >= open_since:
            exploitation.add(person)
    flagged_people = set(PersonFlag.objects.current().values_list("person_id", flat=True))
    flagged_links: dict[int, int] = defaultdict(int)
    for person, _poc in (
        Association.objects.in_effect()
        .filter(
            association_shared_q(),
            young_person__in=people,
            person_of_concern__in=flagged_people,
            review_by__gte=today,
        )
        .values_list("young_person_id", "person_of_concern_id")
    ):
        flagged_links[person] += 1
    births = {
        p.pk: p.date_of_birth
        for p in YoungPerson.objects.filter(pk__in=people).only("id", "date_of_birth")
    }
    facts = {}
    for person in people:
        dob = births.get(person)
        age = (
            None
            if dob is None
            else today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))
        )
        missing = by_category[person].get(RiskCategory.MISSING, 0)
        facts[person] = MemberFacts(
            open_exploitation_concern=person in exploitation,
            concerns_by_category=dict(by_category[person]),
            age=age,
            missing_episodes=missing,
            flagged_persons_of_concern=flagged_links[person],
        )
    return facts


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


def peer_groups_refresh(
    *, today: datetime.date | None = None, force: bool = False
) -> PeerGroupDetection:
    """Detect peer groups unless the last run saw the same data; keep group numbers stable."""
    today = today or timezone.localdate()
    version = peer_data_version(today=today)
    with transaction.atomic():
        _lock()
        latest = PeerGroupDetection.objects.first()
        if latest is not None and latest.data_version == version and not force:
            return latest
        rows = network_rows(window=network_window(today))
        graph = network_graph(rows=rows, today=today)
        found = peer_groups(graph, seed=SEED)
        members = [set(ids.tolist()) for ids in found.member_ids(graph)]
        previous: dict[int, set[int]] = defaultdict(set)
        for number, person in DetectedGroupMember.objects.filter(group__active=True).values_list(
            "group__number", "young_person_id"
        ):
            previous[number].add(person)
        top = DetectedGroup.objects.aggregate(m=Max("number"))["m"] or 0
        match = match_groups(previous, members, next_id=top + 1)
        start, end = network_window(today)
        run = PeerGroupDetection.objects.create(
            computed_at=timezone.now(),
            data_version=version,
            window_start=start,
            window_end=end,
            parameters={"objective": found.objective, "resolution": found.resolution,
                        "seed": found.seed, "min_size": found.min_size},
            modularity=found.modularity,
            young_people=len(rows.young_people),
            links=graph.graph.ecount(),
            groups=len(members),
        )  # fmt: skip
        facts = member_facts(people=set().union(*members) if members else set(), today=today)
        labels = dict(RiskCategory.choices)
        kept = []
        for number, people in zip(match.ids, members, strict=True):
            judged = group_vulnerability([facts[p] for p in sorted(people)], category_labels=labels)
            group, _ = DetectedGroup.objects.update_or_create(
                number=number,
                defaults={
                    "active": True,
                    "last_detected": run,
                    "vulnerability": Vulnerability(judged.level),
                    "reasons": list(judged.reasons),
                },
                create_defaults={
                    "active": True,
                    "first_detected": run,
                    "last_detected": run,
                    "vulnerability": Vulnerability(judged.level),
                    "reasons": list(judged.reasons),
                },
            )
            kept.append(group.pk)
            DetectedGroupMember.objects.filter(group=group).exclude(
                young_person__in=people
            ).delete()
            have = set(
                DetectedGroupMember.objects.filter(group=group).values_list(
                    "young_person_id", flat=True
                )
            )
            DetectedGroupMember.objects.bulk_create(
                DetectedGroupMember(group=group, young_person_id=p) for p in sorted(people - have)
            )
        DetectedGroup.objects.filter(active=True).exclude(pk__in=kept).update(active=False)
    return run


@dataclass(frozen=True)
class KeyConnections:
    young_people: list[KeyConnection]  # KeyConnection.id is a young person's id
    group_number: dict[int, int]  # group index in this computation -> DetectedGroup.number
    persons_of_concern: list[PersonOfConcernBridge]  # groups are DetectedGroup numbers


def key_connections_now(*, today: datetime.date | None = None) -> KeyConnections:
    """Bridging young people and persons of concern linked to children in two or more groups."""
    today = today or timezone.localdate()
    peer_groups_refresh(today=today)
    rows = network_rows(window=network_window(today))
    graph = network_graph(rows=rows, today=today)
    membership = np.full(graph.graph.vcount(), -1, dtype=np.int64)
    number_of: dict[int, int] = {}
    groups = list(
        DetectedGroup.objects.filter(active=True).prefetch_related("memberships").order_by("number")
    )
    vertex_groups: list[np.ndarray] = []
    # The graph holds young people only, so an id names one vertex.
    vertex_of = {int(person): v for v, person in enumerate(graph.ids.tolist())}
    for index, group in enumerate(groups):
        vertices = [vertex_of[m.young_person_id] for m in group.memberships.all()
                    if m.young_person_id in vertex_of]  # fmt: skip
        membership[vertices] = index
        vertex_groups.append(np.array(sorted(vertices), dtype=np.int64))
        number_of[index] = group.number
    detected = PeerGroups(
        membership=membership,
        groups=tuple(vertex_groups),
        objective="cpm",
        resolution=0.0,
        modularity=0.0,
        quality=0.0,
        seed=SEED,
        min_size=1,
    )
    bridging = key_connections(graph, detected)
    group_of = {
        int(graph.ids[v]): number_of[int(g)] for v, g in enumerate(membership.tolist()) if g >= 0
    }
    poc_rows = rows.to_person_of_concern
    start, end = network_window(today)
    pocs = persons_of_concern_bridging(
        person_of_concern=rows.target[poc_rows],
        young_person=rows.source[poc_rows],
        group_of=group_of,
        reliability=rows.reliability[poc_rows],
        first_seen=rows.first_seen[poc_rows],
        last_seen=rows.last_seen[poc_rows],
        review_by=rows.review_by[poc_rows],
        today=today.toordinal(),
        window=(start.toordinal(), end.toordinal()),
    )
    return KeyConnections(young_people=bridging, group_number=number_of, persons_of_concern=pocs)
