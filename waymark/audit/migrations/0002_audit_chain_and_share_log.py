"""Hash-chain the audit log, and add the share log.

The hashes made here are unkeyed (version 1 of the canonical form in `waymark.audit.chain`):
the audit key came later, and the first signed checkpoint vouches for these events.

Events already in the log are chained here, oldest first, so `waymark audit verify` covers them
from now on (their hashes vouch for them only from the time this migration ran).
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from waymark.audit.chain import GENESIS_HASH, event_hash_unkeyed


def chain_existing_events(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    db = schema_editor.connection.alias
    prev_hash, batch = GENESIS_HASH, []
    for event in AuditEvent.objects.using(db).order_by("id").iterator(chunk_size=2000):
        event.prev_hash = prev_hash
        event.hash = prev_hash = event_hash_unkeyed(
            at=event.at,
            actor_id=event.actor_id,
            agency_id=event.agency_id,
            action=event.action,
            object_type=event.object_type,
            object_id=event.object_id,
            changed_fields=event.changed_fields,
            purpose=event.purpose,
            request_id=event.request_id,
            prev_hash=event.prev_hash,
        )
        batch.append(event)
        if len(batch) == 2000:
            AuditEvent.objects.using(db).bulk_update(batch, ["prev_hash", "hash"])
            batch = []
    if batch:
        AuditEvent.objects.using(db).bulk_update(batch, ["prev_hash", "hash"])


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
        ("audit", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(chain_existing_events, migrations.RunPython.noop, elidable=False),
        migrations.CreateModel(
            name="ShareRecord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ("shared_objects", models.JSONField(blank=True, default=list)),
                ("description", models.CharField(blank=True, max_length=500)),
                ("recipient_organisation", models.CharField(max_length=200)),
                ("recipient_person", models.CharField(blank=True, max_length=200)),
                ("purpose", models.CharField(max_length=500)),
                (
                    "lawful_basis",
                    models.CharField(
                        choices=[
                            ("art6_1_e", "UK GDPR Article 6(1)(e): public task"),
                            ("art6_1_c", "UK GDPR Article 6(1)(c): legal obligation"),
                            ("art6_1_d", "UK GDPR Article 6(1)(d): vital interests"),
                            (
                                "sch1_para18",
                                "UK GDPR Article 9(2)(g) with DPA 2018 Schedule 1 paragraph 18: "
                                "safeguarding of children and of individuals at risk",
                            ),
                            ("dpa_part3", "DPA 2018 Part 3: law enforcement processing"),
                            ("consent", "Consent"),
                        ],
                        max_length=40,
                    ),
                ),
                (
                    "agency",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.agency",
                    ),
                ),
                (
                    "shared_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"ordering": ["-at", "-id"]},
        ),
    ]
