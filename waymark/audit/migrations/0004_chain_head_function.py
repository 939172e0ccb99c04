"""PostgreSQL: take the chain lock and read the chain head in one round trip.

The function is VOLATILE, so its second statement runs with a fresh snapshot taken after the lock
is granted: a writer that waited for the lock reads the head its predecessor committed. (A single
SELECT of the lock and the head would read with the snapshot taken before it waited, and could
fork the chain.)
"""

from django.db import migrations

LOCK = 0x5741594D41524B01  # written out in CREATE below

CREATE = """
CREATE OR REPLACE FUNCTION waymark_audit_lock_head() RETURNS varchar AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(6287404743129189121);
    RETURN (SELECT hash FROM audit_auditevent ORDER BY id DESC LIMIT 1);
END;
$$ LANGUAGE plpgsql VOLATILE;
"""
DROP = "DROP FUNCTION IF EXISTS waymark_audit_lock_head();"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_audit_append_only")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
