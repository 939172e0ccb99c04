"""Reads of context cases and of the young people linked to them.

A context is the partnership's business: every user with `casework.view_contextcase` sees every
case. Children are not: the young people linked to a case are found here by id, and labelled
for a viewer only through the naming primitive (`people_shown`), which names them only where the
viewer may see their record. A viewer who may see none of them gets a count, through the
suppression rule.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import h3
from django.db.models import Q, QuerySet

from waymark.accounts.models import Agency
from waymark.accounts.types import Actor
from waymark.casework.models import (
    Action,
    ActionStatus,
    CaseLink,
    CaseStatus,
    ContextCase,
    SubjectKind,
)
from waymark.concerns.models import ConcernYoungPerson, HandlingCode
from waymark.concerns.selectors import concern_list_visible_to, concern_shared_q
from waymark.contexts.models import Neighbourhood, PeerGroupMember, Place
from waymark.contexts.place_analysis.points import places_per_cell
from waymark.core.references import reference_normalise
from waymark.core.suppression import count_shown, count_text
from waymark.people.models import YoungPerson
from waymark.people.naming import PersonShown, people_shown
from waymark.people.selectors import young_person_list_visible_to

CONCERN_AT_PLACE = "Concern at the place"
CONCERN_IN_NEIGHBOURHOOD = "Concern in the neighbourhood"
PEER_GROUP_MEMBER = "Member of the peer group"
PUPIL = "Pupil of the school"
PRACTITIONER_LINK = "Linked by a practitioner"
LINKED_PER_PAGE = 25


def context_case_list_visible_to(*, user: Actor) -> QuerySet[ContextCase]:
    if not user.has_perm("casework.view_contextcase"):
        return ContextCase.objects.none()
    return ContextCase.objects.select_related(
        "place",
        "peer_group",
        "online_space",
        "neighbourhood",
        "lead_agency",
        "lead_worker",
    )


def context_case_get_visible_to(*, user: Actor, reference: str) -> ContextCase:
    return context_case_list_visible_to(user=user).get(reference=reference_normalise(reference))


@dataclass(frozen=True)
class ReferralEvidence:
    """The referral's evidence concerns as one viewer may see them. `hidden` counts only
    concerns every agency's handling allows (handling code P) that the viewer may not see: a
    handling code C concern outside the viewer's audience is never counted or mentioned."""

    concerns: list[dict[str, Any]]
    hidden: int


def referral_evidence_for(*, user: Actor, case: ContextCase) -> ReferralEvidence:
    referral = getattr(case, "referral", None)
    if referral is None:
        return ReferralEvidence([], 0)
    evidence = referral.concerns.all()
    shown = [
        dict(concern)
        for concern in concern_list_visible_to(user=user)
        .filter(pk__in=evidence.values("pk"))
        .order_by("-occurred_on", "-id")
        .values("pk", "reference", "occurred_on")
    ]
    hidden = evidence.filter(concern_shared_q()).exclude(pk__in=[c["pk"] for c in shown]).count()
    return ReferralEvidence(shown, hidden)


@dataclass(frozen=True)
class LinkedYoungPerson:
    """A young person linked to a case, by id, with why. `practitioner_reason` is the reason a
    practitioner gave, shown only to a viewer who may see the young person."""

    young_person_id: int
    why: tuple[str, ...]
    practitioner_reason: str = ""


def _neighbourhood_places(neighbourhood: Neighbourhood) -> QuerySet[Place] | list[int]:
    if neighbourhood.ward_id is not None:
        return Place.objects.filter(ward_id=neighbourhood.ward_id).values_list("pk", flat=True)
    cells = list(neighbourhood.cells or [])
    if not cells:
        return []
    by_cell = places_per_cell(resolution=h3.get_resolution(cells[0]))
    return [pk for cell in cells for pk in by_cell.get(cell, [])]


def linked_young_people(*, case: ContextCase) -> list[LinkedYoungPerson]:
    """The young people linked to a case, each with why, in a few queries whatever their number.

    Concerns count only where every agency's handling allows (handling code P), so a link never
    rests on a concern some viewers may not know of.
    """
    why: dict[int, list[str]] = defaultdict(list)
    shared = Q(concern__handling_code=HandlingCode.P)
    kind = SubjectKind(case.subject_kind)
    if kind == SubjectKind.PLACE and case.place_id is not None:
        for pk in (
            ConcernYoungPerson.objects.filter(shared, concern__place_id=case.place_id)
            .values_list("young_person_id", flat=True)
            .distinct()
        ):
            why[pk].append(CONCERN_AT_PLACE)
        if case.is_school:
            for pk in YoungPerson.objects.filter(school_id=case.place_id).values_list(
                "pk", flat=True
            ):
                why[pk].append(PUPIL)
    elif kind == SubjectKind.PEER_GROUP and case.peer_group_id is not None:
        for pk in PeerGroupMember.objects.filter(peer_group_id=case.peer_group_id).values_list(
            "young_person_id", flat=True
        ):
            why[pk].append(PEER_GROUP_MEMBER)
    elif kind == SubjectKind.NEIGHBOURHOOD and case.neighbourhood is not None:
        places = _neighbourhood_places(case.neighbourhood)
        for pk in (
            ConcernYoungPerson.objects.filter(shared, concern__place_id__in=places)
            .values_list("young_person_id", flat=True)
            .distinct()
        ):
            why[pk].append(CONCERN_IN_NEIGHBOURHOOD)
    reasons: dict[int, str] = {}
    for pk, reason in CaseLink.objects.filter(case=case).values_list("young_person_id", "reason"):
        why[pk].append(PRACTITIONER_LINK)
        reasons[pk] = reason
    return [LinkedYoungPerson(pk, tuple(why[pk]), reasons.get(pk, "")) for pk in sorted(why)]


@dataclass(frozen=True)
class LinkedChildRow:
    person: PersonShown
    why: tuple[str, ...]
    practitioner_reason: str  # blank unless the viewer may see the young person


@dataclass(frozen=True)
class LinkedChildren:
    """The linked young people as one viewer may see them. With none visible, `rows` is empty
    and only `count_text` (suppressed under 5) is shown."""

    rows: list[LinkedChildRow] = field(default_factory=list)
    count: int | None = 0
    total: int = 0
    visible_count: int = 0
    page: int = 1
    pages: int = 1

    @property
    def page_numbers(self) -> range:
        return range(1, self.pages + 1)

    @property
    def count_text(self) -> str:
        return count_text(self.count)

    @property
    def visible(self) -> int:
        return sum(1 for r in self.rows if r.person.visible)


def linked_children_shown(
    *,
    user: Actor,
    case: ContextCase,
    purpose: str = "",
    page: int | None = None,
    per_page: int = LINKED_PER_PAGE,
) -> LinkedChildren:
    """The linked young people as this viewer may see them: those they may see first (linked
    by a practitioner first among them), then by reference.

    With `page`, only that page's young people are labelled, so only they are named, decrypted
    and recorded as read: a case at a busy place can link hundreds of children, and the case
    page shows them a page at a time. Without it (the API), all of them are.
    """
    linked = linked_young_people(case=case)
    if not linked:
        return LinkedChildren()
    ids = [item.young_person_id for item in linked]
    visible = set(
        young_person_list_visible_to(user=user).filter(pk__in=ids).values_list("pk", flat=True)
    )
    if not visible:
        return LinkedChildren(count=count_shown(len(linked)), total=len(linked))
    references = dict(YoungPerson.objects.filter(pk__in=ids).values_list("pk", "reference"))
    ordered = sorted(
        linked,
        key=lambda item: (
            item.young_person_id not in visible,
            not item.practitioner_reason,
            references.get(item.young_person_id, ""),
        ),
    )
    pages = 1
    if page is not None:
        pages = max(1, -(-len(ordered) // per_page))
        page = min(max(page, 1), pages)
        ordered = ordered[(page - 1) * per_page : page * per_page]
    shown = people_shown(
        user=user,
        young_people=[item.young_person_id for item in ordered],
        purpose=purpose or f"Young people linked to {case.reference}",
    )
    rows = [
        LinkedChildRow(
            shown[item.young_person_id],
            item.why,
            item.practitioner_reason if shown[item.young_person_id].visible else "",
        )
        for item in ordered
    ]
    return LinkedChildren(
        rows=rows,
        count=len(linked),
        total=len(linked),
        visible_count=len(visible),
        page=page or 1,
        pages=pages,
    )


@dataclass(frozen=True)
class LinkedReference:
    reference: str
    why: tuple[str, ...]
    practitioner_reason: str  # blank unless the viewer may see the young person


@dataclass(frozen=True)
class LinkedReferences:
    """The linked young people by reference only, for the API: nobody is named, so no record
    is decrypted or recorded as read. With none visible, only a count (suppressed under 5)."""

    rows: list[LinkedReference] = field(default_factory=list)
    count: int | None = 0


def linked_children_referenced(*, user: Actor, case: ContextCase) -> LinkedReferences:
    """The linked young people as references, in the order of `linked_children_shown`."""
    linked = linked_young_people(case=case)
    if not linked:
        return LinkedReferences()
    ids = [item.young_person_id for item in linked]
    visible = set(
        young_person_list_visible_to(user=user).filter(pk__in=ids).values_list("pk", flat=True)
    )
    if not visible:
        return LinkedReferences(count=count_shown(len(linked)))
    references = dict(YoungPerson.objects.filter(pk__in=ids).values_list("pk", "reference"))
    ordered = sorted(
        linked,
        key=lambda item: (
            item.young_person_id not in visible,
            not item.practitioner_reason,
            references.get(item.young_person_id, ""),
        ),
    )
    rows = [
        LinkedReference(
            references[item.young_person_id],
            item.why,
            item.practitioner_reason if item.young_person_id in visible else "",
        )
        for item in ordered
    ]
    return LinkedReferences(rows=rows, count=len(linked))


def context_cases_linked_to(*, young_person: YoungPerson) -> list[ContextCase]:
    """The open or referred cases a young person is linked to, for their own page: the
    reverse of `linked_young_people`."""
    places = list(
        ConcernYoungPerson.objects.filter(
            young_person=young_person,
            concern__handling_code=HandlingCode.P,
            concern__place__isnull=False,
        )
        .values_list("concern__place_id", flat=True)
        .distinct()
    )
    q = Q(links__young_person=young_person)
    q |= Q(subject_kind=SubjectKind.PLACE, place_id__in=places)
    if young_person.school_id is not None:
        q |= Q(subject_kind=SubjectKind.PLACE, place_id=young_person.school_id)
    q |= Q(
        subject_kind=SubjectKind.PEER_GROUP,
        peer_group__memberships__young_person=young_person,
    )
    wards = set(Place.objects.filter(pk__in=places).values_list("ward_id", flat=True))
    q |= Q(subject_kind=SubjectKind.NEIGHBOURHOOD, neighbourhood__ward_id__in=wards)
    place_points = list(Place.objects.filter(pk__in=places).values_list("latitude", "longitude"))
    area_ids = []
    for hood in Neighbourhood.objects.filter(ward__isnull=True).exclude(cells=[]):
        cells = set(hood.cells)
        resolution = h3.get_resolution(hood.cells[0])
        if any(h3.latlng_to_cell(lat, lng, resolution) in cells for lat, lng in place_points):
            area_ids.append(hood.pk)
    q |= Q(subject_kind=SubjectKind.NEIGHBOURHOOD, neighbourhood_id__in=area_ids)
    return list(
        ContextCase.objects.filter(q)
        .exclude(status__in=[CaseStatus.CLOSED, CaseStatus.NO_FURTHER_ACTION])
        .select_related(
            "place", "peer_group", "online_space", "neighbourhood", "lead_agency", "lead_worker"
        )
        .distinct()
        .order_by("-created_at", "-id")
    )


def actions_relevant_to_children(*, cases: Iterable[ContextCase]) -> dict[int, list[Action]]:
    """The plan's actions relevant to children, of each case (by case id)."""
    out: dict[int, list[Action]] = defaultdict(list)
    for action in (
        Action.objects.filter(goal__plan__case__in=list(cases), relevant_to_children=True)
        .select_related("goal__plan", "owner_agency", "owner_worker", "owner_partner")
        .order_by("due_on", "id")
    ):
        out[action.goal.plan.case_id].append(action)
    return out


@dataclass(frozen=True)
class ContextAffecting:
    case: ContextCase
    actions: list[Action]


def contexts_affecting(*, user: Actor, young_person: YoungPerson) -> list[ContextAffecting] | None:
    """The section "Contexts affecting this young person" of their page: each case they are
    linked to, with the plan's actions relevant to children. None for a viewer who may not see
    cases. The caller has already checked the viewer may see the young person's record."""
    if not user.has_perm("casework.view_contextcase"):
        return None
    cases = context_cases_linked_to(young_person=young_person)
    actions = actions_relevant_to_children(cases=cases)
    return [ContextAffecting(case, actions.get(case.pk, [])) for case in cases]


def action_owner_label(action: Action) -> str:
    if action.owner_kind == "partner" and action.owner_partner is not None:
        return action.owner_partner.name
    if action.owner_kind == "worker" and action.owner_worker is not None:
        worker = action.owner_worker
        return worker.get_full_name() or worker.username
    return str(action.owner_agency) if action.owner_agency else "Not recorded"


# Overdue reviews and actions.


@dataclass
class AgencyOverdue:
    agency: Agency
    reviews: list[ContextCase] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)


ACTION_DONE = [ActionStatus.DONE, ActionStatus.CANCELLED]


def _overdue_reviews(today: datetime.date) -> QuerySet[ContextCase]:
    return (
        ContextCase.objects.filter(status=CaseStatus.OPEN, next_review_on__lt=today)
        .select_related("lead_agency", "lead_worker", "place", "peer_group")
        .select_related("online_space", "neighbourhood")
        .order_by("next_review_on", "reference")
    )


def _action_agency_id(action: Action) -> int | None:
    if action.owner_agency_id is not None:
        return action.owner_agency_id
    if action.owner_partner is not None:
        return action.owner_partner.agency_id
    if action.owner_worker is not None:
        return action.owner_worker.agency_id
    return None


def cases_overdue(*, today: datetime.date, agency: Agency | None = None) -> list[AgencyOverdue]:
    """Open cases whose review is overdue (by lead agency), and actions of open cases past
    their due date and neither done nor cancelled (by the owning agency: the agency, the
    partner's owning agency, or the worker's), grouped by agency in name order."""
    reviews = _overdue_reviews(today)
    actions = (
        Action.objects.filter(goal__plan__case__status=CaseStatus.OPEN, due_on__lt=today)
        .exclude(status__in=ACTION_DONE)
        .select_related("goal__plan__case", "owner_agency", "owner_worker__agency")
        .select_related("owner_partner__agency")
        .order_by("due_on", "id")
    )
    if agency is not None:
        reviews = reviews.filter(lead_agency=agency)
        actions = actions.filter(
            Q(owner_agency=agency)
            | Q(owner_partner__agency=agency)
            | Q(owner_worker__agency=agency)
        )
    groups: dict[int, AgencyOverdue] = {}
    for case in reviews:
        groups.setdefault(case.lead_agency_id, AgencyOverdue(case.lead_agency)).reviews.append(case)
    agencies = {a.pk: a for a in Agency.objects.all()}
    for action in actions:
        owner = _action_agency_id(action)
        if owner is None:
            continue
        groups.setdefault(owner, AgencyOverdue(agencies[owner])).actions.append(action)
    return sorted(groups.values(), key=lambda g: g.agency.name.lower())


def overdue_reviews_for(*, user: Actor, today: datetime.date) -> QuerySet[ContextCase]:
    """Overdue reviews on a user's dashboard: the cases they lead, and for a manager the cases
    their agency leads."""
    if not user.has_perm("casework.view_contextcase"):
        return ContextCase.objects.none()
    agency_id = getattr(user, "agency_id", None)
    mine = Q(lead_worker_id=user.pk)
    if agency_id is not None and user.has_perm("accounts.view_agency_users"):
        mine |= Q(lead_agency_id=agency_id)
    return _overdue_reviews(today).filter(mine)


@dataclass(frozen=True)
class CaseReviews:
    """The dashboard's context cases: overdue reviews, how many are on time (a review due today
    or later), and how many open cases have no review date set."""

    overdue: list[ContextCase]
    on_time: int
    agency_wide: bool
    no_review_date: int = 0


def case_reviews_for(*, user: Actor, today: datetime.date) -> CaseReviews | None:
    if not user.has_perm("casework.view_contextcase"):
        return None
    agency_id = getattr(user, "agency_id", None)
    agency_wide = agency_id is not None and user.has_perm("accounts.view_agency_users")
    mine = Q(lead_worker_id=user.pk) | (Q(lead_agency_id=agency_id) if agency_wide else Q())
    open_cases = ContextCase.objects.filter(mine, status=CaseStatus.OPEN)
    overdue = list(overdue_reviews_for(user=user, today=today)[:20])
    on_time = open_cases.filter(next_review_on__gte=today).count()
    undated = open_cases.filter(next_review_on__isnull=True).count()
    return CaseReviews(overdue, on_time, agency_wide, undated)
