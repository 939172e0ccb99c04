"""`waymark keys rotate`: field encryption and blind indexes under a new key (ADR 0006)."""

import datetime

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.db import connection

from waymark.audit.models import AuditEvent
from waymark.cli import main
from waymark.concerns.models import Concern
from waymark.concerns.tests.factories import concern_make
from waymark.people.models import YoungPerson
from waymark.people.selectors import young_person_search
from waymark.people.services import young_person_create

pytestmark = pytest.mark.django_db

GIVEN, FAMILY = "Zéphyrine", "Quillfeather"
NHS_NUMBER = "9434765919"  # passes the modulus 11 check
NARRATIVE = "Marmaduke Thistlewaite was seen passing packages behind the laundrette."
KEY_A, KEY_B = Fernet.generate_key().decode(), Fernet.generate_key().decode()


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
    before = _raw_token("people_youngperson", "given_name")
    assert Fernet(KEY_A.encode()).decrypt(before.encode()).decode() == GIVEN

    # Without key A nothing can be read: the test below proves rotation, not luck.
    settings.WAYMARK_FIELD_KEYS = [KEY_B]
    with pytest.raises(InvalidToken):
        YoungPerson.objects.get(pk=person.pk)

    settings.WAYMARK_FIELD_KEYS = [KEY_B, KEY_A]
    assert main(["keys", "rotate", "--quiet"]) == 0
    assert "Older keys can now be removed" in capsys.readouterr().out
    assert main(["keys", "rotate", "--quiet"]) == 0  # running it again is harmless

    settings.WAYMARK_FIELD_KEYS = [KEY_B]
    fresh = YoungPerson.objects.get(pk=person.pk)
    assert (fresh.given_name, fresh.date_of_birth) == (GIVEN, datetime.date(2011, 2, 28))
    assert Concern.objects.get().narrative == NARRATIVE
    assert list(young_person_search(user=practitioner, query=NHS_NUMBER)) == [person]
    after = _raw_token("people_youngperson", "given_name")
    assert Fernet(KEY_B.encode()).decrypt(after.encode()).decode() == GIVEN
    event = AuditEvent.objects.filter(object_type="keys.rotation").latest("id")
    assert event.action == "update"
    assert "people.youngperson.given_name" in event.changed_fields
    assert "people.youngperson 1" in event.purpose


def test_rotation_rebuilds_the_blind_indexes_under_a_new_index_key(settings, person, practitioner):
    settings.WAYMARK_BLIND_INDEX_KEY = "a-new-blind-index-key-that-is-long-enough-to-use"
    assert list(young_person_search(user=practitioner, query=FAMILY)) == []
    assert main(["keys", "rotate", "--quiet"]) == 0
    assert list(young_person_search(user=practitioner, query=FAMILY)) == [person]


def test_rotation_with_a_missing_key_says_what_to_do(settings, person, capsys):
    settings.WAYMARK_FIELD_KEYS = [KEY_B]
    assert main(["keys", "rotate", "--quiet"]) == 1
    assert "put back the key" in capsys.readouterr().err
