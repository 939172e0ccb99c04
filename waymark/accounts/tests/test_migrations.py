"""Authenticator apps and backup codes kept by earlier versions in django-otp's plaintext tables
move into Waymark's own devices (migration 0004), and the plaintext rows go."""

import importlib
from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from waymark.accounts.models import AuthenticatorApp, BackupCodes
from waymark.accounts.services import two_factor_verify

pytestmark = pytest.mark.django_db

MIGRATION = "0004_two_factor_devices_from_django_otp"
KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test key


def legacy_tables(user_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE otp_totp_totpdevice (id integer PRIMARY KEY, user_id integer, "
            "name varchar(64), confirmed boolean, key varchar(80), step smallint, t0 bigint, "
            "digits smallint, tolerance smallint, drift smallint, last_t bigint)"
        )
        cursor.execute(
            "INSERT INTO otp_totp_totpdevice VALUES (7, %s, 'Phone', %s, %s, 30, 0, 6, 1, 0, 5)",
            [user_id, True, KEY],
        )
        cursor.execute(
            "CREATE TABLE otp_static_staticdevice (id integer PRIMARY KEY, user_id integer, "
            "name varchar(64), confirmed boolean)"
        )
        cursor.execute(
            "INSERT INTO otp_static_staticdevice VALUES (3, %s, 'Backup codes', %s)",
            [user_id, True],
        )
        cursor.execute(
            "CREATE TABLE otp_static_statictoken (id integer PRIMARY KEY, device_id integer, "
            "token varchar(16))"
        )
        cursor.execute(
            "INSERT INTO otp_static_statictoken VALUES (1, 3, 'abcdefgh'), (2, 3, 'ijklmnop')"
        )


def test_devices_move_out_of_the_plaintext_tables(practitioner):
    legacy_tables(practitioner.pk)
    migration = importlib.import_module(f"waymark.accounts.migrations.{MIGRATION}")
    state = MigrationLoader(connection).project_state(("accounts", MIGRATION))
    migration.copy_devices(state.apps, SimpleNamespace(connection=connection))

    app = AuthenticatorApp.objects.get(user=practitioner)
    assert (app.key, app.name, app.confirmed, app.last_t) == (KEY, "Phone", True, 5)
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM accounts_authenticatorapp")
        assert KEY not in cursor.fetchone()[0]
        for table in ("otp_totp_totpdevice", "otp_static_staticdevice", "otp_static_statictoken"):
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
            assert cursor.fetchone()[0] == 0, table
    backup = BackupCodes.objects.get(user=practitioner)
    assert backup.codes.count() == 2
    # A moved backup code still signs in, once.
    assert two_factor_verify(user=practitioner, code="ABCD-EFGH") == backup
    assert backup.codes.count() == 1
