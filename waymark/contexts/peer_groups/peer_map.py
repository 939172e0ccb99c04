"""The peer map of a group or of one young person, as nodes and links drawn for the viewer.

A name on a peer map is not a fact, so every link carries its kind, its reliability, its first
and last seen dates, its review-by date and its source. Need to know decides what a viewer gets:

- a young person is labelled by name only when the viewer may see their record; otherwise by
  their pseudonymous reference. Persons of concern are always shown by reference;
- a link the viewer may read (`association_list_visible_to`, or co-involvement in a concern the
  viewer may see) carries its kind, reliability, dates and the sources the viewer may see;
- a link the viewer may know exists but not read shows only that a link exists: no kind, no
  reliability, no dates, no source, no agency;
- a link the viewer may not even know exists is not drawn: one whose only sources are
  handling-code C concerns outside the viewer's audience (`association_audience_q`), or
  co-involvement in such a concern.

Links past their review-by date, or not seen in the detection window, are not evidence and are
left out, as they are from detection (`network`). Two young people named in the same recent
concern are linked by co-involvement; that shows as a link of its own only where no current
association already records the pair (an association made by a concern cites that concern).
"""

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from django.db.models import Q
from django.utils import timezone

from waymark.accounts.models import Agency
from waymark.accounts.types import Actor
from waymark.concerns.models import (
    Association,
    AssociationKind,
    AssociationReview,
    Concern,
    ConcernYoungPerson,
)
from waymark.concerns.selectors import (
    association_audience_q,
    association_list_visible_to,
    concern_audience_q,
    concern_list_visible_to,
)
from waymark.concerns.services import ASSOCIATION_REVIEW_PERIOD
from waymark.core.models import RELIABILITY_RANK, Reliability
from waymark.people.models import PersonOfConcern, YoungPerson
from waymark.people.naming import people_shown

from .selectors import (
    active_group_numbers,
    current_associations,
    current_flag_kinds,
)

YOUNG_PERSON = "young_person"
PERSON_OF_CONCERN = "person_of_concern"
CO_INVOLVEMENT = "co_involvement"
CO_INVOLVEMENT_LABEL = "Named in the same concern"
UNDISCLOSED_LABEL = "A link (its details are not shared with you)"
UNDISCLOSED_STYLE = "undisclosed"
# A concern's source grading (3x5x2) read as the reliability of the link it makes, as detection
# reads it.
SOURCE_RELIABILITY = {
    "1": Reliability.CONFIRMED,
    "2": Reliability.TENTATIVE,
    "3": Reliability.UNCONFIRMED,
}
LINE_STYLE = {
    Reliability.CONFIRMED: "solid",
    Reliability.TENTATIVE: "dashed",
    Reliability.UNCONFIRMED: "dotted",
}
# A young person's network is cut at this many people, nearest and best-evidenced first.
MAX_NETWORK_NODES = 100


@dataclass(frozen=True)
class NetworkNode:
    id: str  # the person's reference: YP-... or POC-..., unique across both kinds
    reference: str
    kind: str  # YOUNG_PERSON or PERSON_OF_CONCERN
    label: str  # a name only when the viewer may see the young person
    visible: bool  # the viewer may open this record
    group: int | None  # the detected group a young person is in now
    flags: list[str] = field(default_factory=list)  # a person of concern's current flags
    focus: bool = False  # the young person whose network this is
    steps: int | None = None  # links from the young person whose network this is

    @property
    def kind_label(self) -> str:
        return "Young person" if self.kind == YOUNG_PERSON else "Person of concern"


@dataclass(frozen=True)
class LinkSource:
    label: str
    concern: str = ""  # the reference of a concern the viewer may see


@dataclass(frozen=True)
class NetworkLink:
    """A link as the viewer may see it. Without `details`, only that a link exists: every
    other field is empty."""

    id: str
    source: str  # node ids
    target: str
    details: bool  # the viewer may read the link's kind, reliability, dates and sources
    kind: str | None  # an AssociationKind value, or CO_INVOLVEMENT
    kind_label: str
    reliability: str | None  # a Reliability value
    sources: list[LinkSource]
    first_seen: datetime.date | None
    last_seen: datetime.date | None
    review_by: datetime.date | None

    @property
    def reliability_label(self) -> str:
        return Reliability(self.reliability).label if self.reliability else "Not shared with you"

    @property
    def line_style(self) -> str:
        return LINE_STYLE[Reliability(self.reliability)] if self.reliability else UNDISCLOSED_STYLE

    @classmethod
    def undisclosed(cls, *, source: str, target: str) -> "NetworkLink":
        return cls(
            id=f"{source}~{target}~link",
            source=source,
            target=target,
            details=False,
            kind=None,
            kind_label=UNDISCLOSED_LABEL,
            reliability=None,
            sources=[],
            first_seen=None,
            last_seen=None,
            review_by=None,
        )


@dataclass(frozen=True)
class PeerNetwork:
    nodes: list[NetworkNode]
    links: list[NetworkLink]
    # Young people whose names this network shows (each such read is audited).
    shown: list[YoungPerson]
    not_shown: int = 0  # people beyond MAX_NETWORK_NODES

    @property
    def groups(self) -> list[int]:
        return sorted({n.group for n in self.nodes if n.group is not None})


YP, POC = "yp", "poc"
End = tuple[str, int]  # (YP or POC, id)


@dataclass
class _Link:
    a: End
    b: End
    association: Association | None = None
    concerns: list[tuple[int, str, str, datetime.date, int]] = field(default_factory=list)


def _ends(association: Association) -> tuple[End, End]:
    a: End = (YP, association.young_person_id)
    if association.person_of_concern_id is not None:
        return a, (POC, association.person_of_concern_id)
    return a, (YP, association.other_young_person_id)  # type: ignore[return-value]


def _association_links(q: Q, today: datetime.date, user: Actor) -> list[_Link]:
    return [
        _Link(*_ends(a), association=a)
        for a in current_associations(q, today)
        .filter(association_audience_q(user))
        .select_related("recording_agency")
    ]


def _co_involvement_links(
    *,
    user: Actor,
    touching: set[int],
    today: datetime.date,
    within: set[int] | None,
    skip: set[frozenset[End]],
) -> list[_Link]:
    """Pairs named in the same concern in the viewer's handling audience, not yet lapsed, with
    one end in `touching` (and both in `within`, if given), that no current association already
    records."""
    since = today - ASSOCIATION_REVIEW_PERIOD
    concerns = ConcernYoungPerson.objects.filter(
        young_person__in=touching,
        concern__occurred_on__gte=since,
        concern__in=Concern.objects.filter(concern_audience_q(user)).values("pk"),
    ).values("concern_id")
    named: dict[int, set[int]] = defaultdict(set)
    about: dict[int, tuple[str, str, datetime.date, int]] = {}
    for concern, person, reference, grading, day, agency in ConcernYoungPerson.objects.filter(
        concern__in=concerns
    ).values_list(
        "concern_id",
        "young_person_id",
        "concern__reference",
        "concern__source_evaluation",
        "concern__occurred_on",
        "concern__recording_agency_id",
    ):
        named[concern].add(person)
        about[concern] = (reference, grading, day, agency)
    # A pair whose link from this concern is held for review (or was rejected) is not drawn from
    # the concern either: the link takes effect only when an involved agency accepts it.
    not_in_effect = set(
        Association.objects.exclude(review_state=AssociationReview.IN_EFFECT)
        .filter(source_concerns__in=concerns, other_young_person__isnull=False)
        .values_list("source_concerns", "young_person_id", "other_young_person_id")
    )
    pairs: dict[frozenset[End], _Link] = {}
    for concern, people in named.items():
        ordered = sorted(people)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                if a not in touching and b not in touching:
                    continue
                if (concern, a, b) in not_in_effect:
                    continue
                if within is not None and (a not in within or b not in within):
                    continue
                key = frozenset({(YP, a), (YP, b)})
                if key in skip:
                    continue
                link = pairs.setdefault(key, _Link((YP, a), (YP, b)))
                link.concerns.append((concern, *about[concern]))
    return list(pairs.values())


def _links(
    *, user: Actor, q: Q, touching: set[int], within: set[int] | None, today: datetime.date
) -> list[_Link]:
    """Current associations matching `q`, and co-involvement of the young people `touching`
    (with both ends `within`, if given) where no current association joins the pair: only
    what the viewer's handling audience covers."""
    recorded = (
        current_associations(
            Q(young_person__in=touching) | Q(other_young_person__in=touching), today
        )
        .filter(other_young_person__isnull=False)
        .filter(association_audience_q(user))
    )
    skip = {
        frozenset({(YP, a), (YP, b)})
        for a, b in recorded.values_list("young_person_id", "other_young_person_id")
    }
    return _association_links(q, today, user) + _co_involvement_links(
        user=user, touching=touching, today=today, within=within, skip=skip
    )


def _draw(
    *,
    user: Actor,
    links: list[_Link],
    young_people: set[int],
    persons_of_concern: set[int],
    focus: int | None = None,
    steps: dict[End, int] | None = None,
    not_shown: int = 0,
) -> PeerNetwork:
    """Nodes and links as this viewer may see them."""
    people = people_shown(user=user, young_people=young_people)
    groups = active_group_numbers(young_people)
    poc_refs = dict(
        PersonOfConcern.objects.filter(pk__in=persons_of_concern).values_list("id", "reference")
    )
    flags = current_flag_kinds(persons_of_concern)
    may_see_pocs = user.has_perm("people.view_personofconcern")
    steps = steps or {}
    nodes = [
        NetworkNode(
            id=p.reference,
            reference=p.reference,
            kind=YOUNG_PERSON,
            label=p.label,
            visible=p.visible,
            group=groups.get(pk),
            focus=pk == focus,
            steps=steps.get((YP, pk)),
        )
        for pk, p in people.items()
    ]
    nodes.sort(key=lambda n: (not n.focus, n.group is None, n.group or 0, n.label.lower()))
    nodes += sorted(
        (
            NetworkNode(
                id=ref,
                reference=ref,
                kind=PERSON_OF_CONCERN,
                label=ref,
                visible=may_see_pocs,
                group=None,
                flags=flags.get(pk, []),
                steps=steps.get((POC, pk)),
            )
            for pk, ref in poc_refs.items()
        ),
        key=lambda n: n.reference,
    )

    def node_id(end: End) -> str:
        return people[end[1]].reference if end[0] == YP else poc_refs[end[1]]

    associations = [link.association.pk for link in links if link.association is not None]
    visible_links = set(
        association_list_visible_to(user=user)
        .filter(pk__in=associations)
        .values_list("pk", flat=True)
    )
    # Only the source concerns in the viewer's audience are ever cited.
    cited: dict[int, list[tuple[int, str]]] = defaultdict(list)
    citations = Association.source_concerns.through.objects.filter(
        association_id__in=associations,
        concern__in=Concern.objects.filter(concern_audience_q(user)).values("pk"),
    )
    for association, concern, reference in citations.values_list(
        "association_id", "concern_id", "concern__reference"
    ):
        cited[association].append((concern, reference))
    concern_ids = {c for rows in cited.values() for c, _ in rows} | {
        c[0] for link in links for c in link.concerns
    }
    visible_concerns = set(
        concern_list_visible_to(user=user).filter(pk__in=concern_ids).values_list("pk", flat=True)
    )

    drawn = []
    for link in links:
        source, target = node_id(link.a), node_id(link.b)
        if link.association is not None:
            a = link.association
            if a.pk not in visible_links:
                # Outside the viewer's need to know: that a link exists, and nothing else.
                drawn.append(NetworkLink.undisclosed(source=source, target=target))
                continue
            sources = [
                LinkSource(reference, concern=reference)
                for concern, reference in sorted(cited[a.pk], key=lambda c: c[1])
                if concern in visible_concerns
            ]
            if a.source_note:
                sources.append(LinkSource(a.source_note))
            if not sources:
                sources = [LinkSource(_recorded_by(a.recording_agency))]
            kind, kind_label = a.kind, AssociationKind(a.kind).label
            reliability, first, last, review = a.reliability, a.first_seen, a.last_seen, a.review_by
        else:
            # Co-involvement is read only from concerns the viewer may see.
            seen = [c for c in link.concerns if c[0] in visible_concerns]
            if not seen:
                drawn.append(NetworkLink.undisclosed(source=source, target=target))
                continue
            sources = [
                LinkSource(reference, concern=reference)
                for _concern, reference, _grading, _day, _agency in sorted(seen, key=lambda c: c[1])
            ]
            kind, kind_label = CO_INVOLVEMENT, CO_INVOLVEMENT_LABEL
            reliability = max(
                (SOURCE_RELIABILITY.get(c[2], Reliability.UNCONFIRMED) for c in seen),
                key=lambda r: RELIABILITY_RANK[r],
            )
            days = [c[3] for c in seen]
            first, last = min(days), max(days)
            review = last + ASSOCIATION_REVIEW_PERIOD
        drawn.append(
            NetworkLink(
                id=f"{source}~{target}~{kind}",
                source=source,
                target=target,
                details=True,
                kind=kind,
                kind_label=kind_label,
                reliability=str(reliability),
                sources=sources,
                first_seen=first,
                last_seen=last,
                review_by=review,
            )
        )
    order = {n.id: i for i, n in enumerate(nodes)}
    drawn.sort(key=lambda link: (order[link.source], order[link.target], link.kind or ""))
    # A pair may have a link of its own for a C concern beside the link everyone may know of.
    seen_ids: Counter[str] = Counter()
    for i, shown in enumerate(drawn):
        seen_ids[shown.id] += 1
        if seen_ids[shown.id] > 1:
            drawn[i] = replace(shown, id=f"{shown.id}~{seen_ids[shown.id]}")
    return PeerNetwork(
        nodes=nodes,
        links=drawn,
        shown=[p.young_person for p in people.values() if p.visible],
        not_shown=not_shown,
    )


def _recorded_by(agency: Agency | None) -> str:
    """The source of a link the viewer may read whose sources they may not see."""
    return f"Recorded by {agency.name}" if agency is not None else "Source not recorded"


def group_network(
    *, user: Actor, members: Iterable[int], today: datetime.date | None = None
) -> PeerNetwork:
    """The members of a group, their current links to each other and to persons of concern."""
    today = today or timezone.localdate()
    people = set(members)
    links = _links(
        user=user,
        q=Q(young_person__in=people)
        & (Q(other_young_person__in=people) | Q(person_of_concern__isnull=False)),
        touching=people,
        within=people,
        today=today,
    )
    pocs = {link.b[1] for link in links if link.b[0] == POC}
    return _draw(user=user, links=links, young_people=people, persons_of_concern=pocs)


def young_person_network(
    *, user: Actor, young_person: YoungPerson, today: datetime.date | None = None
) -> PeerNetwork:
    """Everyone within two links of a young person, and the current links that reach them.

    Steps go through young people: a person of concern is shown where a child in the network is
    linked to them, but the other children they are linked to are not brought in (the key
    connections list persons of concern linked to several groups). Links between two people
    both two steps away are not drawn. The caller checks that the viewer may see the young
    person; everyone else is labelled as the viewer may see them.
    """
    today = today or timezone.localdate()
    start: End = (YP, young_person.pk)
    steps: dict[End, int] = {start: 0}
    best: dict[End, tuple[int, int]] = {start: (3, today.toordinal())}
    frontier = {start}
    for step in (1, 2):
        yp = {pk for kind, pk in frontier if kind == YP}
        q = Q(young_person__in=yp) | Q(other_young_person__in=yp)
        found: set[End] = set()
        for link in _links(user=user, q=q, touching=yp, within=None, today=today):
            for here, there in ((link.a, link.b), (link.b, link.a)):
                if here in frontier and there not in steps:
                    found.add(there)
                    best[there] = max(best.get(there, (-1, 0)), _strength(link))
        for end in found:
            steps[end] = step
        frontier = found
    # Nearest first, then the best-evidenced and most recently seen.
    ordered = sorted(steps, key=lambda e: (steps[e], -best[e][0], -best[e][1], e))
    kept = ordered[:MAX_NETWORK_NODES]
    young_people = {pk for kind, pk in kept if kind == YP}
    pocs = {pk for kind, pk in kept if kind == POC}
    links = [
        link
        for link in _links(
            user=user,
            q=Q(young_person__in=young_people)
            & (Q(other_young_person__in=young_people) | Q(person_of_concern__in=pocs)),
            touching=young_people,
            within=young_people,
            today=today,
        )
        # A link between two people two steps away is a third step: not drawn.
        if min(steps[link.a], steps[link.b]) < 2
    ]
    return _draw(
        user=user,
        links=links,
        young_people=young_people,
        persons_of_concern=pocs,
        focus=young_person.pk,
        steps={e: steps[e] for e in kept},
        not_shown=len(ordered) - len(kept),
    )


def _strength(link: _Link) -> tuple[int, int]:
    """How far a link counts when choosing whom to keep: reliability, then last seen."""
    a = link.association
    if a is not None:
        return RELIABILITY_RANK[Reliability(a.reliability)], a.last_seen.toordinal()
    rank = max(
        RELIABILITY_RANK[SOURCE_RELIABILITY.get(c[2], Reliability.UNCONFIRMED)]
        for c in link.concerns
    )
    return rank, max(c[3] for c in link.concerns).toordinal()
