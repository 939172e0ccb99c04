import datetime

import pytest
from django.utils import timezone

from waymark.concerns.tests.factories import concern_make
from waymark.contexts.tests.factories import PlaceFactory
from waymark.people.tests.factories import PersonOfConcernFactory, YoungPersonFactory
from waymark.records.rules import RULES_BY_KEY, Period, add_years

from .factories import years_ago


def test_a_leap_day_plus_whole_years_lands_on_the_first_of_march():
    assert add_years(datetime.date(2000, 2, 29), 25) == datetime.date(2025, 3, 1)
    assert add_years(datetime.date(2000, 2, 29), 28) == datetime.date(2028, 2, 29)


def test_periods_add_years_then_days_and_say_so():
    assert Period(years=1, days=30).after(datetime.date(2024, 1, 31)) == datetime.date(2025, 3, 2)
    assert str(Period(years=25)) == "25 years"
    assert str(Period(days=30)) == "30 days"
    assert str(Period()) == "0 days"


def test_every_rule_names_its_start_event_period_and_reason():
    assert set(RULES_BY_KEY) == {
        "young_person",
        "concern",
        "association",
        "person_flag",
        "person_of_concern",
    }
    for rule in RULES_BY_KEY.values():
        assert rule.start_event and rule.why and rule.erase in ("delete", "de-identify")


@pytest.mark.django_db
def test_a_young_person_is_due_at_date_of_birth_plus_25_years():
    person = YoungPersonFactory(date_of_birth=datetime.date(2001, 6, 15))
    assert RULES_BY_KEY["young_person"].due_on(person) == datetime.date(2026, 6, 15)


@pytest.mark.django_db
def test_a_concern_is_kept_as_long_as_its_youngest_child(practitioner):
    older = YoungPersonFactory(date_of_birth=years_ago(26))
    younger = YoungPersonFactory(date_of_birth=years_ago(12))
    concern = concern_make(actor=practitioner, young_people=[older, younger])
    rule = RULES_BY_KEY["concern"]
    record = rule.queryset().get(pk=concern.pk)
    assert rule.due_on(record) == RULES_BY_KEY["young_person"].due_on(younger)


@pytest.mark.django_db
def test_a_concern_naming_no_child_runs_from_the_day_it_happened(practitioner):
    concern = concern_make(actor=practitioner, place=PlaceFactory())
    rule = RULES_BY_KEY["concern"]
    assert rule.due_on(rule.queryset().get(pk=concern.pk)) == add_years(concern.occurred_on, 25)


@pytest.mark.django_db
def test_a_person_of_concern_runs_from_the_last_concern_naming_them(practitioner):
    person = PersonOfConcernFactory()
    child = YoungPersonFactory()
    concern_make(actor=practitioner, young_people=[child], persons_of_concern=[person])
    last = concern_make(
        actor=practitioner,
        young_people=[child],
        persons_of_concern=[person],
        occurred_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    rule = RULES_BY_KEY["person_of_concern"]
    assert rule.due_on(rule.queryset().get(pk=person.pk)) == add_years(last.occurred_on, 6)
