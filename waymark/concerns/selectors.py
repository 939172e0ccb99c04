"""Reads of concerns and associations, scoped to what the user may see."""

from dataclasses import dataclass
from typing import Any, cast

from django.db.models import Count, Max, Prefetch, Q, QuerySet

from waymark.accounts.types import Actor
from waymark.contexts.models import Place
from waymark.contexts.places.selectors import place_list_visible_to
from waymark.core.actors import signed_in_or_none
from waymark.core.references import reference_normalise
from waymark.people.models import PersonOfConcern, YoungPerson
from waymark.people.selectors import young_person_list_visible_to

from .models import Association, Concern, ConcernYoungPerson


def _handling_q(user: Actor) -> Q:
    """Handling code C: only the recording agency and the agencies its conditions name."""
    agency_id = getattr(user, "agency_id", None)
    if agency_id is None:
        return Q(handling_code="P")
    shared = Concern.handling_agencies.through.objects.filter(agency_id=agency_id).values(
        "concern_id"
    )
    return Q(handling_code="P") | Q(recording_agency_id=agency_id) | Q(pk__in=shared)


def concern_list_visible_to(*, user: Actor) -> QuerySet[Concern]:
    base = Concern.objects.select_related("place", "recorded_by", "recording_agency")
    if user.has_perm("concerns.view_all_concern"):
        return base.filter(_handling_q(user))
    if user.has_perm("concerns.view_assigned_concern"):
        visible_people = young_person_list_visible_to(user=user).values("pk")
        involved = ConcernYoungPerson.objects.filter(young_person__in=visible_people).values(
            "concern_id"
        )
        return base.filter(
            Q(recording_agency_id=getattr(user, "agency_id", None)) | Q(pk__in=involved)
        ).filter(_handling_q(user))
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
    """Exact counts at a place, which say nothing about who.

    Not for showing as they are: pages and the API publish them through
    `waymark.contexts.places.counts.place_counts_shown`, which applies the suppression rule.
    """
    concerns = Concern.objects.filter(place=place)
    return {
        "concerns": concerns.count(),
        "young_people": ConcernYoungPerson.objects.filter(concern__place=place)
        .values("young_person")
        .distinct()
        .count(),
    }


def place_concerns_by_month(*, place: Place) -> list[tuple[str, int]]:
    """Exact concerns per month at a place; published only through `place_counts_shown`."""
    rows: dict[str, int] = {}
    for day in Concern.objects.filter(place=place).values_list("occurred_on", flat=True):
        key = f"{day:%Y-%m}"
        rows[key] = rows.get(key, 0) + 1
    return sorted(rows.items())


def young_people_at_place_visible_to(*, user: Actor, place: Place) -> QuerySet[YoungPerson]:
    return (
        young_person_list_visible_to(user=user)
        .filter(concern_links__concern__place=place)
        .annotate(n=Count("concern_links"))
        .distinct()
    )


def association_list_visible_to(*, user: Actor) -> QuerySet[Association]:
    base = Association.objects.select_related(
        "young_person", "other_young_person", "person_of_concern"
    )
    if user.has_perm("concerns.view_all_association"):
        return base
    if user.has_perm("concerns.view_assigned_association"):
        people = young_person_list_visible_to(user=user).values("pk")
        return base.filter(Q(young_person__in=people) | Q(other_young_person__in=people))
    return base.none()


def association_list_for_young_person(
    *, user: Actor, young_person: YoungPerson
) -> QuerySet[Association]:
    return (
        association_list_visible_to(user=user)
        .filter(Q(young_person=young_person) | Q(other_young_person=young_person))
        .prefetch_related("source_concerns")
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
            concern_count=Count("concerns", distinct=True),
            young_person_count=Count("concerns__involved__young_person", distinct=True),
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
    visible = set(
        young_person_list_visible_to(user=user)
        .filter(pk__in=other_ids)
        .values_list("pk", flat=True)
    )
    rows = []
    for a in links:
        if a.person_of_concern_id:
            poc = cast(PersonOfConcern, a.person_of_concern)
            rows.append(LinkRow(a, poc.label, poc.reference, "person_of_concern", True))
            continue
        other = cast(
            YoungPerson,
            a.other_young_person if a.young_person_id == young_person.pk else a.young_person,
        )
        seen = other.pk in visible
        rows.append(
            LinkRow(
                a,
                other.display_name if seen else f"{other.reference} (not visible to you)",
                other.reference,
                "young_person",
                seen,
            )
        )
    return rows
