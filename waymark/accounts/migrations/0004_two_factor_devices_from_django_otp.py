"""Move authenticator apps and backup codes out of django-otp's plaintext tables.

Earlier versions kept them in django-otp's otp_totp and otp_static apps, whose tables hold each
app's key and each backup code as plaintext. Each app is copied into AuthenticatorApp (its key
encrypted with the field keys) and each backup code into BackupCode (as a password hash); then
the plaintext rows are deleted. Those apps are no longer installed, so their tables are read
directly, and only where they exist (a database made since has none). The emptied tables are left
in place, as Django leaves the tables of any app that is removed.
"""

from django.contrib.auth.hashers import make_password
from django.db import migrations

from waymark.core.models import ids_allocate

TOTP_COLUMNS = ("id", "user_id", "name", "confirmed", "key", "step", "t0", "digits")
TOTP_COLUMNS += ("tolerance", "drift", "last_t")


def copy_devices(apps, schema_editor):
    connection = schema_editor.connection
    tables = set(connection.introspection.table_names())
    app_model = apps.get_model("accounts", "AuthenticatorApp")
    backup_model = apps.get_model("accounts", "BackupCodes")
    code_model = apps.get_model("accounts", "BackupCode")
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        if "otp_totp_totpdevice" in tables:
            cursor.execute(
                f"SELECT {', '.join(qn(c) for c in TOTP_COLUMNS)} FROM otp_totp_totpdevice"  # noqa: S608  # nosec B608 (fixed column names, quoted)
            )
            for row in cursor.fetchall():
                values = dict(zip(TOTP_COLUMNS, row, strict=True))
                # The key is encrypted for its row, so the row's id is allocated first (ADR 0011).
                values["id"] = ids_allocate(app_model, 1, using=connection.alias)[0]
                values["confirmed"] = bool(values["confirmed"])
                app_model.objects.create(**values)
            cursor.execute("DELETE FROM otp_totp_totpdevice")
        if "otp_static_staticdevice" in tables:
            cursor.execute("SELECT id, user_id, name, confirmed FROM otp_static_staticdevice")
            for device_id, user_id, name, confirmed in cursor.fetchall():
                backup = backup_model.objects.create(
                    user_id=user_id, name=name, confirmed=bool(confirmed)
                )
                cursor.execute(
                    "SELECT token FROM otp_static_statictoken WHERE device_id = %s", [device_id]
                )
                code_model.objects.bulk_create(
                    code_model(device=backup, code_hash=make_password(token.lower()))
                    for (token,) in cursor.fetchall()
                )
            cursor.execute("DELETE FROM otp_static_statictoken")
            cursor.execute("DELETE FROM otp_static_staticdevice")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_two_factor_devices_and_enrolment_codes")]

    operations = [migrations.RunPython(copy_devices, migrations.RunPython.noop)]
