"""Keyed hashes: each event says which canonical form its hash uses.

The events already in the log have unkeyed (version 1) hashes: adding the column with a default
of 1 marks them so without updating a row (PostgreSQL fills it in from the column default, and
the append-only trigger, which fires on UPDATE, is not involved). New events default to 2.
"""

from django.db import migrations, models


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
    ]
