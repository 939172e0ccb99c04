"""`waymark keys rotate`: field encryption and blind indexes under a new key, the conversion of
values in the old Fernet format, and what happens when a run is interrupted or meets a
concurrent edit (ADR 0011)."""

import base64
import datetime
import importlib
import threading
import time
from types import SimpleNamespace

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.db import connection, connections, transaction

from waymark.audit.models import AuditEvent
from waymark.cli import main
from waymark.concerns.models import Concern
from waymark.concerns.tests.factories import concern_make
from waymark.core import crypto
from waymark.core.reencryption import batch_lock, batch_write, encrypted_tables
from waymark.people.models import YoungPerson
from waymark.people.selectors import young_person_search
from waymark.people.services import young_person_create

pytestmark = pytest.mark.django_db

GIVEN, FAMILY = "Zéphyrine", "Quillfeather"
NHS_NUMBER = "9434765919"  # passes the modulus 11 check
NARRATIVE = "Marmaduke Thistlewaite was seen passing packages behind the laundrette."
KEY_A, KEY_B, KEY_C = (Fernet.generate_key().decode() for _ in range(3))


@pytest.fixture
def person(practitioner):
    return young_person_create(
        actor=practitioner,
        given_name=GIVEN,
        family_name=FAMILY,
        known_as="Zeph",
        date_of_birth=datetime.date(2011, 2, 28),
        nhs_number="943 476 5919",
        upn="A123456789012",
        strengths="Draws comics; trusts her aunt",
        own_words="I just want to be left alone at the park",
    )


def _raw_token(table: str, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} ORDER BY id LIMIT 1")  # noqa: S608
        return cursor.fetchone()[0]


def _write_raw(table: str, column: str, pk: int, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, pk])  # noqa: S608


def _key_of(token: str) -> str:
    """The key id a current-format token names."""
    return base64.urlsafe_b64decode(token[len(crypto.PREFIX) :])[1:5].hex()


def test_rotation_re_encrypts_under_the_new_key_so_the_old_one_can_be_dropped(
    settings, practitioner, capsys
):
    settings.WAYMARK_FIELD_KEYS = [KEY_A]
    person = young_person_create(
        actor=practitioner,
        given_name=GIVEN,
        family_name=FAMILY,
        date_of_birth=datetime.date(2011, 2, 28),
        nhs_number=NHS_NUMBER,
    )
    concern_make(actor=practitioner, young_people=[person], narrative=NARRATIVE)
    assert _key_of(_raw_token("people_youngperson", "given_name")) == crypto.key_id(KEY_A)

    # Without key A nothing can be read: the test below proves rotation, not luck.
    settings.WAYMARK_FIELD_KEYS = [KEY_B]
    with pytest.raises(crypto.UndecryptableValue, match="put back the key"):
        YoungPerson.objects.get(pk=person.pk).given_name  # noqa: B018

    settings.WAYMARK_FIELD_KEYS = [KEY_B, KEY_A]
    assert main(["keys", "rotate", "--quiet"]) == 0
    assert "Older keys can now be removed" in capsys.readouterr().out
    assert main(["keys", "rotate", "--quiet"]) == 0  # running it again is harmless
    assert "re-encrypted 0 values" in capsys.readouterr().out

    settings.WAYMARK_FIELD_KEYS = [KEY_B]
    fresh = YoungPerson.objects.get(pk=person.pk)
    assert (fresh.given_name, fresh.date_of_birth) == (GIVEN, datetime.date(2011, 2, 28))
    assert Concern.objects.get().narrative == NARRATIVE
    assert list(young_person_search(user=practitioner, query=NHS_NUMBER)) == [person]
    assert _key_of(_raw_token("people_youngperson", "given_name")) == crypto.key_id(KEY_B)
    first, second = AuditEvent.objects.filter(object_type="keys.rotation").order_by("id")
    assert first.action == "update"
    assert "people.youngperson.given_name" in first.changed_fields
    assert "people.youngperson 1" in first.purpose
    assert second.purpose.startswith("Re-encrypted 0 values")  # nothing left to do


def test_rotation_rebuilds_the_blind_indexes_under_a_new_index_key(settings, person, practitioner):
    settings.WAYMARK_BLIND_INDEX_KEY = "a-new-blind-index-key-that-is-long-enough-to-use"
    assert list(young_person_search(user=practitioner, query=FAMILY)) == []
    assert main(["keys", "rotate", "--quiet"]) == 0
    assert list(young_person_search(user=practitioner, query=FAMILY)) == [person]


def test_rotation_with_a_missing_key_says_what_to_do(settings, person, capsys):
    settings.WAYMARK_FIELD_KEYS = [KEY_B]
    assert main(["keys", "rotate", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert f"people.YoungPerson.given_name of row {person.pk} was encrypted under key" in err
    assert "put back the key" in err


def test_an_interrupted_rotation_finishes_when_run_again(settings, practitioner, capsys):
    settings.WAYMARK_FIELD_KEYS = [KEY_A]
    person = young_person_create(
        actor=practitioner,
        given_name=GIVEN,
        family_name=FAMILY,
        date_of_birth=datetime.date(2011, 2, 28),
    )
    concern_make(actor=practitioner, young_people=[person], narrative=NARRATIVE)
    young_person_create(
        actor=practitioner,
        given_name="Ann",
        family_name="Lee",
        date_of_birth=datetime.date(2012, 1, 1),
    )
    # One value under a key the rotation will not be given: it stops there.
    settings.WAYMARK_FIELD_KEYS = [KEY_C]
    binding = crypto.Binding("people_youngperson", "family_name", person.pk)
    _write_raw("people_youngperson", "family_name", person.pk, crypto.encrypt("Q", binding=binding))

    settings.WAYMARK_FIELD_KEYS = [KEY_B, KEY_A]
    assert main(["keys", "rotate", "--quiet"]) == 1
    assert f"family_name of row {person.pk} was encrypted under key" in capsys.readouterr().err
    done = _raw_token("concerns_concern", "narrative")  # an earlier table, committed
    assert _key_of(done) == crypto.key_id(KEY_B)

    settings.WAYMARK_FIELD_KEYS = [KEY_B, KEY_A, KEY_C]
    assert main(["keys", "rotate", "--quiet"]) == 0
    assert _raw_token("concerns_concern", "narrative") == done  # already done: left alone
    settings.WAYMARK_FIELD_KEYS = [KEY_B]
    assert [(p.given_name, p.family_name) for p in YoungPerson.objects.order_by("pk")] == [
        (GIVEN, "Q"),
        ("Ann", "Lee"),
    ]


def test_a_value_in_the_old_format_is_refused_after_the_conversion(person, capsys):
    """Only the conversion migration binds old, unbound values to their row: one found later was
    put there since (say, another child's value copied from an old backup) and is refused."""
    for column, text in [("given_name", "Ada"), ("date_of_birth", "2011-02-28")]:
        _write_raw("people_youngperson", column, person.pk, crypto.legacy_encrypt(text))
    with pytest.raises(crypto.UndecryptableValue) as refused:
        YoungPerson.objects.get(pk=person.pk).given_name  # noqa: B018
    assert str(refused.value).startswith(
        f"people.YoungPerson.given_name of row {person.pk} is in the old, unbound Fernet format"
    )

    assert main(["keys", "rotate", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert f"people.YoungPerson.given_name of row {person.pk} holds a value in the old" in err
    assert "Clear or re-enter it." in err
    # Nothing was bound to the row: the planted value is still refused.
    assert crypto.is_legacy(_raw_token("people_youngperson", "given_name"))


def test_the_migration_converts_old_values_and_back(person):
    migration = importlib.import_module("waymark.core.migrations.0001_aead_field_encryption")
    editor = SimpleNamespace(connection=connection)
    migration.backwards(apps, editor)
    token = _raw_token("people_youngperson", "given_name")
    assert crypto.is_legacy(token)
    assert crypto.legacy_decrypt(token) == GIVEN
    migration.forwards(apps, editor)
    assert crypto.is_current(_raw_token("people_youngperson", "given_name"))
    assert YoungPerson.objects.get(pk=person.pk).own_words == (
        "I just want to be left alone at the park"
    )


def _waits_for_a_lock(thread: threading.Thread) -> bool:
    """Whether `thread` comes to wait for a row lock (True) or finishes without waiting."""
    deadline = time.monotonic() + 30
    while thread.is_alive() and time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.05)
    return False


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite lets one writer in at a time, so a rotation batch and an edit cannot overlap",
)
def test_an_edit_made_while_rotation_holds_its_batch_is_kept(settings, practitioner):
    settings.WAYMARK_FIELD_KEYS = [KEY_A]
    person = young_person_create(
        actor=practitioner,
        given_name="Before",
        family_name=FAMILY,
        date_of_birth=datetime.date(2011, 2, 28),
    )
    settings.WAYMARK_FIELD_KEYS = [KEY_B, KEY_A]
    (table,) = encrypted_tables([YoungPerson])

    def edit() -> None:  # on a connection of its own
        try:
            other = YoungPerson.objects.get(pk=person.pk)
            other.given_name = "Edited"
            other.save()
        finally:
            connections.close_all()

    editor = threading.Thread(target=edit)
    with transaction.atomic():
        rows = batch_lock(connection, table, None)  # the rotation has read the batch
        editor.start()
        assert _waits_for_a_lock(editor)  # the edit waits for the batch to commit
        batch_write(connection, table, rows)
    editor.join()

    settings.WAYMARK_FIELD_KEYS = [KEY_B]
    assert YoungPerson.objects.get(pk=person.pk).given_name == "Edited"
    assert _key_of(_raw_token("people_youngperson", "given_name")) == crypto.key_id(KEY_B)
