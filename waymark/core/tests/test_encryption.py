"""Field encryption and blind-index search (ADR 0006), on whichever engine runs. The binding of
values to their row (ADR 0011) is tested in test_encryption_binding.py; key rotation, which the
`waymark keys rotate` command runs, in waymark/cli/tests/test_keys.py."""

import datetime
from pathlib import Path

import pytest
from django.core.exceptions import FieldError
from django.db import connection
from django.utils import timezone

from waymark.concerns.models import Concern
from waymark.concerns.tests.factories import concern_make
from waymark.contexts.models import Place, PlaceKind
from waymark.contexts.tests.factories import PlaceFactory
from waymark.core import crypto
from waymark.people.models import PersonFlag, PersonOfConcern, Vehicle, YoungPerson
from waymark.people.selectors import (
    person_of_concern_search,
    young_person_known_elsewhere,
    young_person_search,
)
from waymark.people.services import person_flag_add, person_of_concern_create, young_person_create

pytestmark = pytest.mark.django_db

GIVEN, FAMILY = "Zéphyrine", "Quillfeather"
NHS_NUMBER = "9434765919"  # passes the modulus 11 check
NARRATIVE = "Marmaduke Thistlewaite was seen passing packages behind the laundrette."
ADDRESS = "17 Wellingborough Crescent"


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


@pytest.fixture
def everything(practitioner, person):
    """One of each kind of encrypted record, written through the services."""
    home = PlaceFactory(name="Home", kind=PlaceKind.RESIDENTIAL, address=ADDRESS)
    concern_make(
        actor=practitioner,
        young_people=[person],
        place=home,
        narrative=NARRATIVE,
        handling_code="C",
        handling_conditions="Not to be shared with the school",
    )
    adult = person_of_concern_create(
        actor=practitioner,
        names="Barnaby Ffoulkes-Whitlow",
        nicknames="Gravel, Big B",
        description="Scar through the left eyebrow",
        vehicles=[{"make": "Audi", "colour": "black", "registration": "kx19 zzt"}],
    )
    person_flag_add(
        actor=practitioner,
        person=adult,
        kind=PersonFlag.Kind.WEAPONS,
        source="Police intelligence",
        reliability="tentative",
        review_by=timezone.localdate() + datetime.timedelta(days=30),
        detail="Carries a machete in the car boot",
    )
    return adult


def test_each_kind_of_encrypted_field_round_trips(everything, person):
    fresh = YoungPerson.objects.get(pk=person.pk)
    assert (fresh.given_name, fresh.family_name, fresh.known_as) == (GIVEN, FAMILY, "Zeph")
    assert fresh.date_of_birth == datetime.date(2011, 2, 28)
    assert (fresh.nhs_number, fresh.upn) == (NHS_NUMBER, "A123456789012")
    assert fresh.own_words == "I just want to be left alone at the park"
    concern = Concern.objects.get()
    assert concern.narrative == NARRATIVE
    assert concern.handling_conditions == "Not to be shared with the school"
    assert Place.objects.get(name="Home").address == ADDRESS
    adult = PersonOfConcern.objects.get(pk=everything.pk)
    assert (adult.names, adult.nicknames) == ("Barnaby Ffoulkes-Whitlow", "Gravel, Big B")
    assert Vehicle.objects.get().registration == "KX19ZZT"
    assert PersonFlag.objects.get().detail == "Carries a machete in the car boot"


def test_a_blank_value_stays_blank_and_can_be_asked_about(practitioner):
    young_person_create(
        actor=practitioner,
        given_name="Ann",
        family_name="Lee",
        date_of_birth=datetime.date(2012, 1, 1),
    )
    assert YoungPerson.objects.get().known_as == ""
    assert YoungPerson.objects.filter(known_as="").count() == 1
    assert YoungPerson.objects.exclude(nhs_number="").count() == 0


def _raw_rows() -> str:
    """Every row of every table, as the database holds it."""
    text: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            text.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(text)


SECRETS = [GIVEN, "Zephyrine", "zephyrine", FAMILY, "quillfeather", NHS_NUMBER, "943 476 5919",
           "Marmaduke", "Thistlewaite", "laundrette", "Wellingborough", "Ffoulkes", "Gravel",
           "machete", "KX19ZZT", "Draws comics", "2011-02-28"]  # fmt: skip


def test_the_database_holds_no_plaintext_of_names_narratives_or_nhs_numbers(everything):
    raw = _raw_rows()
    assert crypto.PREFIX in raw  # the values are there, encrypted
    leaked = [s for s in SECRETS if s in raw]
    assert leaked == []
    if connection.vendor == "sqlite" and not connection.is_in_memory_db():
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        data = Path(connection.settings_dict["NAME"]).read_bytes()
        assert [s for s in SECRETS if s.encode() in data] == []


def test_young_people_are_found_by_name_and_nhs_number(person, practitioner):
    def found(query):
        return list(young_person_search(user=practitioner, query=query))

    for query in ["zephyrine", "QUILLFEATHER", "Zeph", "Zéphyrine  Quillfeather", NHS_NUMBER,
                  "943 476 5919", person.reference]:  # fmt: skip
        assert found(query) == [person], query
    for query in ["Zephyr", "Quill", "Quillfeather Zephyrine", "9434765918"]:
        assert found(query) == [], query


def test_a_young_person_known_elsewhere_is_found_by_full_name(person, outsider):
    assert list(young_person_search(user=outsider, query=f"{GIVEN} {FAMILY}")) == []
    known = young_person_known_elsewhere(user=outsider, query="zephyrine quillfeather")
    assert [k.reference for k in known] == [person.reference]


def test_persons_of_concern_are_found_by_whole_words_and_registration(everything, practitioner):
    def found(query):
        return list(person_of_concern_search(user=practitioner, query=query))

    for query in ["ffoulkes-whitlow", "Barnaby", "gravel", "big b", "KX19 ZZT", "kx19zzt"]:
        assert found(query) == [everything], query
    # Names are encrypted, so parts of words no longer match (ADR 0006).
    for query in ["Ffoul", "grav", "Barnaby Smith", "KX19"]:
        assert found(query) == [], query


def test_renaming_a_person_of_concern_moves_their_search_words(everything, practitioner):
    everything.names = "Barney Smith"
    everything.save()
    assert list(person_of_concern_search(user=practitioner, query="smith")) == [everything]
    assert list(person_of_concern_search(user=practitioner, query="barnaby")) == []


@pytest.mark.parametrize(
    "lookup",
    [
        {"given_name": GIVEN},
        {"given_name__iexact": GIVEN},
        {"family_name__icontains": "quill"},
        {"nhs_number__in": [NHS_NUMBER]},
        {"date_of_birth__year": 2011},
        {"date_of_birth__gte": datetime.date(2010, 1, 1)},
    ],
)
def test_a_lookup_on_an_encrypted_field_is_refused(person, lookup):
    with pytest.raises(FieldError, match="encrypted"):
        list(YoungPerson.objects.filter(**lookup))


def test_lookups_on_other_encrypted_fields_are_refused_too(everything):
    with pytest.raises(FieldError, match="concerns.Concern.narrative is encrypted"):
        Concern.objects.filter(narrative__icontains="laundrette").exists()
    with pytest.raises(FieldError, match="encrypted"):
        PersonOfConcern.objects.filter(names__icontains="Barnaby").exists()
    with pytest.raises(FieldError, match="encrypted"):
        Vehicle.objects.filter(registration="KX19ZZT").exists()
