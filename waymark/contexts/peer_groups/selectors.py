"""Reads for peer groups: which groups a user may see, a group's profile, the summaries on the
list of groups, and the key connections between groups. The peer map itself is `peer_map`.

Need to know decides what a viewer gets:
- a young person is labelled by name only when the viewer may see their record; otherwise by
  their pseudonymous reference. Persons of concern are always shown by reference;
- strengths and own words are shown only for members the viewer may see;
- everything else is counts and words about the group, never per child;
- handling conditions follow the information: categories, places and linked persons of concern
  come only from concerns and links in the viewer's handling audience
  (`concerns.selectors.concern_audience_q`, `association_audience_q`), and the detected groups,
  their vulnerability and reasons come only from what every agency may know (see `network`);
- a group under `SMALL_GROUP` members, or one with 1 to 4 members the viewer may not see, could
  be read child by child, so its profile shows only what the viewer may see: ages, schools and
  open exploitation of the members whose records they may see, and categories, places and
  persons of concern from the concerns and links they may see.

Links past their review-by date, or not seen in the detection window, are not evidence and are
left out, as they are from detection (`network`).
"""

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from waymark.accounts.types import Actor
from waymark.analytics.group_vulnerability import group_vulnerability
from waymark.concerns.models import (
    Association,
    Concern,
    ConcernRisk,
)
from waymark.concerns.selectors import (
    association_list_in_audience,
    association_list_visible_to,
    association_shared_q,
    concern_audience_q,
    concern_list_visible_to,
)
from waymark.concerns.taxonomy import RiskCategory
from waymark.contexts.models import DetectedGroup, DetectedGroupMember, PeerGroup, Vulnerability
from waymark.core.references import reference_normalise
from waymark.core.suppression import count_is_small
from waymark.people.models import PersonFlag, PersonOfConcern, YoungPerson
from waymark.people.naming import PersonShown, people_shown
from waymark.people.selectors import young_person_list_visible_to

from .network import key_connections_now, member_facts, network_window

KEY_CONNECTIONS_SHOWN = 20
SMALL_GROUP = 5
VULNERABILITY_RANK = {Vulnerability.LOW: 0, Vulnerability.MEDIUM: 1, Vulnerability.HIGH: 2}


# --- who may see which groups --------------------------------------------------------------


def detected_group_list_visible_to(*, user: Actor) -> QuerySet[DetectedGroup]:
    """The groups found by the latest detection. Members appear by reference unless visible."""
    if not user.has_perm("contexts.view_peer_network"):
        return DetectedGroup.objects.none()
    return DetectedGroup.objects.filter(active=True).order_by("number")


def detected_group_get_visible_to(*, user: Actor, number: int) -> DetectedGroup:
    """A detected group by number, current or not (a saved group may come from an old one)."""
    if not user.has_perm("contexts.view_peer_network"):
        raise DetectedGroup.DoesNotExist
    return DetectedGroup.objects.get(number=number)


def peer_group_list_visible_to(*, user: Actor) -> QuerySet[PeerGroup]:
    """Saved peer groups: contexts in their own right, seen by everyone who works with them."""
    if not user.has_perm("contexts.view_peergroup"):
        return PeerGroup.objects.none()
    return PeerGroup.objects.select_related(
        "detected_group", "created_by", "created_by_agency"
    ).annotate(size=Count("memberships"))


def peer_group_get_visible_to(*, user: Actor, reference: str) -> PeerGroup:
    return peer_group_list_visible_to(user=user).get(reference=reference_normalise(reference))


# --- young people as a viewer may see them -------------------------------------------------
# Labelled through the naming primitive, `waymark.people.naming.people_shown`.


def active_group_numbers(ids: Iterable[int]) -> dict[int, int]:
    """Young person id -> the number of the group the latest detection put them in."""
    return dict(
        DetectedGroupMember.objects.filter(group__active=True, young_person__in=list(ids))
        .values_list("young_person_id", "group__number")
        .order_by("group__number")
    )


def current_flag_kinds(person_ids: Iterable[int]) -> dict[int, list[str]]:
    """Person of concern id -> the kinds of their current flags, in words. Expired flags are
    never used."""
    kinds: dict[int, set[str]] = defaultdict(set)
    for person, kind in (
        PersonFlag.objects.current()
        .filter(person__in=list(person_ids))
        .values_list("person_id", "kind")
    ):
        kinds[person].add(PersonFlag.Kind(kind).label)
    return {person: sorted(k) for person, k in kinds.items()}


def current_associations(q: Q, today: datetime.date) -> QuerySet[Association]:
    """Associations that are evidence today: not past review-by, seen in the window."""
    start, _ = network_window(today)
    return Association.objects.in_effect().filter(q, review_by__gte=today, last_seen__gte=start)


# --- a group's profile ---------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryCount:
    category: str
    label: str
    concerns: int  # distinct concerns about members in this category
    members: int  # members with at least one of them


@dataclass(frozen=True)
class PlaceCount:
    place_id: int
    name: str
    concerns: int


@dataclass(frozen=True)
class LinkedPersonOfConcern:
    reference: str
    flags: list[str]  # the kinds of their current flags, in words
    members: int  # members with a current link to them


@dataclass(frozen=True)
class MemberStrengths:
    person: PersonShown
    strengths: str
    own_words: str


@dataclass(frozen=True)
class GroupProfile:
    """What a group is like, as counts and words. The reasons explain the level; never a score."""

    size: int
    members: list[PersonShown]
    age_min: int | None
    age_max: int | None
    schools: list[tuple[str, int]]  # school name, members there
    school_not_recorded: int
    categories: list[CategoryCount]
    open_exploitation: int
    places: list[PlaceCount]
    persons_of_concern: list[LinkedPersonOfConcern]
    vulnerability: str
    reasons: list[str]
    strengths: list[MemberStrengths]
    strengths_not_shown: int  # members the viewer may not see, whose strengths stay with them
    window_start: datetime.date
    today: datetime.date

    @property
    def vulnerability_label(self) -> str:
        return Vulnerability(self.vulnerability).label

    @property
    def open_exploitation_share(self) -> float:
        return self.open_exploitation / self.size if self.size else 0.0

    @property
    def open_exploitation_percent(self) -> int:
        return round(100 * self.open_exploitation_share)

    @property
    def shown(self) -> list[YoungPerson]:
        """Young people whose name or strengths this profile shows: each such read is audited."""
        return [m.young_person for m in self.members if m.visible]


def _age(born: datetime.date | None, today: datetime.date) -> int | None:
    if born is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def group_profile(
    *,
    user: Actor,
    members: Sequence[int],
    vulnerability: str | None = None,
    reasons: Sequence[str] | None = None,
    today: datetime.date | None = None,
) -> GroupProfile:
    """The profile of any set of young people: a detected group (pass its stored vulnerability
    and reasons) or a saved peer group (they are worked out now from the same facts)."""
    today = today or timezone.localdate()
    start, _ = network_window(today)
    people = set(members)
    shown = people_shown(user=user, young_people=people)
    ordered = sorted(shown.values(), key=lambda p: (not p.visible, p.label.lower()))
    visible = {pk for pk, p in shown.items() if p.visible}
    # In a small group, facts about members come only from records the viewer may see. So too
    # when the members the viewer may not see are 1 to 4: the viewer knows the others' records,
    # so counts over everyone, minus what they know, would describe those few child by child.
    small = len(people) < SMALL_GROUP or count_is_small(len(people) - len(visible))
    described = visible if small else people
    if small:
        concerns = concern_list_visible_to(user=user)
        links = association_list_visible_to(user=user)
    else:
        concerns = Concern.objects.filter(concern_audience_q(user))
        links = association_list_in_audience(user=user)

    records = YoungPerson.objects.filter(pk__in=described)
    born = [p.date_of_birth for p in records.only("id", "date_of_birth")]
    ages = [a for a in (_age(day, today) for day in born) if a is not None]
    schools = Counter(
        name for name in records.values_list("school__name", flat=True) if name is not None
    )

    concerns_by: dict[str, set[int]] = defaultdict(set)
    members_by: dict[str, set[int]] = defaultdict(set)
    for concern, category, person in ConcernRisk.objects.filter(
        concern__in=concerns.values("pk"),
        concern__involved__young_person__in=people,
        concern__occurred_on__gte=start,
    ).values_list("concern_id", "category", "concern__involved__young_person"):
        if person not in people:
            continue  # another child named in the same concern
        concerns_by[category].add(concern)
        members_by[category].add(person)
    labels = dict(RiskCategory.choices)
    categories = sorted(
        (
            CategoryCount(c, labels.get(c, c), len(concerns_by[c]), len(members_by[c]))
            for c in concerns_by
        ),
        key=lambda c: (-c.members, -c.concerns, c.label),
    )

    facts = member_facts(people=people, today=today) if people else {}
    if vulnerability is None or reasons is None:
        if facts:
            judged = group_vulnerability([facts[p] for p in sorted(people)], category_labels=labels)
            vulnerability, reasons = judged.level, list(judged.reasons)
        else:
            vulnerability, reasons = Vulnerability.LOW, ["The group has no members"]

    places = [
        PlaceCount(row["place_id"], row["place__name"], row["n"])
        for row in Concern.objects.filter(
            pk__in=concerns.values("pk"),
            involved__young_person__in=people,
            occurred_on__gte=start,
            place__isnull=False,
        )
        .values("place_id", "place__name")
        .annotate(n=Count("id", distinct=True))
        .order_by("-n", "place__name")[:10]
    ]

    linked: dict[int, set[int]] = defaultdict(set)
    for person, poc in (
        current_associations(Q(young_person__in=people, person_of_concern__isnull=False), today)
        .filter(pk__in=links.values("pk"))
        .values_list("young_person_id", "person_of_concern_id")
    ):
        linked[poc].add(person)
    flags = current_flag_kinds(linked)
    references = dict(
        PersonOfConcern.objects.filter(pk__in=list(linked)).values_list("id", "reference")
    )
    persons_of_concern = sorted(
        (
            LinkedPersonOfConcern(references[poc], flags.get(poc, []), len(who))
            for poc, who in linked.items()
        ),
        key=lambda p: (not p.flags, -p.members, p.reference),
    )

    strengths = [
        MemberStrengths(p, p.young_person.strengths or "", p.young_person.own_words or "")
        for p in ordered
        if p.visible
    ]
    return GroupProfile(
        size=len(people),
        members=ordered,
        age_min=min(ages) if ages else None,
        age_max=max(ages) if ages else None,
        schools=sorted(schools.items(), key=lambda s: (-s[1], s[0])),
        school_not_recorded=len(described) - sum(schools.values()),
        categories=categories,
        open_exploitation=sum(
            1 for p, f in facts.items() if p in described and f.open_exploitation_concern
        ),
        places=places,
        persons_of_concern=persons_of_concern,
        vulnerability=str(vulnerability),
        reasons=list(reasons),
        strengths=strengths,
        strengths_not_shown=sum(1 for p in ordered if not p.visible),
        window_start=start,
        today=today,
    )


def detected_group_profile(
    *, user: Actor, group: DetectedGroup, today: datetime.date | None = None
) -> GroupProfile:
    return group_profile(
        user=user,
        members=list(group.memberships.values_list("young_person_id", flat=True)),
        vulnerability=group.vulnerability,
        reasons=list(group.reasons or []),
        today=today,
    )


def peer_group_profile(
    *, user: Actor, peer_group: PeerGroup, today: datetime.date | None = None
) -> GroupProfile:
    return group_profile(
        user=user,
        members=list(peer_group.memberships.values_list("young_person_id", flat=True)),
        today=today,
    )


# --- summaries for the list of groups ------------------------------------------------------


@dataclass(frozen=True)
class GroupSummary:
    group: DetectedGroup
    size: int
    age_min: int | None
    age_max: int | None
    open_exploitation: int
    schools: int
    persons_of_concern: int
    flagged_persons_of_concern: int

    @property
    def open_exploitation_percent(self) -> int:
        return round(100 * self.open_exploitation / self.size) if self.size else 0

    @property
    def vulnerability_rank(self) -> int:
        return VULNERABILITY_RANK[Vulnerability(self.group.vulnerability)]


def group_summaries(
    *, user: Actor, groups: Sequence[DetectedGroup], today: datetime.date | None = None
) -> list[GroupSummary]:
    """A few counts for each group, worked out together: no names, nothing per child.

    As in a group's profile, a group of fewer than `SMALL_GROUP`, or with 1 to 4 members the
    viewer may not see, is summarised only from the members the viewer may see: the viewer
    knows their records, so a summary of everyone would describe the few others.
    """
    today = today or timezone.localdate()
    members: dict[int, set[int]] = defaultdict(set)
    school_of: dict[int, int | None] = {}
    for group_id, person, school in DetectedGroupMember.objects.filter(
        group__in=[g.pk for g in groups]
    ).values_list("group_id", "young_person_id", "young_person__school_id"):
        members[group_id].add(person)
        school_of[person] = school
    everyone = set(school_of)
    visible = set(
        young_person_list_visible_to(user=user).filter(pk__in=everyone).values_list("pk", flat=True)
    )
    ages = {
        p.pk: _age(p.date_of_birth, today)
        for p in YoungPerson.objects.filter(pk__in=everyone).only("id", "date_of_birth")
    }
    facts = member_facts(people=everyone, today=today) if everyone else {}
    pocs: dict[int, set[int]] = defaultdict(set)
    # Summaries are the same for every viewer, so they read only what every agency may know.
    for person, poc in (
        current_associations(Q(young_person__in=everyone, person_of_concern__isnull=False), today)
        .filter(association_shared_q())
        .values_list("young_person_id", "person_of_concern_id")
    ):
        pocs[person].add(poc)
    linked_pocs = {poc for found in pocs.values() for poc in found}
    flagged = set(current_flag_kinds(linked_pocs))
    summaries = []
    for group in groups:
        everyone_in = members.get(group.pk, set())
        who = everyone_in
        if len(who) < SMALL_GROUP or count_is_small(len(who - visible)):
            who = who & visible
        known = [a for a in (ages.get(p) for p in who) if a is not None]
        linked = {poc for p in who for poc in pocs.get(p, set())}
        summaries.append(
            GroupSummary(
                group=group,
                size=len(everyone_in),
                age_min=min(known) if known else None,
                age_max=max(known) if known else None,
                open_exploitation=sum(
                    1 for p in who if p in facts and facts[p].open_exploitation_concern
                ),
                schools=len({school_of[p] for p in who if school_of[p] is not None}),
                persons_of_concern=len(linked),
                flagged_persons_of_concern=len(linked & flagged),
            )
        )
    return summaries


# --- key connections -----------------------------------------------------------------------


@dataclass(frozen=True)
class BridgeShown:
    person: PersonShown
    group: int | None
    linked_groups: list[int]
    betweenness: float


@dataclass(frozen=True)
class PersonOfConcernBridgeShown:
    reference: str
    flags: list[str]
    groups: list[int]
    young_people: int


@dataclass(frozen=True)
class KeyConnectionsShown:
    young_people: list[BridgeShown]
    young_people_total: int
    persons_of_concern: list[PersonOfConcernBridgeShown]

    @property
    def shown(self) -> list[YoungPerson]:
        return [b.person.young_person for b in self.young_people if b.person.visible]


def key_connections_for(
    *, user: Actor, limit: int | None = KEY_CONNECTIONS_SHOWN, today: datetime.date | None = None
) -> KeyConnectionsShown:
    """Young people who bridge groups, strongest broker first, and persons of concern linked to
    children in two or more groups (targets for disruption)."""
    if not user.has_perm("contexts.view_peer_network"):
        return KeyConnectionsShown([], 0, [])
    found = key_connections_now(today=today)
    bridges = sorted(found.young_people, key=lambda k: (-k.betweenness, _id(k)))
    top = bridges if limit is None else bridges[:limit]
    shown = people_shown(user=user, young_people=[_id(k) for k in top])
    number = found.group_number
    young_people = [
        BridgeShown(
            person=shown[_id(k)],
            group=number.get(k.group),
            linked_groups=sorted(number[g] for g in k.linked_groups if g in number),
            betweenness=k.betweenness,
        )
        for k in top
    ]
    pocs = [b.person_of_concern for b in found.persons_of_concern]
    references = dict(PersonOfConcern.objects.filter(pk__in=pocs).values_list("id", "reference"))
    flags = current_flag_kinds(pocs)
    persons = sorted(
        (
            PersonOfConcernBridgeShown(
                reference=references[b.person_of_concern],
                flags=flags.get(b.person_of_concern, []),
                groups=sorted(b.groups),
                young_people=len(b.young_people),
            )
            for b in found.persons_of_concern
        ),
        key=lambda p: (-len(p.groups), -p.young_people, p.reference),
    )
    return KeyConnectionsShown(young_people, len(bridges), persons)


def _id(connection: Any) -> int:
    return int(connection.id)
