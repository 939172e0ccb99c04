"""Reads of young people and persons of concern, always scoped to what the user may see.

Until involvements are recorded explicitly, an agency is treated as involved with a young person
when it added them or recorded a concern about them.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from django.db.models import Q, QuerySet

from waymark.core.references import reference_normalise

from .models import PersonOfConcern, YoungPerson


def _involved_q(user: Any) -> Q:
    agency_id = getattr(user, "agency_id", None)
    if agency_id is None:
        return Q(pk__in=[])
    return Q(created_by_agency_id=agency_id) | Q(
        concern_links__concern__recording_agency_id=agency_id
    )


def young_person_list_visible_to(*, user: Any) -> QuerySet[YoungPerson]:
    base = YoungPerson.objects.select_related("school", "home_ward")
    if user.has_perm("people.view_all_youngperson"):
        return base
    if user.has_perm("people.view_assigned_youngperson"):
        ids = YoungPerson.objects.filter(_involved_q(user)).values("pk")
        return base.filter(pk__in=ids)
    return base.none()


def young_person_list_changeable_by(*, user: Any) -> QuerySet[YoungPerson]:
    """Young people the user may change: only those their agency is involved with."""
    if not user.has_perm("people.change_assigned_youngperson"):
        return YoungPerson.objects.none()
    ids = YoungPerson.objects.filter(_involved_q(user)).values("pk")
    return YoungPerson.objects.filter(pk__in=ids)


def young_person_get_visible_to(*, user: Any, reference: str) -> YoungPerson:
    return young_person_list_visible_to(user=user).get(reference=reference_normalise(reference))


def young_person_search(*, user: Any, query: str) -> QuerySet[YoungPerson]:
    q = query.strip()
    if not q:
        return YoungPerson.objects.none()
    ref = reference_normalise(q)
    match = Q(reference=ref)
    for word in q.split():
        match |= Q(given_name__iexact=word) | Q(family_name__iexact=word) | Q(known_as__iexact=word)
    if len(q.split()) > 1:
        first, *_, last = q.split()
        match = Q(reference=ref) | (Q(given_name__iexact=first) & Q(family_name__iexact=last))
    return young_person_list_visible_to(user=user).filter(match)


def person_of_concern_list_visible_to(*, user: Any) -> QuerySet[PersonOfConcern]:
    if not user.has_perm("people.view_personofconcern"):
        return PersonOfConcern.objects.none()
    return PersonOfConcern.objects.prefetch_related("vehicles", "flags")


def person_of_concern_get_visible_to(*, user: Any, reference: str) -> PersonOfConcern:
    return person_of_concern_list_visible_to(user=user).get(
        reference=reference_normalise(reference)
    )


def person_of_concern_search(*, user: Any, query: str) -> QuerySet[PersonOfConcern]:
    q = query.strip()
    if not q:
        return PersonOfConcern.objects.none()
    return (
        person_of_concern_list_visible_to(user=user)
        .filter(
            Q(reference=reference_normalise(q))
            | Q(names__icontains=q)
            | Q(nicknames__icontains=q)
            | Q(vehicles__registration=q.replace(" ", "").upper())
        )
        .distinct()
    )


@dataclass
class LinkRow:
    """One association seen from one young person's side, with what the viewer may know."""

    association: Any
    other_label: str
    other_reference: str
    other_kind: str  # "young_person" or "person_of_concern"
    other_visible: bool


def association_rows_for(*, user: Any, young_person: YoungPerson) -> list[LinkRow]:
    from waymark.concerns.selectors import association_list_for_young_person

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


def risk_summary(concerns: Iterable[Any]) -> list[tuple[str, int]]:
    """How many of these concerns fall in each kind of harm, most frequent first."""
    counts: Counter[str] = Counter()
    for concern in concerns:
        for risk in concern.risks.all():
            counts[risk.get_category_display()] += 1
    return counts.most_common()
