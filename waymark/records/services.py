"""Erasing personal data when its retention period ends, and placing and lifting legal holds.

What erasure does, per record type (the least damage that still erases the person):

- **Concern: de-identified, kept.** A concern is evidence about a place and a pattern as much as
  about a child, and contextual safeguarding counts concerns by place and month over years. The
  row stays with its date, place, risk categories and indicators, grading, handling code and
  recording agency. Its narrative and time of day are blanked, handling conditions are replaced
  by a fixed note, and the young people and persons of concern it named are unlinked. An
  `Erasure` row records that it was done.
- **Young person: deleted.** The record is identifying through and through (names, date of
  birth, NHS number, own words), so nothing of it is kept but a de-identified tally: the month
  they came to notice and their home ward. Before the row goes, the service unlinks them from
  concerns that are kept for a younger child, and deletes their associations, involvements,
  break-glass accesses and lifted legal holds, each with its own audit event (a database cascade
  would delete them unaudited).
- **Association and person-of-concern flag: deleted**, with a tally by kind and month.
- **Person of concern: deleted** with their vehicles, flags and associations, and unlinked from
  concerns; a tally by age band and month.

Every erased record gets an audit event: action "delete", the erased field names, and purpose
"Retention: <rule key>". Unlinking a person from a kept concern is an "update" of the concern.
Audit events are never changed or deleted: they hold ids and field names, not values.

A record protected by a legal hold (see `waymark.records.selectors`) is refused with
`LegalHoldActive`. Each batch of `retention_apply`, and each hold placed or lifted, takes the
retention lock first, so a hold placed during a run either is seen by the batch or waits for it.
"""

import datetime
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from waymark.accounts.models import User
from waymark.accounts.types import Actor
from waymark.audit.models import AuditAction
from waymark.audit.services import audit_record
from waymark.concerns.models import Association, Concern, ConcernYoungPerson, HandlingCode
from waymark.core.actors import signed_in_or_none
from waymark.people.models import YoungPerson
from waymark.people.services import PERSONAL_FIELDS

from .models import ErasedRecordTally, Erasure, LegalHold
from .permissions import LEGAL_HOLD_PERMISSION
from .rules import RULES, RetentionRule
from .selectors import Protection, records_due, retention_protection

# The key of the PostgreSQL advisory lock that serialises retention batches and legal holds
# ("WAYMARK" + 2). SQLite needs none: every transaction there takes the one write lock.
RETENTION_LOCK = 0x5741594D41524B02

# Replaces handling conditions on a de-identified concern: the database requires handling code C
# to carry conditions, and the conditions themselves may name people.
ERASED_CONDITIONS = "Erased under the retention schedule"

YOUNG_PERSON_FIELDS = PERSONAL_FIELDS
ASSOCIATION_FIELDS = (
    "young_person",
    "other",
    "kind",
    "reliability",
    "source_note",
    "source_concerns",
    "first_seen",
    "last_seen",
    "review_by",
)
PERSON_OF_CONCERN_FIELDS = ("names", "nicknames", "description", "age_band")
FLAG_FIELDS = ("kind", "detail", "source", "reliability", "review_by")
VEHICLE_FIELDS = ("make", "colour", "registration")
INVOLVEMENT_FIELDS = ("agency", "worker", "young_person", "source", "purpose", "lawful_basis")
BREAK_GLASS_FIELDS = ("user", "young_person", "reason")
LEGAL_HOLD_FIELDS = ("young_person", "reason", "lift_reason")


class LegalHoldActive(ValidationError):
    """The record, or one it would change, is under a legal hold: nothing is erased."""


def _retention_lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RETENTION_LOCK])


def _purpose(rule: RetentionRule) -> str:
    return f"Retention: {rule.key}"


def _tally(
    *,
    rule: RetentionRule,
    record_type: str,
    day: datetime.date,
    ward_id: int | None = None,
    category: str = "",
) -> None:
    key = {
        "record_type": record_type,
        "rule": rule.key,
        "month": day.replace(day=1),
        "ward_id": ward_id,
        "category": category,
    }
    updated = ErasedRecordTally.objects.filter(**key).update(count=F("count") + 1)
    if not updated:
        ErasedRecordTally.objects.create(**key, count=1)


def _delete(*, actor: Actor | None, rule: RetentionRule, obj: Any, fields: Sequence[str]) -> None:
    """Audit, then delete, one row (audit first: a deleted row has no primary key)."""
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=obj,
        changed_fields=fields,
        purpose=_purpose(rule),
    )
    obj.delete()


def _association_delete(*, actor: Actor | None, rule: RetentionRule, link: Any) -> None:
    _tally(
        rule=rule,
        record_type="concerns.association",
        day=link.first_seen,
        category=link.kind,
    )
    _delete(actor=actor, rule=rule, obj=link, fields=ASSOCIATION_FIELDS)


def _flag_delete(*, actor: Actor | None, rule: RetentionRule, flag: Any) -> None:
    _tally(rule=rule, record_type="people.personflag", day=flag.review_by, category=flag.kind)
    _delete(actor=actor, rule=rule, obj=flag, fields=FLAG_FIELDS)


# --- one record per type ---------------------------------------------------------------------


def _concern_erase(*, actor: Actor | None, rule: RetentionRule, concern: Any) -> None:

    erased = ["narrative"]
    concern.narrative = ""
    if concern.occurred_time is not None:
        concern.occurred_time = None
        erased.append("occurred_time")
    if concern.handling_conditions:
        concern.handling_conditions = (
            ERASED_CONDITIONS if concern.handling_code == HandlingCode.C else ""
        )
        erased.append("handling_conditions")
    concern.save(update_fields=["narrative", "occurred_time", "handling_conditions", "updated_at"])
    if ConcernYoungPerson.objects.filter(concern=concern).delete()[0]:
        erased.append("young_people")
    if concern.persons_of_concern.exists():
        concern.persons_of_concern.clear()
        erased.append("persons_of_concern")
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=concern,
        changed_fields=erased,
        purpose=_purpose(rule),
    )
    Erasure.objects.create(record_type=rule.record_type, object_id=str(concern.pk), rule=rule.key)
    place = concern.place
    _tally(
        rule=rule,
        record_type=rule.record_type,
        day=concern.occurred_on,
        ward_id=place.ward_id if place is not None else None,
    )


def _young_person_erase(*, actor: Actor | None, rule: RetentionRule, young_person: Any) -> None:

    # Concerns kept for a younger child let go of this one.
    for link in ConcernYoungPerson.objects.filter(young_person=young_person).select_related(
        "concern"
    ):
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=link.concern,
            changed_fields=["young_people"],
            purpose=_purpose(rule),
        )
        link.delete()
    for association in Association.objects.filter(
        Q(young_person=young_person) | Q(other_young_person=young_person)
    ):
        _association_delete(actor=actor, rule=rule, link=association)
    for involvement in young_person.involvements.all():
        _delete(actor=actor, rule=rule, obj=involvement, fields=INVOLVEMENT_FIELDS)
    for access in young_person.break_glass.all():
        _delete(actor=actor, rule=rule, obj=access, fields=BREAK_GLASS_FIELDS)
    for hold in LegalHold.objects.filter(young_person=young_person):  # all lifted: checked first
        _delete(actor=actor, rule=rule, obj=hold, fields=LEGAL_HOLD_FIELDS)
    _tally(
        rule=rule,
        record_type=rule.record_type,
        day=young_person.created_at.date(),
        ward_id=young_person.home_ward_id,
    )
    _delete(actor=actor, rule=rule, obj=young_person, fields=YOUNG_PERSON_FIELDS)


def _person_of_concern_erase(*, actor: Actor | None, rule: RetentionRule, person: Any) -> None:

    for vehicle in person.vehicles.all():
        _delete(actor=actor, rule=rule, obj=vehicle, fields=VEHICLE_FIELDS)
    for flag in person.flags.all():
        _flag_delete(actor=actor, rule=rule, flag=flag)
    for association in person.associations.all():
        _association_delete(actor=actor, rule=rule, link=association)
    for concern in Concern.objects.filter(persons_of_concern=person):
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=concern,
            changed_fields=["persons_of_concern"],
            purpose=_purpose(rule),
        )
        concern.persons_of_concern.remove(person)
    _tally(
        rule=rule,
        record_type=rule.record_type,
        day=person.created_at.date(),
        category=person.age_band,
    )
    _delete(actor=actor, rule=rule, obj=person, fields=PERSON_OF_CONCERN_FIELDS)


def _erase(*, actor: Actor | None, rule: RetentionRule, record: Any) -> None:
    if rule.key == "concern":
        _concern_erase(actor=actor, rule=rule, concern=record)
    elif rule.key == "young_person":
        _young_person_erase(actor=actor, rule=rule, young_person=record)
    elif rule.key == "person_of_concern":
        _person_of_concern_erase(actor=actor, rule=rule, person=record)
    elif rule.key == "association":
        _association_delete(actor=actor, rule=rule, link=record)
    elif rule.key == "person_flag":
        _flag_delete(actor=actor, rule=rule, flag=record)
    else:
        raise ValueError(f"No eraser for retention rule {rule.key!r}")


def _check(
    *, rule: RetentionRule, record: Any, as_of: datetime.date, protection: Protection
) -> None:
    if protection.protects(rule, record):
        raise LegalHoldActive(
            f"{rule.reference(record)} is under a legal hold, or linked to a record that is: "
            "it is not erased"
        )
    due = rule.due_on(record)
    if due is None or due > as_of:
        raise ValidationError(
            f"{rule.reference(record)} is not due for erasure under the {rule.key} rule "
            f"until {due:%d %B %Y}"
            if due
            else f"{rule.reference(record)} has no retention date"
        )


@transaction.atomic
def record_erase(
    *, actor: Actor | None, rule: RetentionRule, record: Any, as_of: datetime.date | None = None
) -> None:
    """Erase one due record's personal data as its rule says; refuse it under a legal hold."""
    today = timezone.localdate()
    as_of = as_of or today
    if as_of > today:
        raise ValidationError("Records cannot be erased before their retention date")
    _retention_lock()
    fresh = rule.queryset().filter(pk=record.pk).first()
    if fresh is None:
        raise ValidationError(f"{rule.reference(record)} is already erased")
    _check(rule=rule, record=fresh, as_of=as_of, protection=retention_protection())
    _erase(actor=actor, rule=rule, record=fresh)


@dataclass
class RuleOutcome:
    rule: RetentionRule
    erased: int = 0
    held: int = 0
    no_longer_due: int = 0


@dataclass
class RetentionOutcome:
    as_of: datetime.date
    rules: list[RuleOutcome] = field(default_factory=list)

    @property
    def erased(self) -> int:
        return sum(r.erased for r in self.rules)

    @property
    def held(self) -> int:
        return sum(r.held for r in self.rules)


def _batches(ids: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def retention_apply(
    *,
    actor: Actor | None,
    as_of: datetime.date | None = None,
    batch_size: int = 200,
    rules: Sequence[RetentionRule] = RULES,
) -> RetentionOutcome:
    """Erase every due record not under a legal hold, rule by rule, a batch per transaction.

    A batch that fails rolls back alone; batches already committed stay erased, and running
    again picks up where it stopped. Each record is checked again inside its batch, so a hold
    placed, or a link renewed, since the review is honoured.
    """
    today = timezone.localdate()
    as_of = as_of or today
    if as_of > today:
        raise ValidationError("Records cannot be erased before their retention date")
    if batch_size < 1:
        raise ValidationError("The batch size must be at least 1")
    outcome = RetentionOutcome(as_of=as_of)
    for rule in rules:
        result = RuleOutcome(rule=rule)
        outcome.rules.append(result)
        ids = [item.record.pk for item in records_due(rule=rule, as_of=as_of)]
        for batch in _batches(ids, batch_size):
            counts: Counter[str] = Counter()
            with transaction.atomic():
                _retention_lock()
                protection = retention_protection()
                for record in rule.queryset().filter(pk__in=batch).order_by("pk"):
                    try:
                        _check(rule=rule, record=record, as_of=as_of, protection=protection)
                    except LegalHoldActive:
                        counts["held"] += 1
                        continue
                    except ValidationError:
                        counts["no_longer_due"] += 1
                        continue
                    _erase(actor=actor, rule=rule, record=record)
                    counts["erased"] += 1
            result.erased += counts["erased"]
            result.held += counts["held"]
            result.no_longer_due += counts["no_longer_due"] + (len(batch) - sum(counts.values()))
    return outcome


# --- legal holds -----------------------------------------------------------------------------


def _may_hold(actor: Actor | None) -> User:
    user = signed_in_or_none(actor)
    if user is None or not user.has_perm(LEGAL_HOLD_PERMISSION):
        raise ValidationError("Only a manager can place or lift a legal hold")
    return user


@transaction.atomic
def legal_hold_place(*, actor: Actor | None, young_person: Any, reason: str) -> LegalHold:
    """Stop a young person's record, and the records linked to it, from being erased."""

    user = _may_hold(actor)
    reason = reason.strip()
    if len(reason) < 10:
        raise ValidationError(
            {"reason": ["Say why, in at least 10 characters: a claim, inquiry or case reference"]}
        )
    _retention_lock()
    if not YoungPerson.objects.select_for_update().filter(pk=young_person.pk).exists():
        raise ValidationError("This young person's record has been erased")
    hold = LegalHold(young_person=young_person, reason=reason, placed_by=user)
    hold.full_clean()
    hold.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=hold,
        changed_fields=["young_person", "reason"],
        purpose=f"Legal hold: {reason}"[:500],
    )
    return hold


@transaction.atomic
def legal_hold_lift(*, actor: Actor | None, hold: LegalHold, reason: str) -> LegalHold:
    """End a legal hold. The record's retention date applies again from the next run."""
    user = _may_hold(actor)
    reason = reason.strip()
    if len(reason) < 10:
        raise ValidationError({"reason": ["Say why the hold is lifted, in at least 10 characters"]})
    _retention_lock()
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if not hold.is_active:
        raise ValidationError("This legal hold has already been lifted")
    hold.lifted_at = timezone.now()
    hold.lifted_by = user
    hold.lift_reason = reason
    hold.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=hold,
        changed_fields=["lifted_at", "lifted_by", "lift_reason"],
        purpose=f"Legal hold lifted: {reason}"[:500],
    )
    return hold
