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

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from waymark.accounts.types import Actor
from waymark.audit.services import audit_record
from waymark.contexts.models import Place
from waymark.core.actors import signed_in_or_none
from waymark.core.models import RELIABILITY_RANK, Reliability
from waymark.core.references import reference_assign_and_save
from waymark.people.access import Involvement
from waymark.people.models import PersonOfConcern, YoungPerson

from .models import (
    Association,
    AssociationKind,
    AssociationReview,
    Concern,
    ConcernNotice,
    ConcernRisk,
    ConcernYoungPerson,
    HandlingCode,
    InformationAssessment,
    InvolvementRole,
    SourceEvaluation,
)
from .selectors import association_list_held_for_review_by
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
    # Recording is not reading (ADR 0010): the concern gives the recording agency no access to a
    # young person it is not involved with. The agencies involved hear of it instead, and the
    # links it implies for that young person wait for one of them to accept them.
    involved = set(
        Involvement.objects.active()
        .filter(agency=agency, young_person__in=people)
        .values_list("young_person_id", flat=True)
    )
    not_involved = [p for p in people if p.pk not in involved]
    for person in not_involved:
        concern_notice_send(actor=actor, concern=concern, young_person=person)
    for a, b in itertools.combinations(people, 2):
        association_record(
            actor=actor,
            young_person=a,
            other_young_person=b,
            kind=data.link_kind,
            reliability=data.link_reliability,
            seen_on=data.occurred_on,
            source_concern=concern,
            held_for_review=a.pk not in involved or b.pk not in involved,
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
                held_for_review=person.pk not in involved,
            )
    return concern


def _concern_audience(concern: Concern) -> set[int] | None:
    """The agencies a handling code C concern may reach besides its recorder; None for P."""
    if concern.handling_code != HandlingCode.C:
        return None
    return set(concern.handling_agencies.values_list("pk", flat=True))


def concern_notice_send(
    *, actor: Actor | None, concern: Concern, young_person: YoungPerson
) -> list[ConcernNotice]:
    """Tell each agency involved with the young person that another agency recorded about them.

    A handling code C concern is told only to the agencies its conditions name: the others do
    not learn that it exists.
    """
    agencies = set(
        Involvement.objects.active()
        .filter(young_person=young_person)
        .exclude(agency_id=concern.recording_agency_id)
        .values_list("agency_id", flat=True)
    )
    audience = _concern_audience(concern)
    if audience is not None:
        agencies &= audience
    notices = []
    for agency_id in sorted(agencies):
        notice, created = ConcernNotice.objects.get_or_create(
            agency_id=agency_id, young_person=young_person, concern=concern
        )
        if created:
            audit_record(
                actor=actor,
                action="create",
                obj=notice,
                changed_fields=["agency", "young_person", "concern"],
                purpose="New information for an agency involved with the young person",
            )
            notices.append(notice)
    return notices


@transaction.atomic
def concern_notice_dismiss(*, actor: Actor, notice: ConcernNotice) -> ConcernNotice:
    """Mark a notice as read by a worker of the agency it was sent to."""
    user = signed_in_or_none(actor)
    if (
        user is None
        or user.agency_id != notice.agency_id
        or not user.has_perm("concerns.change_concernnotice")
    ):
        raise PermissionDenied("This notice was not sent to your agency")
    if notice.dismissed_at is not None:
        raise ValidationError({"notice": ["This notice has already been dismissed"]})
    notice.dismissed_at = timezone.now()
    notice.dismissed_by = user
    notice.save(update_fields=["dismissed_at", "dismissed_by"])
    audit_record(
        actor=actor, action="update", obj=notice, changed_fields=["dismissed_at", "dismissed_by"]
    )
    return notice


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
    held_for_review: bool = False,
) -> Association:
    """Create a link, or strengthen the existing one with new evidence.

    A pair of young people has one link in effect whichever way round they are given. New
    evidence moves `last_seen` and `review_by` forward and can raise, never lower, the
    reliability. A link `held_for_review` is stored on its own, takes no effect and raises no
    early warning until an involved agency accepts it (`association_review`).
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

    # Evidence from a C concern stays in a link of its own (handling follows the information).
    handling_concern = (
        source_concern
        if source_concern is not None and source_concern.handling_code == HandlingCode.C
        else None
    )
    existing = (
        None
        if held_for_review
        else Association.objects.select_for_update()
        .in_effect()
        .filter(
            young_person=first,
            other_young_person=second,
            person_of_concern=person_of_concern,
            handling_concern=handling_concern,
        )
        .first()
    )
    if existing is None:
        link = Association.objects.create(
            review_state=AssociationReview.HELD if held_for_review else AssociationReview.IN_EFFECT,
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
            handling_concern=handling_concern,
        )
        changed = ["young_person", "other", "kind", "reliability", "first_seen", "review_by"]
        if held_for_review:
            changed.append("review_state")
        action = "create"
    else:
        link = existing
        changed = _association_strengthen(
            link,
            kind=kind,
            reliability=reliability,
            first_seen=seen_on,
            last_seen=seen_on,
            review_by=review,
            source_note=source_note,
        )
        action = "update"
    if source_concern is not None:
        link.source_concerns.add(source_concern)
        changed.append("source_concerns")
    if changed:
        audit_record(actor=actor, action=action, obj=link, changed_fields=changed)
    if not held_for_review:
        # Early warnings listen, in the same transaction: a link towards a group at high risk, or
        # a person of concern with current flags, alerts the agencies involved with the young
        # person.
        association_recorded.send(sender=Association, association=link)
    return link


def _association_strengthen(
    link: Association,
    *,
    kind: str,
    reliability: str,
    first_seen: datetime.date,
    last_seen: datetime.date,
    review_by: datetime.date,
    source_note: str = "",
) -> list[str]:
    """Add evidence to a link in effect; return the fields that changed."""
    changed = []
    if first_seen < link.first_seen:
        link.first_seen = first_seen
        changed.append("first_seen")
    if last_seen > link.last_seen:
        link.last_seen = last_seen
        changed.append("last_seen")
    if review_by > link.review_by:
        link.review_by = review_by
        changed.append("review_by")
    if RELIABILITY_RANK[Reliability(reliability)] > RELIABILITY_RANK[Reliability(link.reliability)]:
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
    return changed


@transaction.atomic
def association_review(
    *, actor: Actor, association: Association, accept: bool, note: str = ""
) -> Association:
    """Accept or reject a link held for review, as a worker of an agency involved with it.

    Accepting puts the link in effect (or adds it as evidence to the link already in effect for
    the same people) and raises the early warnings it calls for, now. Rejecting needs a reason;
    the rejected link stays stored, with its source, and is never used.
    """
    if not association_list_held_for_review_by(user=actor).filter(pk=association.pk).exists():
        raise PermissionDenied("This link is not held for your agency's review")
    link = Association.objects.select_for_update().get(pk=association.pk)
    if link.review_state != AssociationReview.HELD:
        raise ValidationError({"decision": ["This link has already been reviewed"]})
    note = note.strip()
    if not accept and not note:
        raise ValidationError({"note": ["Say why you are rejecting the link"]})
    if len(note) > 300:
        raise ValidationError({"note": ["Keep the note to 300 characters or fewer"]})
    link.reviewed_by = signed_in_or_none(actor)
    link.reviewed_at = timezone.now()
    link.review_note = note
    if not accept:
        link.review_state = AssociationReview.REJECTED
        link.save()
        audit_record(
            actor=actor,
            action="update",
            obj=link,
            changed_fields=["review_state", "reviewed_by", "review_note"],
            purpose="Link held for review rejected",
        )
        return link
    existing = (
        Association.objects.select_for_update()
        .in_effect()
        .filter(
            young_person_id=link.young_person_id,
            other_young_person_id=link.other_young_person_id,
            person_of_concern_id=link.person_of_concern_id,
            handling_concern_id=link.handling_concern_id,
        )
        .first()
    )
    if existing is None:
        link.review_state = AssociationReview.IN_EFFECT
        link.save()
        effective = link
    else:
        link.review_state = AssociationReview.MERGED
        link.save()
        changed = _association_strengthen(
            existing,
            kind=link.kind,
            reliability=link.reliability,
            first_seen=link.first_seen,
            last_seen=link.last_seen,
            review_by=link.review_by,
        )
        existing.source_concerns.add(*link.source_concerns.all())
        audit_record(
            actor=actor,
            action="update",
            obj=existing,
            changed_fields=[*changed, "source_concerns"],
            purpose=f"Evidence accepted from a link held for review ({link.pk})",
        )
        effective = existing
    audit_record(
        actor=actor,
        action="update",
        obj=link,
        changed_fields=["review_state", "reviewed_by"] + (["review_note"] if note else []),
        purpose="Link held for review accepted",
    )
    association_recorded.send(sender=Association, association=effective)
    return effective
