"""Encrypted values are bound to their table, column and row (ADR 0011), and every way of writing
them (save, bulk_create, update) keeps that binding, on whichever engine runs. Rotation and the
conversion of old values are tested in waymark/cli/tests/test_keys.py."""

import base64
import datetime
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import FieldError
from django.db import connection, models, transaction
from django.test.utils import isolate_apps
from django.utils import timezone

from waymark.accounts.models import AuthenticatorApp
from waymark.casework.models import Partner, PartnerContact
from waymark.concerns.models import Concern, ConcernDraft
from waymark.contexts.models import Place, PlaceKind
from waymark.core import crypto
from waymark.core.checks import encrypted_model_problems
from waymark.core.fields import EncryptedCharField, EncryptedMixin, Sealed
from waymark.core.models import EncryptedModel
from waymark.core.reencryption import encrypted_tables
from waymark.people.models import PersonFlag, PersonOfConcern, Vehicle, YoungPerson
from waymark.people.tests.factories import YoungPersonFactory

pytestmark = pytest.mark.django_db


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def _write_raw(table: str, column: str, pk: int, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, pk])  # noqa: S608


@pytest.fixture
def two_children() -> tuple[YoungPerson, YoungPerson]:
    first: Any = YoungPersonFactory(given_name="Ada", family_name="Okafor", nhs_number="9434765919")
    second: Any = YoungPersonFactory(given_name="Ben", family_name="Marsh", nhs_number="4010232137")
    return first, second


def test_an_nhs_number_copied_into_another_childs_row_does_not_decrypt(two_children):
    first, second = two_children
    _write_raw(
        "people_youngperson",
        "nhs_number",
        second.pk,
        _raw("people_youngperson", "nhs_number", first.pk),
    )
    assert YoungPerson.objects.get(pk=first.pk).nhs_number == "9434765919"
    moved = YoungPerson.objects.get(pk=second.pk)
    assert moved.given_name == "Ben"  # the row's other values are untouched
    with pytest.raises(crypto.UndecryptableValue) as refused:
        moved.nhs_number  # noqa: B018
    assert str(refused.value) == (
        f"people.YoungPerson.nhs_number of row {second.pk} does not decrypt: it was encrypted "
        "for another row or column, or altered."
    )


def test_a_name_copied_into_another_column_does_not_decrypt(two_children):
    first, _ = two_children
    given = _raw("people_youngperson", "given_name", first.pk)
    _write_raw("people_youngperson", "family_name", first.pk, given)
    with pytest.raises(crypto.UndecryptableValue, match=r"YoungPerson\.family_name of row"):
        YoungPerson.objects.get(pk=first.pk).family_name  # noqa: B018


def test_an_altered_ciphertext_does_not_decrypt(two_children):
    first, _ = two_children
    token = _raw("people_youngperson", "given_name", first.pk)
    raw = bytearray(base64.urlsafe_b64decode(token[len(crypto.PREFIX) :]))
    raw[-1] ^= 1
    _write_raw(
        "people_youngperson",
        "given_name",
        first.pk,
        crypto.PREFIX + base64.urlsafe_b64encode(bytes(raw)).decode(),
    )
    with pytest.raises(crypto.UndecryptableValue, match="for another row or column, or altered"):
        YoungPerson.objects.get(pk=first.pk).given_name  # noqa: B018


def test_a_value_read_without_its_model_will_not_pass_for_text(two_children):
    sealed = YoungPerson.objects.values_list("given_name", flat=True).first()
    assert isinstance(sealed, Sealed)
    with pytest.raises(TypeError, match="read it through the model instance"):
        str(sealed)
    with pytest.raises(TypeError, match="read it through the model instance"):
        sealed == "Ada"  # noqa: B015


def test_update_and_bulk_update_cannot_encrypt_and_say_so(two_children):
    with (
        pytest.raises(FieldError, match=r"YoungPerson\.given_name is encrypted for its row"),
        transaction.atomic(),
    ):
        YoungPerson.objects.filter(pk=two_children[0].pk).update(given_name="Cleo")
    people = list(YoungPerson.objects.all())
    for person in people:
        person.known_as = "Cleo"
    with (
        pytest.raises(FieldError, match=r"YoungPerson\.known_as is encrypted for its row"),
        transaction.atomic(),
    ):
        YoungPerson.objects.bulk_update(people, ["known_as"])
    # Blanking needs no encryption, so update() may do that.
    YoungPerson.objects.update(known_as="")
    assert {p.known_as for p in YoungPerson.objects.all()} == {""}


def _young_person(n: int, **_: Any) -> YoungPerson:
    return YoungPerson(
        reference=f"YPT{n}",
        given_name=f"Given {n}",
        family_name=f"Family {n}",
        known_as=f"Known {n}",
        date_of_birth=datetime.date(2010, 1, n),
        nhs_number="9434765919",
        upn="A123456789012",
        strengths=f"Strengths {n}",
        own_words=f"Own words {n}",
    )


def _person_of_concern(n: int, **_: Any) -> PersonOfConcern:
    return PersonOfConcern(
        reference=f"POCT{n}", names=f"Names {n}", nicknames=f"Nick {n}", description=f"Tall {n}"
    )


def _vehicle(n: int, *, adult: PersonOfConcern, **_: Any) -> Vehicle:
    return Vehicle(person=adult, make="Ford", registration=f"AB{n}CDE")


def _flag(n: int, *, adult: PersonOfConcern, **_: Any) -> PersonFlag:
    return PersonFlag(
        person=adult,
        kind=PersonFlag.Kind.WEAPONS,
        detail=f"Detail {n}",
        source="Police",
        reliability="tentative",
        review_by=timezone.localdate(),
    )


def _concern(n: int, *, user: Any, **_: Any) -> Concern:
    return Concern(
        reference=f"CNT{n}",
        occurred_on=timezone.localdate(),
        recorded_by=user,
        recording_agency=user.agency,
        narrative=f"Narrative {n}",
        source_evaluation="2",
        information_assessment="B",
        handling_code="C",
        handling_conditions=f"Conditions {n}",
    )


def _place(n: int, **_: Any) -> Place:
    return Place(
        name=f"Place {n}",
        kind=PlaceKind.RESIDENTIAL,
        address=f"{n} High St",
        latitude=52.6,
        longitude=-1.1,
    )


def _partner_contact(n: int, *, user: Any, **_: Any) -> PartnerContact:
    partner, _created = Partner.objects.get_or_create(
        name="Quay Hotel", kind="hotel", defaults={"agency": user.agency}
    )
    return PartnerContact(
        partner=partner, name=f"Contact {n}", phone=f"01632 960 {n:03d}", email=f"c{n}@example.com"
    )


def _draft(n: int, *, user: Any, **_: Any) -> ConcernDraft:
    return ConcernDraft(
        user=user, payload=f'{{"narrative": ["Draft {n}"]}}', expires_at=timezone.now()
    )


def _authenticator(n: int, *, user: Any, **_: Any) -> AuthenticatorApp:
    return AuthenticatorApp(user=user, name=f"Phone {n}", key=f"{n:02d}" * 20)


BUILDERS = {
    ConcernDraft: _draft,
    AuthenticatorApp: _authenticator,
    YoungPerson: _young_person,
    PersonOfConcern: _person_of_concern,
    Vehicle: _vehicle,
    PersonFlag: _flag,
    Concern: _concern,
    Place: _place,
    PartnerContact: _partner_contact,
}


def _encrypted_fields(model: Any) -> list[Any]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedMixin)]


def _values(obj: Any) -> dict[str, Any]:
    return {f.name: getattr(obj, f.name) for f in _encrypted_fields(type(obj))}


def test_every_model_with_encrypted_fields_is_covered_here():
    assert {t.model for t in encrypted_tables(apps.get_models())} == set(BUILDERS)


@pytest.mark.parametrize("model", list(BUILDERS), ids=lambda m: m.__name__)
def test_each_encrypted_model_saves_bulk_creates_updates_reads_and_deletes(model, practitioner):
    extra = {"user": practitioner, "adult": PersonOfConcern.objects.create(reference="POCX")}
    build = BUILDERS[model]
    saved = build(1, **extra)
    saved.save()
    created = model.objects.bulk_create([build(2, **extra), build(3, **extra)])
    pks = [saved.pk, *(obj.pk for obj in created)]
    assert None not in pks and len(set(pks)) == 3
    for n, pk in enumerate(pks, start=1):
        assert _values(model.objects.get(pk=pk)) == _values(build(n, **extra))

    field = _encrypted_fields(model)[-1]  # a text field on every model
    fresh = model.objects.get(pk=pks[1])
    setattr(fresh, field.name, "Changed")
    fresh.save()
    other = model.objects.get(pk=pks[2])
    setattr(other, field.name, "Changed too")
    other.save(update_fields=[field.name])
    assert getattr(model.objects.get(pk=pks[1]), field.name) == "Changed"
    assert getattr(model.objects.get(pk=pks[2]), field.name) == "Changed too"
    for pk in pks:
        for f in _encrypted_fields(model):
            assert crypto.is_current(_raw(model._meta.db_table, f.column, pk))

    model.objects.get(pk=pks[0]).delete()
    assert model.objects.filter(pk__in=pks).count() == 2
    # A row added the ordinary way afterwards gets an id of its own.
    assert build(4, **extra).pk is None
    later = build(4, **extra)
    later.save()
    assert later.pk > max(pks)


def test_a_row_without_an_id_cannot_be_encrypted_and_says_so():
    person = _young_person(1)
    field = YoungPerson._meta.get_field("given_name")
    with pytest.raises(FieldError, match="needs its id before it is written"):
        field.pre_save(person, add=True)


@isolate_apps("waymark.core")
def test_a_model_with_encrypted_fields_that_cannot_allocate_ids_fails_the_system_check():
    class Plain(models.Model):  # noqa: DJ008
        secret = EncryptedCharField(max_length=40)

    class Bound(EncryptedModel):  # noqa: DJ008
        secret = EncryptedCharField(max_length=40)

    assert [e.id for e in encrypted_model_problems([Plain, Bound])] == ["waymark.E001"]
    assert encrypted_model_problems(apps.get_models()) == []
