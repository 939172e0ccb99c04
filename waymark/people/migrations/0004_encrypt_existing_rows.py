"""Encrypt the values already in the people tables and fill their blind indexes (ADR 0006).

A migration of its own: on PostgreSQL the rows it updates would otherwise leave pending trigger
events that stop 0003 from creating its indexes.
"""

from django.db import migrations

from waymark.core.crypto import blind_index, words
from waymark.core.encryption_migration import decrypt_rows, encrypt_rows, plaintext, row_batches
from waymark.people.models import (
    FAMILY_NAME,
    GIVEN_NAME,
    KNOWN_AS,
    PERSON_OF_CONCERN_NAME,
    name_dob_index,
    name_index,
    nhs_number_index,
    registration_index,
)


YOUNG_PERSON = [
    "given_name",
    "family_name",
    "known_as",
    "date_of_birth",
    "nhs_number",
    "upn",
    "strengths",
    "own_words",
]
PERSON_OF_CONCERN = ["names", "nicknames", "description"]


def young_person_indexes(plain):
    return {
        "nhs_number_index": nhs_number_index(plain["nhs_number"]),
        "name_dob_index": name_dob_index(
            plain["given_name"], plain["family_name"], plain["date_of_birth"]
        ),
        "given_name_index": name_index(plain["given_name"], GIVEN_NAME),
        "family_name_index": name_index(plain["family_name"], FAMILY_NAME),
        "known_as_index": name_index(plain["known_as"], KNOWN_AS),
    }


def encrypt(apps, schema_editor):
    encrypt_rows(
        schema_editor, apps.get_model("people", "YoungPerson"), YOUNG_PERSON, young_person_indexes
    )
    # Name words are keyed by each row's primary key, so they are gathered in a first pass.
    person_of_concern = apps.get_model("people", "PersonOfConcern")
    name_words = {}
    for batch in row_batches(schema_editor, person_of_concern, ["names", "nicknames"]):
        for pk, values in batch:
            name_words[pk] = set(words(plaintext(values["names"]))) | set(
                words(plaintext(values["nicknames"]))
            )
    encrypt_rows(schema_editor, person_of_concern, PERSON_OF_CONCERN)
    word_model = apps.get_model("people", "PersonOfConcernNameWord")
    word_model.objects.using(schema_editor.connection.alias).bulk_create(
        [
            word_model(person_id=pk, word_index=blind_index(w, purpose=PERSON_OF_CONCERN_NAME))
            for pk, found in name_words.items()
            for w in sorted(found)
        ],
        batch_size=500,
        ignore_conflicts=True,
    )
    encrypt_rows(schema_editor, apps.get_model("people", "PersonFlag"), ["detail"])
    encrypt_rows(
        schema_editor,
        apps.get_model("people", "Vehicle"),
        ["registration"],
        lambda plain: {"registration_index": registration_index(plain["registration"])},
    )


def decrypt(apps, schema_editor):
    decrypt_rows(schema_editor, apps.get_model("people", "YoungPerson"), YOUNG_PERSON)
    decrypt_rows(schema_editor, apps.get_model("people", "PersonOfConcern"), PERSON_OF_CONCERN)
    decrypt_rows(schema_editor, apps.get_model("people", "PersonFlag"), ["detail"])
    decrypt_rows(schema_editor, apps.get_model("people", "Vehicle"), ["registration"])


class Migration(migrations.Migration):
    dependencies = [("people", "0003_field_encryption")]

    operations = [migrations.RunPython(encrypt, decrypt)]
