"""Retention rules, declared per record type: a start event, a period, and what erasure does.

Each rule says when a record's personal data is due for erasure: the date its start event gives,
plus its period. `waymark retention review` lists what is due; `waymark retention apply` erases it
through `waymark.records.services`. The periods are defaults a partnership must confirm in its
retention schedule; they are here, in one list, so that changing one is a one-line change that
review shows before apply acts on it.

Dates are computed in Python from model attributes, never filtered in SQL: names, dates of birth
and narratives are encrypted at rest, so the database cannot compare them.

Periods are whole years plus days, added by hand (no dependency for this). A date of birth of
29 February plus a whole number of years lands on 1 March in a year that has no 29 February:
the later of the two candidate dates, so nothing is erased a day early.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, Exists, OuterRef, Prefetch, QuerySet
from django.db.models.functions import Cast

from waymark.concerns.models import Association, Concern, ConcernYoungPerson
from waymark.people.models import PersonFlag, PersonOfConcern, YoungPerson

from .models import Erasure


@dataclass(frozen=True)
class Period:
    years: int = 0
    days: int = 0

    def after(self, start: datetime.date) -> datetime.date:
        return add_years(start, self.years) + datetime.timedelta(days=self.days)

    def __str__(self) -> str:
        parts = []
        if self.years:
            parts.append(f"{self.years} year{'s' if self.years != 1 else ''}")
        if self.days or not parts:
            parts.append(f"{self.days} day{'s' if self.days != 1 else ''}")
        return " and ".join(parts)


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one: the day after 28 February
        return datetime.date(day.year + years, 3, 1)


class Erase:
    """What applying a rule does to a due record."""

    DELETE = "delete"  # the row goes; a de-identified tally is kept
    DEIDENTIFY = "de-identify"  # the row stays with its non-identifying facts; the rest is blanked


@dataclass(frozen=True)
class RetentionRule:
    key: str  # stable: it appears in audit purposes ("Retention: <key>") and tallies
    record_type: str  # the model's label, as audit events name it
    title: str
    start_event: str  # the start event, in words
    period: Period
    erase: str  # an `Erase` value
    why: str  # where the period comes from, or that it is a default to confirm
    start: Callable[[Any], datetime.date | None]
    queryset: Callable[[], QuerySet[Any]]
    reference: Callable[[Any], str]

    def due_on(self, record: Any) -> datetime.date | None:
        start = self.start(record)
        return None if start is None else self.period.after(start)


# --- young people ----------------------------------------------------------------------------

# The school child-protection file rule (IRMS Toolkit for Schools; domain.md): kept until the
# child's date of birth plus 25 years. Waymark holds child-protection information of the same
# kind, shared by the same partners, so it takes the same period.
YOUNG_PERSON_PERIOD = Period(years=25)


def _young_people() -> QuerySet[Any]:
    return YoungPerson.objects.only("id", "reference", "date_of_birth", "home_ward", "created_at")


# --- concerns --------------------------------------------------------------------------------


def _concern_start(concern: Any) -> datetime.date:
    # The later of its young people's retention dates: they all use YOUNG_PERSON_PERIOD, so
    # that is the youngest child's date of birth plus that period. A concern about a place that
    # names no child runs from the day it happened.
    births = [link.young_person.date_of_birth for link in concern.involved.all()]
    return max(births) if births else concern.occurred_on


def _concerns() -> QuerySet[Any]:
    erased = Erasure.objects.filter(
        record_type="concerns.concern",
        object_id=Cast(OuterRef("pk"), output_field=CharField()),
    )
    return (
        Concern.objects.annotate(already_erased=Exists(erased))
        .filter(already_erased=False)
        .select_related("place")
        .prefetch_related(
            Prefetch(
                "involved",
                queryset=ConcernYoungPerson.objects.select_related("young_person").only(
                    "id", "concern_id", "young_person__id", "young_person__date_of_birth"
                ),
            )
        )
    )


# --- persons of concern, their flags, and associations ---------------------------------------

# A flag expires at its review-by date (domain.md: "stale flags expire rather than spread") and is
# already left out of analysis then. The 30 days after it are a grace period in which a worker
# can renew it with new evidence before it is erased.
FLAG_GRACE = Period(days=30)

# A link past its review-by date is not evidence. It is kept a year longer so that a pattern
# that recurs can be recognised as a recurrence, then erased. A default to confirm.
ASSOCIATION_GRACE = Period(years=1)

# Six years after the last concern naming the person: the common period for records of
# allegations that were not substantiated. A default the partnership should set.
PERSON_OF_CONCERN_PERIOD = Period(years=6)


def _person_of_concern_start(person: Any) -> datetime.date:
    # The last concern naming them; with none, the later of when they were added and when a
    # link to them was last seen.
    concerns = [c.occurred_on for c in person.concerns.all()]
    if concerns:
        return max(concerns)
    seen = [a.last_seen for a in person.associations.all()]
    return max([person.created_at.date(), *seen])


def _persons_of_concern() -> QuerySet[Any]:
    return PersonOfConcern.objects.only(
        "id", "reference", "created_at", "age_band"
    ).prefetch_related(
        Prefetch("concerns", queryset=Concern.objects.only("id", "occurred_on")),
        Prefetch(
            "associations",
            queryset=Association.objects.only("id", "last_seen", "person_of_concern_id"),
        ),
    )


def _flags() -> QuerySet[Any]:
    return PersonFlag.objects.select_related("person").only(
        "id", "kind", "review_by", "person__id", "person__reference"
    )


def _associations() -> QuerySet[Any]:
    return Association.objects.select_related(
        "young_person", "other_young_person", "person_of_concern"
    ).only(
        "id",
        "kind",
        "first_seen",
        "review_by",
        "young_person__id",
        "young_person__reference",
        "other_young_person__id",
        "other_young_person__reference",
        "person_of_concern__id",
        "person_of_concern__reference",
    )


def _association_reference(link: Any) -> str:
    other = link.other_young_person or link.person_of_concern
    return f"{link.young_person.reference}~{other.reference}"


# In the order `retention apply` works through them: concerns are de-identified (and so let go
# of their young people) before young people are deleted; links and flags before the people
# they belong to.
RULES: tuple[RetentionRule, ...] = (
    RetentionRule(
        key="concern",
        record_type="concerns.concern",
        title="Concern",
        start_event="the youngest named child's date of birth (or the day it happened)",
        period=YOUNG_PERSON_PERIOD,
        erase=Erase.DEIDENTIFY,
        why="kept as long as the record of any child it names",
        start=_concern_start,
        queryset=_concerns,
        reference=lambda c: c.reference,
    ),
    RetentionRule(
        key="association",
        record_type="concerns.association",
        title="Association",
        start_event="its review-by date",
        period=ASSOCIATION_GRACE,
        erase=Erase.DELETE,
        why="a default to confirm: an expired link is kept a year to recognise recurrence",
        start=lambda a: a.review_by,
        queryset=_associations,
        reference=_association_reference,
    ),
    RetentionRule(
        key="person_flag",
        record_type="people.personflag",
        title="Person-of-concern flag",
        start_event="its review-by date",
        period=FLAG_GRACE,
        erase=Erase.DELETE,
        why="a flag expires at review-by; 30 days' grace to renew it with new evidence",
        start=lambda f: f.review_by,
        queryset=_flags,
        reference=lambda f: f"{f.person.reference}/flag-{f.pk}",
    ),
    RetentionRule(
        key="young_person",
        record_type="people.youngperson",
        title="Young person",
        start_event="date of birth",
        period=YOUNG_PERSON_PERIOD,
        erase=Erase.DELETE,
        why="the school child-protection file rule: date of birth plus 25 years",
        start=lambda p: p.date_of_birth,
        queryset=_young_people,
        reference=lambda p: p.reference,
    ),
    RetentionRule(
        key="person_of_concern",
        record_type="people.personofconcern",
        title="Person of concern",
        start_event="the last concern naming them (or when added or last linked)",
        period=PERSON_OF_CONCERN_PERIOD,
        erase=Erase.DELETE,
        why="a default the partnership should set: six years after the last concern",
        start=_person_of_concern_start,
        queryset=_persons_of_concern,
        reference=lambda p: p.reference,
    ),
)

RULES_BY_KEY = {rule.key: rule for rule in RULES}
