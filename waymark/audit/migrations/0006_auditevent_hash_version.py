"""Keyed hashes: each event says which canonical form its hash uses.

The events already in the log have unkeyed (version 1) hashes: adding the column with a default
of 1 marks them so without updating a row (PostgreSQL fills it in from the column default, and
the append-only trigger, which fires on UPDATE, is not involved). New events default to 2.

Then, if there were any, one keyed event is appended: the marker (`waymark.audit.chain.
KEYED_MARKER_TYPE`), which says how many unkeyed events come before it and names the newest by
its hash. Unkeyed hashes can be recomputed by anyone, so a log rewritten with them would look
sound; the marker cannot be made without the audit key, and it pins the unkeyed events as they
were when keyed hashes began. The first checkpoint anchors unkeyed events only behind a marker.
"""

from django.db import migrations, models
from django.utils import timezone

from waymark.audit.chain import HASH_VERSION, KEYED_MARKER_TYPE, event_hash, keyed_marker_purpose


def mark_where_keyed_hashes_begin(apps, schema_editor):
    # Imported here: the services read the key from the settings.
    from waymark.audit.services import audit_key

    event_model = apps.get_model("audit", "AuditEvent")
    db = schema_editor.connection.alias
    unkeyed = event_model.objects.using(db).count()
    if not unkeyed:
        return
    head = event_model.objects.using(db).order_by("-id").values_list("hash", flat=True).first()
    fields = {
        "at": timezone.now(),
        "actor_id": None,
        "agency_id": None,
        "action": "update",
        "object_type": KEYED_MARKER_TYPE,
        "object_id": str(unkeyed),
        "changed_fields": [],
        "purpose": keyed_marker_purpose(unkeyed),
        "request_id": "",
        "prev_hash": head,
    }
    event_model.objects.using(db).create(
        **fields, hash_version=HASH_VERSION, hash=event_hash(key=audit_key(), **fields)
    )


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_auth_event_actions")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="hash_version",
            field=models.PositiveSmallIntegerField(default=1, editable=False),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="hash_version",
            field=models.PositiveSmallIntegerField(default=2, editable=False),
        ),
        migrations.RunPython(mark_where_keyed_hashes_begin, migrations.RunPython.noop),
    ]
