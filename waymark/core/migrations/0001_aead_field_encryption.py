"""Convert every encrypted value from the old Fernet format to AES-256-GCM bound to its table,
column and row (ADR 0011).

It runs the same resumable conversion as `waymark keys rotate`, one transaction per batch of
rows (so the migration itself is not atomic): if it is interrupted, run `migrate` again. Run
backwards, it writes the old format again, so the earlier migrations can be unapplied.
"""

from typing import Any

from django.db import migrations

from waymark.core.reencryption import encrypted_tables, table_reencrypt


def _convert(apps: Any, schema_editor: Any, *, legacy: bool) -> None:
    for table in encrypted_tables(apps.get_models()):
        table_reencrypt(schema_editor.connection, table, legacy=legacy, accept_legacy=True)


def forwards(apps: Any, schema_editor: Any) -> None:
    _convert(apps, schema_editor, legacy=False)


def backwards(apps: Any, schema_editor: Any) -> None:
    _convert(apps, schema_editor, legacy=True)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("concerns", "0005_link_per_c_concern"),
        ("contexts", "0003_peer_groups"),
        ("people", "0005_recording_is_not_reading"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=True)]
