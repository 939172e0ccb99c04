import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from waymark.audit.models import AuditEvent
from waymark.audit.selectors import audit_chain_verify
from waymark.concerns.models import Association, Concern, ConcernRisk
from waymark.concerns.tests.factories import concern_make
from waymark.contexts.tests.factories import PlaceFactory
from waymark.people.models import Involvement, PersonFlag, PersonOfConcern, Vehicle, YoungPerson
from waymark.people.services import break_glass_open
from waymark.people.tests.factories import (
    PersonFlagFactory,
    PersonOfConcernFactory,
    YoungPersonFactory,
)
from waymark.records.models import ErasedRecordTally, Erasure, LegalHold
from waymark.records.rules import RULES_BY_KEY
from waymark.records.selectors import retention_protection, retention_review
from waymark.records.services import (
    ERASED_CONDITIONS,
    LegalHoldActive,
    legal_hold_lift,
    legal_hold_place,
    record_erase,
    retention_apply,
)

from .factories import adult_young_person, years_ago

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _audit_snapshot() -> list[tuple]:
    return list(AuditEvent.objects.order_by("id").values_list("id", "hash", "prev_hash"))


def _due(review, key):
    return [d.record.pk for r in review.rules if r.rule.key == key for d in r.due]


def _held(review, key):
    return [d.record.pk for r in review.rules if r.rule.key == key for d in r.held]


# --- review -----------------------------------------------------------------------------------


def test_review_finds_a_young_person_past_25_and_not_one_under_legal_hold(agency, manager):
    due = adult_young_person(created_by_agency=agency)
    held = adult_young_person(created_by_agency=agency)
    young = YoungPersonFactory(created_by_agency=agency)
    legal_hold_place(actor=manager, young_person=held, reason="Civil claim CL-2031-118")

    review = retention_review(as_of=TODAY())

    assert _due(review, "young_person") == [due.pk]
    assert _held(review, "young_person") == [held.pk]
    assert young.pk not in _due(review, "young_person") + _held(review, "young_person")


def test_a_hold_protects_the_childs_concerns_associations_and_those_named_with_them(
    agency, manager, practitioner
):
    held = adult_young_person(created_by_agency=agency)
    co_named = adult_young_person(created_by_agency=agency)
    poc = PersonOfConcernFactory()
    concern = concern_make(
        actor=practitioner, young_people=[held, co_named], persons_of_concern=[poc]
    )
    legal_hold_place(actor=manager, young_person=held, reason="Serious case review 2031/4")

    review = retention_review(as_of=TODAY())

    assert _held(review, "concern") == [concern.pk]
    assert set(_held(review, "young_person")) == {held.pk, co_named.pk}
    assert _due(review, "young_person") == []
    links = set(Association.objects.values_list("pk", flat=True))
    assert len(links) == 3  # the two children, and each child with the person of concern
    assert set(_held(review, "association")) == set()  # none is due yet
    assert retention_protection().ids["association"] == frozenset(links)
    assert _due(review, "association") == []


def test_review_on_a_later_date_sees_what_will_become_due(agency):
    person = YoungPersonFactory(created_by_agency=agency, date_of_birth=years_ago(24))
    assert person.pk not in _due(retention_review(as_of=TODAY()), "young_person")
    later = TODAY() + datetime.timedelta(days=366)
    assert person.pk in _due(retention_review(as_of=later), "young_person")


# --- apply ------------------------------------------------------------------------------------


def test_apply_deletes_a_due_young_person_audits_it_and_keeps_a_tally(agency, practitioner):
    person = adult_young_person(created_by_agency=agency, family_name="Threlkeld")
    home = PlaceFactory().ward
    YoungPerson.objects.filter(pk=person.pk).update(home_ward=home)
    break_glass_open(
        actor=practitioner, young_person=person, reason="Missing overnight, police call"
    )
    before = _audit_snapshot()

    outcome = retention_apply(actor=None, as_of=TODAY())

    assert outcome.erased == 1
    assert not YoungPerson.objects.filter(pk=person.pk).exists()
    assert not YoungPerson.objects.filter(reference=person.reference).exists()
    assert not Involvement.objects.filter(young_person_id=person.pk).exists()
    event = AuditEvent.objects.get(object_type="people.youngperson", object_id=str(person.pk))
    assert event.action == "delete"
    assert event.purpose == "Retention: young_person"
    assert {"given_name", "family_name", "date_of_birth", "own_words"} <= set(event.changed_fields)
    assert AuditEvent.objects.filter(
        object_type="people.involvement", action="delete", purpose="Retention: young_person"
    ).exists()
    assert AuditEvent.objects.filter(object_type="people.breakglass", action="delete").exists()
    # The audit trail is only ever appended to.
    assert _audit_snapshot()[: len(before)] == before
    assert audit_chain_verify().intact
    tally = ErasedRecordTally.objects.get(record_type="people.youngperson")
    assert (tally.count, tally.ward_id, tally.rule) == (1, home.pk, "young_person")
    assert tally.month == person.created_at.date().replace(day=1)


def test_apply_deidentifies_a_concern_and_keeps_its_countable_facts(agency, practitioner):
    person = adult_young_person(created_by_agency=agency)
    poc = PersonOfConcernFactory()
    place = PlaceFactory()
    concern = concern_make(
        actor=practitioner,
        young_people=[person],
        persons_of_concern=[poc],
        place=place,
        narrative="Seen getting into a silver car with Dean Ashcombe.",
        occurred_time=datetime.time(22, 15),
        risks={"cce": ["cash"], "cse": []},
    )

    retention_apply(actor=None, as_of=TODAY())

    concern = Concern.objects.get(pk=concern.pk)
    assert concern.narrative == ""
    assert concern.occurred_time is None
    assert not concern.young_people.exists()
    assert not concern.persons_of_concern.exists()
    assert concern.place_id == place.pk
    assert concern.recording_agency_id == agency.pk
    assert set(ConcernRisk.objects.filter(concern=concern).values_list("category", flat=True)) == {
        "cce",
        "cse",
    }
    event = AuditEvent.objects.get(
        object_type="concerns.concern", object_id=str(concern.pk), action="delete"
    )
    assert set(event.changed_fields) == {
        "narrative",
        "occurred_time",
        "young_people",
        "persons_of_concern",
    }
    assert event.purpose == "Retention: concern"
    assert Erasure.objects.filter(
        record_type="concerns.concern", object_id=str(concern.pk)
    ).exists()
    tally = ErasedRecordTally.objects.get(record_type="concerns.concern")
    assert (tally.count, tally.ward_id) == (1, place.ward_id)
    # Erased once: the next review does not list it again, and the chain is whole.
    assert concern.pk not in _due(retention_review(as_of=TODAY()), "concern")
    assert audit_chain_verify().intact


def test_a_concern_kept_for_a_younger_child_lets_go_of_the_older_one(agency, practitioner):
    older = adult_young_person(created_by_agency=agency)
    younger = YoungPersonFactory(created_by_agency=agency)
    concern = concern_make(actor=practitioner, young_people=[older, younger])

    retention_apply(actor=None, as_of=TODAY())

    concern.refresh_from_db()
    assert concern.narrative == "Seen with older males near the bus station."
    assert list(concern.young_people.all()) == [younger]
    assert not YoungPerson.objects.filter(pk=older.pk).exists()
    assert AuditEvent.objects.filter(
        object_type="concerns.concern",
        object_id=str(concern.pk),
        action="update",
        changed_fields=["young_people"],
    ).exists()
    # Their link went with them, audited; the tally counts it by kind.
    assert not Association.objects.exists()
    assert ErasedRecordTally.objects.filter(
        record_type="concerns.association", rule="young_person"
    ).exists()


def test_apply_keeps_everything_under_a_legal_hold_and_record_erase_refuses(
    agency, manager, practitioner
):
    held = adult_young_person(created_by_agency=agency)
    concern = concern_make(actor=practitioner, young_people=[held])
    legal_hold_place(actor=manager, young_person=held, reason="Inquiry into Eastbridge 2031")

    outcome = retention_apply(actor=None, as_of=TODAY())

    assert outcome.erased == 0
    assert outcome.held == 2  # the child and their concern
    assert YoungPerson.objects.filter(pk=held.pk).exists()
    assert Concern.objects.get(pk=concern.pk).narrative
    rule = RULES_BY_KEY["young_person"]
    with pytest.raises(LegalHoldActive):
        record_erase(actor=None, rule=rule, record=held)
    assert YoungPerson.objects.filter(pk=held.pk).exists()


def test_after_a_hold_is_lifted_the_record_is_erased_with_its_hold_history(agency, manager):
    person = adult_young_person(created_by_agency=agency)
    hold = legal_hold_place(actor=manager, young_person=person, reason="Claim settled in 2031?")
    legal_hold_lift(actor=manager, hold=hold, reason="Claim settled, solicitor's letter")

    assert retention_apply(actor=None, as_of=TODAY()).erased == 1
    assert not LegalHold.objects.exists()
    assert AuditEvent.objects.filter(
        object_type="records.legalhold", object_id=str(hold.pk), action="delete"
    ).exists()
    assert audit_chain_verify().intact


def test_expired_flags_and_old_links_and_people_of_concern_are_erased(agency, practitioner):
    stale = PersonFlagFactory(review_by=TODAY() - datetime.timedelta(days=31))
    grace = PersonFlagFactory(review_by=TODAY() - datetime.timedelta(days=29))
    old = PersonOfConcernFactory()
    Vehicle.objects.create(person=old, make="Ford", colour="Silver", registration="EB12XYZ")
    PersonOfConcern.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=7 * 366)
    )
    recent = PersonOfConcernFactory()

    retention_apply(actor=None, as_of=TODAY())

    assert not PersonFlag.objects.filter(pk=stale.pk).exists()
    assert PersonFlag.objects.filter(pk=grace.pk).exists()
    assert not PersonOfConcern.objects.filter(pk=old.pk).exists()
    assert not Vehicle.objects.exists()
    assert PersonOfConcern.objects.filter(pk=recent.pk).exists()
    assert ErasedRecordTally.objects.get(record_type="people.personflag").category == stale.kind
    assert AuditEvent.objects.filter(
        object_type="people.vehicle", action="delete", purpose="Retention: person_of_concern"
    ).exists()
    assert audit_chain_verify().intact


def test_an_association_is_erased_a_year_after_its_review_by_date(agency, practitioner):
    a = YoungPersonFactory(created_by_agency=agency)
    b = YoungPersonFactory(created_by_agency=agency)
    concern_make(actor=practitioner, young_people=[a, b])
    link = Association.objects.get()
    Association.objects.filter(pk=link.pk).update(
        first_seen=years_ago(3), last_seen=years_ago(3), review_by=years_ago(1, days=1)
    )

    retention_apply(actor=None, as_of=TODAY())

    assert not Association.objects.exists()
    assert YoungPerson.objects.filter(pk__in=[a.pk, b.pk]).count() == 2


def test_apply_refuses_a_date_after_today():
    with pytest.raises(ValidationError):
        retention_apply(actor=None, as_of=TODAY() + datetime.timedelta(days=1))


def test_record_erase_refuses_a_record_that_is_not_due(agency):
    person = YoungPersonFactory(created_by_agency=agency)
    with pytest.raises(ValidationError, match="not due"):
        record_erase(actor=None, rule=RULES_BY_KEY["young_person"], record=person)


def test_small_batches_erase_everything_in_several_transactions(agency):
    people = [adult_young_person(created_by_agency=agency) for _ in range(5)]
    assert retention_apply(actor=None, as_of=TODAY(), batch_size=2).erased == 5
    assert not YoungPerson.objects.filter(pk__in=[p.pk for p in people]).exists()
    assert ErasedRecordTally.objects.get(record_type="people.youngperson").count == 5


# --- legal holds ------------------------------------------------------------------------------


def test_placing_and_lifting_a_hold_is_audited(agency, manager):
    person = YoungPersonFactory(created_by_agency=agency)
    hold = legal_hold_place(actor=manager, young_person=person, reason="Civil claim CL-2031-118")
    assert hold.is_active
    legal_hold_lift(actor=manager, hold=hold, reason="Claim withdrawn on 3 March")
    hold.refresh_from_db()
    assert not hold.is_active and hold.lifted_by == manager
    actions = list(
        AuditEvent.objects.filter(object_type="records.legalhold", object_id=str(hold.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update"]
    with pytest.raises(ValidationError, match="already been lifted"):
        legal_hold_lift(actor=manager, hold=hold, reason="Claim withdrawn on 3 March")


def test_only_a_manager_may_place_a_hold_and_only_with_a_reason(agency, practitioner, manager):
    person = YoungPersonFactory(created_by_agency=agency)
    with pytest.raises(ValidationError, match="manager"):
        legal_hold_place(actor=practitioner, young_person=person, reason="Civil claim CL-1")
    with pytest.raises(ValidationError):
        legal_hold_place(actor=manager, young_person=person, reason="  ")
    assert not LegalHold.objects.exists()


def test_handling_conditions_which_may_name_people_are_replaced_by_a_fixed_note(
    agency, practitioner
):

    person = adult_young_person(created_by_agency=agency)
    concern = concern_make(
        actor=practitioner,
        young_people=[person],
        handling_code="C",
        handling_conditions="Share only with DS Lowe",
    )
    retention_apply(actor=None, as_of=TODAY())
    concern.refresh_from_db()
    assert (concern.handling_code, concern.handling_conditions) == ("C", ERASED_CONDITIONS)
    event = AuditEvent.objects.get(object_type="concerns.concern", action="delete")
    assert "handling_conditions" in event.changed_fields
