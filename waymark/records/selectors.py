"""Reads for retention: what is due, and what a legal hold protects.

A legal hold on a young person protects their record, the concerns that name them, their
associations and the associations those concerns are evidence for. Anything whose erasure would
change a protected record is held with it: another child named in a protected concern (erasing
them would unlink them from it), either side of a protected association, a person of concern
named in a protected concern or association, and that person's flags.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from waymark.concerns.models import Association, Concern, ConcernYoungPerson
from waymark.people.models import PersonFlag

from .models import LegalHold
from .rules import RULES, RetentionRule


@dataclass(frozen=True)
class Protection:
    """The ids of every record a current legal hold protects, by rule key."""

    held_young_people: frozenset[int] = frozenset()
    ids: dict[str, frozenset[int]] = field(default_factory=dict)

    def protects(self, rule: RetentionRule, record: Any) -> bool:
        return record.pk in self.ids.get(rule.key, frozenset())


def retention_protection() -> Protection:

    held = frozenset(LegalHold.objects.active().values_list("young_person_id", flat=True))
    if not held:
        return Protection()
    concerns = set(
        ConcernYoungPerson.objects.filter(young_person_id__in=held).values_list(
            "concern_id", flat=True
        )
    )
    # A held child's links, and every link a protected concern is evidence for.
    links = list(
        Association.objects.filter(
            Q(young_person_id__in=held)
            | Q(other_young_person_id__in=held)
            | Q(source_concerns__in=concerns)
        )
        .distinct()
        .values_list("pk", "young_person_id", "other_young_person_id", "person_of_concern_id")
    )
    young_people = set(held)
    young_people |= set(
        ConcernYoungPerson.objects.filter(concern_id__in=concerns).values_list(
            "young_person_id", flat=True
        )
    )
    persons = set(
        Concern.persons_of_concern.through.objects.filter(concern_id__in=concerns).values_list(
            "personofconcern_id", flat=True
        )
    )
    for _, one, other, person in links:
        young_people.add(one)
        if other is not None:
            young_people.add(other)
        if person is not None:
            persons.add(person)
    flags = set(PersonFlag.objects.filter(person_id__in=persons).values_list("pk", flat=True))
    return Protection(
        held_young_people=held,
        ids={
            "young_person": frozenset(young_people),
            "concern": frozenset(concerns),
            "association": frozenset(pk for pk, *_ in links),
            "person_of_concern": frozenset(persons),
            "person_flag": frozenset(flags),
        },
    )


@dataclass(frozen=True)
class DueRecord:
    rule: RetentionRule
    record: Any
    due_on: datetime.date

    @property
    def reference(self) -> str:
        return self.rule.reference(self.record)


@dataclass
class RuleReview:
    rule: RetentionRule
    due: list[DueRecord] = field(default_factory=list)
    held: list[DueRecord] = field(default_factory=list)


@dataclass
class RetentionReview:
    as_of: datetime.date
    rules: list[RuleReview]

    @property
    def due_count(self) -> int:
        return sum(len(r.due) for r in self.rules)

    @property
    def held_count(self) -> int:
        return sum(len(r.held) for r in self.rules)


def records_due(
    *, rule: RetentionRule, as_of: datetime.date, records: Iterable[Any] | None = None
) -> list[DueRecord]:
    """The records of one rule whose retention date is on or before `as_of`, oldest first."""
    due = []
    source = rule.queryset().iterator(chunk_size=2000) if records is None else records
    for record in source:
        day = rule.due_on(record)
        if day is not None and day <= as_of:
            due.append(DueRecord(rule=rule, record=record, due_on=day))
    due.sort(key=lambda d: (d.due_on, d.record.pk))
    return due


def retention_review(
    *, as_of: datetime.date, rules: Iterable[RetentionRule] = RULES
) -> RetentionReview:
    """What each rule makes due on `as_of`, split into what may be erased and what is held."""
    protection = retention_protection()
    reviews = []
    for rule in rules:
        review = RuleReview(rule=rule)
        for item in records_due(rule=rule, as_of=as_of):
            (review.held if protection.protects(rule, item.record) else review.due).append(item)
        reviews.append(review)
    return RetentionReview(as_of=as_of, rules=reviews)


def legal_hold_list_for(*, young_person: Any) -> list[LegalHold]:
    return list(LegalHold.objects.filter(young_person=young_person).select_related("placed_by"))
