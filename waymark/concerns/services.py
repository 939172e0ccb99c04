"""Recording concerns and the links between people they reveal.

`concern_record` is the one way a concern enters Waymark: the web form, the API, the importers and
the demo all call it. It validates everything first, then writes the concern, its risks, the
people involved, the associations it implies and the audit events in one transaction.
"""

import datetime
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from waymark.accounts.types import Actor
from waymark.audit.services import audit_record
from waymark.contexts.models import Place
from waymark.core.actors import signed_in_or_none
from waymark.core.models import RELIABILITY_RANK, Reliability
from waymark.core.references import reference_assign_and_save
from waymark.people.access import InvolvementSource
from waymark.people.models import PersonOfConcern, YoungPerson
from waymark.people.services import involvement_start

from .models import (
    Association,
    AssociationKind,
    Concern,
    ConcernRisk,
    ConcernYoungPerson,
    HandlingCode,
    InformationAssessment,
    InvolvementRole,
    SourceEvaluation,
)
from .signals import association_recorded
from .taxonomy import INDICATOR_LABELS, RiskCategory

# How long a link stays evidence before someone must review it.
ASSOCIATION_REVIEW_PERIOD = datetime.timedelta(days=183)


@dataclass
class ConcernInput:
    """Everything a concern needs, as a caller gathers it. Validated by `concern_validate`."""

    occurred_on: datetime.date | None
    narrative: str
    source_evaluation: str
    information_assessment: str
    handling_code: str
    place: Place | None = None
    no_fixed_place: bool = False
    occurred_time: datetime.time | None = None
    occurred_approximate: bool = False
    handling_conditions: str = ""
    young_people: Sequence[tuple[YoungPerson, str]] = ()
    persons_of_concern: Sequence[PersonOfConcern] = ()
    risks: dict[str, list[str]] = field(default_factory=dict)
    link_kind: str = AssociationKind.ASSOCIATE
    link_reliability: str = Reliability.UNCONFIRMED
    # With handling code C, the agencies the conditions allow to see the concern.
    handling_agencies: Sequence[Any] = ()


def concern_validate(data: ConcernInput) -> None:
    """Raise one ValidationError naming every field that is wrong; write nothing."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    today = timezone.localdate()
    if data.occurred_on is None:
        add("occurred_on", "Enter the date it happened")
    elif data.occurred_on > today:
        add("occurred_on", "The date it happened must be today or in the past")
    elif data.occurred_on < today - datetime.timedelta(days=365 * 25):
        add("occurred_on", "The date it happened must be within the last 25 years")
    if data.place is None and not data.no_fixed_place:
        add("place", "Select the place where it happened, or say it had no fixed place")
    if data.place is not None and data.no_fixed_place:
        add("place", "Select a place or say it had no fixed place, not both")
    if not data.narrative.strip():
        add("narrative", "Enter what happened")
    if data.source_evaluation not in SourceEvaluation.values:
        add("source_evaluation", "Select how reliable the source is")
    if data.information_assessment not in InformationAssessment.values:
        add("information_assessment", "Select how the source knows the information")
    if data.handling_code not in HandlingCode.values:
        add("handling_code", "Select whether the information can be shared")
    elif data.handling_code == HandlingCode.C and not data.handling_conditions.strip():
        add("handling_conditions", "Enter the conditions on sharing this information")
    if data.handling_agencies and data.handling_code != HandlingCode.C:
        add(
            "handling_agencies",
            "Choose agencies only when sharing has conditions (handling code C)",
        )
    if not data.risks:
        add("risks", "Select at least one kind of harm")
    for category, indicators in data.risks.items():
        if category not in RiskCategory.values:
            add("risks", f"'{category}' is not a risk category")
            continue
        unknown = [i for i in indicators if i not in INDICATOR_LABELS.get(category, {})]
        if unknown:
            add("risks", f"Unknown indicators for {category}: {', '.join(unknown)}")
    seen: set[int] = set()
    for person, role in data.young_people:
        if role not in InvolvementRole.values:
            add("young_people", f"Select the role of {person.reference}")
        if person.pk in seen:
            add("young_people", f"{person.reference} is listed more than once")
        seen.add(person.pk)
    if not data.young_people and data.place is None:
        add("young_people", "Add at least one young person, or the place it happened")
    if len({p.pk for p in data.persons_of_concern}) != len(data.persons_of_concern):
        add("persons_of_concern", "A person of concern is listed more than once")
    if data.link_kind not in AssociationKind.values:
        add("link_kind", "Select how the people are linked")
    if data.link_reliability not in Reliability.values:
        add("link_reliability", "Select how reliable the link is")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def concern_record(*, actor: Actor | None, data: ConcernInput) -> Concern:
    concern_validate(data)
    assert data.occurred_on is not None  # noqa: S101 - concern_validate refuses a missing date
    user = signed_in_or_none(actor)
    if user is None or user.agency is None:
        raise ValidationError("Only a user who belongs to an agency can record a concern")
    agency = user.agency
    concern = Concern(
        occurred_on=data.occurred_on,
        occurred_time=data.occurred_time,
        occurred_approximate=data.occurred_approximate,
        recorded_by=user,
        recording_agency=agency,
        place=data.place,
        narrative=data.narrative.strip(),
        source_evaluation=data.source_evaluation,
        information_assessment=data.information_assessment,
        handling_code=data.handling_code,
        handling_conditions=(
            data.handling_conditions.strip() if data.handling_code == HandlingCode.C else ""
        ),
    )
    reference_assign_and_save(concern, "CN")
    ConcernRisk.objects.bulk_create(
        ConcernRisk(concern=concern, category=c, indicators=list(dict.fromkeys(i)))
        for c, i in sorted(data.risks.items())
    )
    ConcernYoungPerson.objects.bulk_create(
        ConcernYoungPerson(concern=concern, young_person=p, role=r) for p, r in data.young_people
    )
    concern.persons_of_concern.set(data.persons_of_concern)
    if data.handling_code == HandlingCode.C:
        concern.handling_agencies.set([a for a in data.handling_agencies if a.pk != agency.pk])
    audit_record(
        actor=actor,
        action="create",
        obj=concern,
        changed_fields=[
            "occurred_on",
            "narrative",
            "grading",
            "risks",
            *(["place"] if data.place else []),
            *(["occurred_time"] if data.occurred_time else []),
            *(["young_people"] if data.young_people else []),
            *(["persons_of_concern"] if data.persons_of_concern else []),
            *(
                ["handling_agencies"]
                if data.handling_agencies and data.handling_code == HandlingCode.C
                else []
            ),
        ],
    )
    people = [p for p, _ in data.young_people]
    for person in people:
        # Recording a concern about a young person involves the recording agency with them.
        involvement_start(
            actor=user,
            agency=agency,
            young_person=person,
            source=InvolvementSource.CONCERN,
            purpose=f"Recorded concern {concern.reference}",
        )
    for a, b in itertools.combinations(people, 2):
        association_record(
            actor=actor,
            young_person=a,
            other_young_person=b,
            kind=data.link_kind,
            reliability=data.link_reliability,
            seen_on=data.occurred_on,
            source_concern=concern,
        )
    for person in people:
        for poc in data.persons_of_concern:
            association_record(
                actor=actor,
                young_person=person,
                person_of_concern=poc,
                kind=data.link_kind,
                reliability=data.link_reliability,
                seen_on=data.occurred_on,
                source_concern=concern,
            )
    return concern


def _concern_names_young_people(concern: Concern, *people: YoungPerson | None) -> bool:
    named = set(concern.involved.values_list("young_person_id", flat=True))
    return all(p.pk in named for p in people if p is not None)


@transaction.atomic
def association_record(
    *,
    actor: Actor | None,
    young_person: YoungPerson,
    kind: str,
    reliability: str,
    seen_on: datetime.date,
    other_young_person: YoungPerson | None = None,
    person_of_concern: PersonOfConcern | None = None,
    source_concern: Concern | None = None,
    source_note: str = "",
    review_by: datetime.date | None = None,
) -> Association:
    """Create a link, or strengthen the existing one with new evidence.

    A pair of young people has one link whichever way round they are given. New evidence moves
    `last_seen` and `review_by` forward and can raise, never lower, the reliability.
    """
    errors: dict[str, list[str]] = {}
    if (other_young_person is None) == (person_of_concern is None):
        errors["other"] = ["Link a young person to one other young person or person of concern"]
    if other_young_person is not None and other_young_person.pk == young_person.pk:
        errors["other_young_person"] = ["A young person cannot be linked to themselves"]
    if kind not in AssociationKind.values:
        errors["kind"] = ["Select how they are linked"]
    if reliability not in Reliability.values:
        errors["reliability"] = ["Select how reliable the link is"]
    if seen_on > timezone.localdate():
        errors["seen_on"] = ["The date the link was seen must not be in the future"]
    if source_concern is None and not source_note.strip():
        errors["source_note"] = ["Say where this link came from"]
    if review_by is not None and review_by <= timezone.localdate():
        errors["review_by"] = ["The review-by date must be in the future"]
    if source_concern is not None and not _concern_names_young_people(
        source_concern, young_person, other_young_person
    ):
        errors["source_concern"] = ["The source concern must name the young people it links"]
    if errors:
        raise ValidationError(errors)

    first, second = young_person, other_young_person
    if second is not None and second.pk < first.pk:
        first, second = second, first
    review = review_by or max(seen_on, timezone.localdate()) + ASSOCIATION_REVIEW_PERIOD

    existing = (
        Association.objects.select_for_update()
        .filter(young_person=first, other_young_person=second, person_of_concern=person_of_concern)
        .first()
    )
    if existing is None:
        link = Association.objects.create(
            young_person=first,
            other_young_person=second,
            person_of_concern=person_of_concern,
            kind=kind,
            reliability=reliability,
            source_note=source_note.strip(),
            first_seen=seen_on,
            last_seen=seen_on,
            review_by=review,
            recorded_by=signed_in_or_none(actor),
            recording_agency_id=getattr(actor, "agency_id", None),
        )
        changed = ["young_person", "other", "kind", "reliability", "first_seen", "review_by"]
        action = "create"
    else:
        link = existing
        changed = []
        if seen_on < link.first_seen:
            link.first_seen = seen_on
            changed.append("first_seen")
        if seen_on > link.last_seen:
            link.last_seen = seen_on
            changed.append("last_seen")
        if review > link.review_by:
            link.review_by = review
            changed.append("review_by")
        if (
            RELIABILITY_RANK[Reliability(reliability)]
            > RELIABILITY_RANK[Reliability(link.reliability)]
        ):
            link.reliability = reliability
            changed.append("reliability")
        if kind != AssociationKind.ASSOCIATE and link.kind == AssociationKind.ASSOCIATE:
            link.kind = kind
            changed.append("kind")
        if source_note.strip() and not link.source_note:
            # Evidence of its own: the link is now known apart from its source concerns.
            link.source_note = source_note.strip()
            changed.append("source_note")
        link.save()
        action = "update"
    if source_concern is not None:
        link.source_concerns.add(source_concern)
        changed.append("source_concerns")
    if changed:
        audit_record(actor=actor, action=action, obj=link, changed_fields=changed)
    # Early warnings listen, in the same transaction: a link towards a group at high risk, or a
    # person of concern with current flags, alerts the agencies involved with the young person.
    association_recorded.send(sender=Association, association=link)
    return link
