"""Reads of concerns and associations, scoped to what the user may see."""

from dataclasses import dataclass
from typing import Any, cast

from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet

from waymark.accounts.types import Actor
from waymark.contexts.models import Place
from waymark.contexts.places.selectors import place_list_visible_to
from waymark.core.actors import signed_in_or_none
from waymark.core.references import reference_normalise
from waymark.people.access import Involvement
from waymark.people.models import PersonOfConcern, YoungPerson
from waymark.people.naming import people_shown, persons_of_concern_shown
from waymark.people.selectors import young_person_list_visible_to

from .models import Association, Concern, ConcernNotice, ConcernYoungPerson, HandlingCode


def concern_audience_q(user: Actor) -> Q:
    """Handling code C: only the recording agency and the agencies its conditions name."""
    agency_id = getattr(user, "agency_id", None)
    if agency_id is None:
        return Q(handling_code="P")
    shared = Concern.handling_agencies.through.objects.filter(agency_id=agency_id).values(
        "concern_id"
    )
    return Q(handling_code="P") | Q(recording_agency_id=agency_id) | Q(pk__in=shared)


def association_audience_q(user: Actor) -> Q:
    """Handling conditions follow the information into the links a concern creates.

    - A link with no source concern, or with a source note of its own (a manual link), follows
      only the usual rules for links.
    - Otherwise a link may be known to a viewer only through a source concern in the viewer's
      audience (`concern_audience_q`). A link whose only sources are handling-code C
      concerns is therefore seen by their audience alone; anyone else gets nothing, not even
      that it exists. A link that a P concern also supports is seen through the P concern.

    Every read of links (lists, pages, APIs, early warnings, peer maps, group facts) filters
    with this, so a new surface that starts from `association_list_visible_to` cannot forget it.
    """
    return _association_supported_q(concern_audience_q(user))


def association_shared_q() -> Q:
    """Links everyone may know exist: manual ones, and those a handling-code P concern supports.

    Computations shared by every viewer (peer-group detection, group vulnerability) read only
    these, so a group's membership or reasons never rest on a C concern.
    """
    return _association_supported_q(concern_shared_q())


def concern_shared_q() -> Q:
    """Concerns every agency's handling allows: handling code P."""
    return Q(handling_code=HandlingCode.P)


def _association_supported_q(concerns: Q) -> Q:
    through = Association.source_concerns.through.objects
    supporting = Concern.objects.filter(concerns).values("pk")
    return (
        ~Q(pk__in=through.values("association_id"))
        | ~Q(source_note="")
        | Q(pk__in=through.filter(concern_id__in=supporting).values("association_id"))
    )


def association_audience_agencies(*, association: Association) -> set[int] | None:
    """The agencies that may know a link exists: None for everyone (a manual link, or one a
    handling-code P concern supports), otherwise the audience of its C source concerns."""
    sources = list(association.source_concerns.all())
    if (
        not sources
        or association.source_note
        or any(c.handling_code == HandlingCode.P for c in sources)
    ):
        return None
    agencies: set[int] = set()
    for concern in sources:
        agencies.add(concern.recording_agency_id)
        agencies.update(concern.handling_agencies.values_list("pk", flat=True))
    return agencies


def association_list_in_audience(*, user: Actor) -> QuerySet[Association]:
    """Every link whose handling lets this viewer know it exists, whatever their involvement.

    This is the universe a viewer's peer map and group facts may draw on; what they may read
    about each link is still decided by `association_list_visible_to`. Links held for review are
    not in it: they take no effect until accepted.
    """
    return Association.objects.in_effect().filter(association_audience_q(user))


def concern_list_visible_to(*, user: Actor) -> QuerySet[Concern]:
    base = Concern.objects.select_related("place", "recorded_by", "recording_agency")
    if user.has_perm("concerns.view_all_concern"):
        return base.filter(concern_audience_q(user))
    if user.has_perm("concerns.view_assigned_concern"):
        visible_people = young_person_list_visible_to(user=user).values("pk")
        involved = ConcernYoungPerson.objects.filter(young_person__in=visible_people).values(
            "concern_id"
        )
        return base.filter(
            Q(recording_agency_id=getattr(user, "agency_id", None)) | Q(pk__in=involved)
        ).filter(concern_audience_q(user))
    return base.none()


def concern_detail_prefetch(qs: QuerySet[Concern]) -> QuerySet[Concern]:
    return qs.prefetch_related(
        "risks",
        "persons_of_concern",
        Prefetch("involved", queryset=ConcernYoungPerson.objects.select_related("young_person")),
    )


def concern_get_visible_to(*, user: Actor, reference: str) -> Concern:
    return concern_detail_prefetch(concern_list_visible_to(user=user)).get(
        reference=reference_normalise(reference)
    )


def concern_list_for_young_person(*, user: Actor, young_person: YoungPerson) -> QuerySet[Concern]:
    """The young person's chronology: newest first."""
    return concern_detail_prefetch(
        concern_list_visible_to(user=user).filter(involved__young_person=young_person)
    )


def concern_list_for_place(*, user: Actor, place: Place) -> QuerySet[Concern]:
    return concern_detail_prefetch(concern_list_visible_to(user=user).filter(place=place))


def concern_list_recent_by(*, user: Actor, limit: int = 10) -> QuerySet[Concern]:
    recorder = signed_in_or_none(user)
    if recorder is None:
        return Concern.objects.none()
    return concern_detail_prefetch(
        concern_list_visible_to(user=user).filter(recorded_by=recorder).order_by("-recorded_at")
    )[:limit]


def place_counts(*, place: Place) -> dict[str, int]:
    """Exact counts at a place, which say nothing about who. The same for every viewer, so they
    count only concerns with handling code P.

    Not for showing as they are: pages and the API publish them through
    `waymark.contexts.places.counts.place_counts_shown`, which applies the suppression rule.
    """
    concerns = Concern.objects.filter(concern_shared_q(), place=place)
    return {
        "concerns": concerns.count(),
        "young_people": ConcernYoungPerson.objects.filter(
            concern__place=place, concern__handling_code=HandlingCode.P
        )
        .values("young_person")
        .distinct()
        .count(),
    }


def place_concerns_by_month(*, place: Place) -> list[tuple[str, int]]:
    """Exact concerns per month at a place; published only through `place_counts_shown`."""
    rows: dict[str, int] = {}
    for day in Concern.objects.filter(concern_shared_q(), place=place).values_list(
        "occurred_on", flat=True
    ):
        key = f"{day:%Y-%m}"
        rows[key] = rows.get(key, 0) + 1
    return sorted(rows.items())


@dataclass(frozen=True)
class PlaceSeen:
    """What a viewer may see behind a place's exact counts: the handling-code P concerns at it
    (and per month) and the young people they name. Published counts minus these count what the
    viewer may not see, so `waymark.contexts.places.counts` withholds a count when that
    difference is small."""

    concerns: int = 0
    young_people: int = 0
    by_month: dict[str, int] | None = None


def place_seen_by(*, user: Actor, place: Place | None = None) -> dict[int, PlaceSeen]:
    """Per place (or for one place, with its months), what the viewer may see of the concerns
    and young people that `place_counts` and `place_list_with_counts_visible_to` count."""
    concerns = concern_list_visible_to(user=user).filter(concern_shared_q(), place__isnull=False)
    links = ConcernYoungPerson.objects.filter(
        concern__handling_code=HandlingCode.P,
        concern__place__isnull=False,
        young_person__in=young_person_list_visible_to(user=user).values("pk"),
    )
    if place is not None:
        concerns = concerns.filter(place=place)
        links = links.filter(concern__place=place)
    by_place = dict(
        concerns.order_by().values("place").annotate(n=Count("pk")).values_list("place", "n")
    )
    people = dict(
        links.order_by()
        .values("concern__place")
        .annotate(n=Count("young_person", distinct=True))
        .values_list("concern__place", "n")
    )
    months: dict[str, int] | None = None
    if place is not None:
        months = {}
        for day in concerns.values_list("occurred_on", flat=True):
            key = f"{day:%Y-%m}"
            months[key] = months.get(key, 0) + 1
    return {
        pk: PlaceSeen(by_place.get(pk, 0), people.get(pk, 0), months)
        for pk in set(by_place) | set(people) | ({place.pk} if place is not None else set())
    }


def young_people_at_place_visible_to(*, user: Actor, place: Place) -> QuerySet[YoungPerson]:
    audible = Concern.objects.filter(concern_audience_q(user), place=place).values("pk")
    return (
        young_person_list_visible_to(user=user)
        .filter(concern_links__concern__in=audible)
        .annotate(n=Count("concern_links"))
        .distinct()
    )


def association_list_visible_to(*, user: Actor) -> QuerySet[Association]:
    """Links in effect the viewer may read, each with only the source concerns in their audience.
    A link held for review is not shown here to anyone: it is read only through
    `association_list_held_for_review_by`."""
    base = (
        Association.objects.in_effect()
        .select_related("young_person", "other_young_person", "person_of_concern")
        .prefetch_related(
            Prefetch(
                "source_concerns",
                queryset=Concern.objects.filter(concern_audience_q(user)).order_by("reference"),
            )
        )
    )
    if user.has_perm("concerns.view_all_association"):
        return base.filter(association_audience_q(user))
    if user.has_perm("concerns.view_assigned_association"):
        people = young_person_list_visible_to(user=user).values("pk")
        return base.filter(Q(young_person__in=people) | Q(other_young_person__in=people)).filter(
            association_audience_q(user)
        )
    return base.none()


def association_list_for_young_person(
    *, user: Actor, young_person: YoungPerson
) -> QuerySet[Association]:
    return (
        association_list_visible_to(user=user)
        .filter(Q(young_person=young_person) | Q(other_young_person=young_person))
        .order_by("-last_seen")
    )


def places_for_young_person(*, user: Actor, young_person: YoungPerson) -> QuerySet[Place]:
    return (
        Place.objects.filter(
            concerns__in=concern_list_visible_to(user=user).filter(
                involved__young_person=young_person
            )
        )
        .annotate(n=Count("concerns", distinct=True))
        .order_by("-n", "name")
    )


def concern_search(*, user: Actor, query: str) -> QuerySet[Concern]:
    q = query.strip()
    if not q:
        return Concern.objects.none()
    return concern_list_visible_to(user=user).filter(
        Q(reference=reference_normalise(q)) | Q(place__name__icontains=q)
    )


def young_people_recorded_about_by(*, user: Actor, limit: int = 12) -> QuerySet[YoungPerson]:
    """Young people the user recorded concerns about, most recent first."""
    recorder = signed_in_or_none(user)
    if recorder is None:
        return YoungPerson.objects.none()
    return (
        young_person_list_visible_to(user=user)
        .filter(concern_links__concern__recorded_by=recorder)
        .annotate(latest=Max("concern_links__concern__recorded_at"))
        .order_by("-latest")[:limit]
    )


def concern_list_for_person_of_concern(
    *, user: Actor, person: PersonOfConcern
) -> QuerySet[Concern]:
    return concern_detail_prefetch(
        concern_list_visible_to(user=user).filter(persons_of_concern=person)
    )


def association_list_for_person_of_concern(
    *, user: Actor, person: PersonOfConcern
) -> QuerySet[Association]:
    return (
        association_list_visible_to(user=user)
        .filter(person_of_concern=person)
        .order_by("-last_seen")
    )


def place_list_with_counts_visible_to(*, user: Actor) -> QuerySet[Place]:
    """Places with exact counts of concerns and young people; published through the
    suppression rule by `waymark.contexts.places.counts.place_list_shown`."""
    return (
        place_list_visible_to(user=user)
        .annotate(
            concern_count=Count(
                "concerns", filter=Q(concerns__handling_code=HandlingCode.P), distinct=True
            ),
            young_person_count=Count(
                "concerns__involved__young_person",
                filter=Q(concerns__handling_code=HandlingCode.P),
                distinct=True,
            ),
        )
        .order_by("-concern_count", "name")
    )


@dataclass
class LinkRow:
    """One association seen from one young person's side, with what the viewer may know."""

    association: Any
    other_label: str
    other_reference: str
    other_kind: str  # "young_person" or "person_of_concern"
    other_visible: bool


def association_rows_for(*, user: Actor, young_person: YoungPerson) -> list[LinkRow]:
    links = list(association_list_for_young_person(user=user, young_person=young_person))
    other_ids = {
        (a.other_young_person_id if a.young_person_id == young_person.pk else a.young_person_id)
        for a in links
        if a.other_young_person_id
    }
    shown = people_shown(user=user, young_people=other_ids)
    pocs = persons_of_concern_shown(
        user=user, persons=[a.person_of_concern_id for a in links if a.person_of_concern_id]
    )
    rows = []
    for a in links:
        if a.person_of_concern_id:
            poc = pocs[a.person_of_concern_id]
            rows.append(LinkRow(a, poc.label, poc.reference, "person_of_concern", poc.visible))
            continue
        other = shown[
            cast(
                int,
                a.other_young_person_id
                if a.young_person_id == young_person.pk
                else a.young_person_id,
            )
        ]
        rows.append(
            LinkRow(
                a,
                other.label if other.visible else f"{other.reference} (not visible to you)",
                other.reference,
                "young_person",
                other.visible,
            )
        )
    return rows


def association_list_held_for_review_by(*, user: Actor) -> QuerySet[Association]:
    """Links held for review that the user's agency may accept or reject.

    The link is held because its recording agency is not involved with a young person it names;
    an agency involved with that young person (their case holder) reviews it, provided it may
    see the concern the link came from (so handling code C keeps its audience); never the
    recording agency itself, nor an agency that works only with a young person the recording
    agency already works with.
    """
    agency_id = getattr(user, "agency_id", None)
    if agency_id is None or not user.has_perm("concerns.review_association"):
        return Association.objects.none()
    involved = Involvement.objects.active().filter(agency_id=agency_id).values("young_person")
    concerns = concern_list_visible_to(user=user).values("pk")

    def recorder_involved_with(end: str) -> Exists:
        return Exists(
            Involvement.objects.active().filter(
                agency_id=OuterRef("recording_agency_id"), young_person_id=OuterRef(end)
            )
        )

    held = (
        Association.objects.held_for_review()
        .filter(
            (Q(young_person__in=involved) & ~recorder_involved_with("young_person_id"))
            | (
                Q(other_young_person__in=involved)
                & ~recorder_involved_with("other_young_person_id")
            )
        )
        .exclude(recording_agency_id=agency_id)
        .filter(source_concerns__in=concerns)
        .values("pk")
    )
    return (
        Association.objects.filter(pk__in=held)
        .select_related(
            "young_person", "other_young_person", "person_of_concern", "recording_agency"
        )
        .prefetch_related("source_concerns")
        .order_by("created_at", "pk")
    )


def concern_notice_list_visible_to(
    *, user: Actor, include_dismissed: bool = False
) -> QuerySet[ConcernNotice]:
    """Notices sent to the user's agency, about concerns the user may see, newest first."""
    agency_id = getattr(user, "agency_id", None)
    if agency_id is None or not user.has_perm("concerns.view_concernnotice"):
        return ConcernNotice.objects.none()
    notices = ConcernNotice.objects.filter(
        agency_id=agency_id, concern__in=concern_list_visible_to(user=user).values("pk")
    ).select_related("young_person", "concern", "concern__recording_agency")
    if not include_dismissed:
        notices = notices.filter(dismissed_at__isnull=True)
    return notices
