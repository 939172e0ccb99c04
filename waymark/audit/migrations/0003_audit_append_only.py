"""Make the audit log append-only.

- Everywhere: at most one event may name a given predecessor, so the chain cannot fork.
- PostgreSQL: a trigger refuses UPDATE and DELETE of audit events, whichever role asks, with
  SQLSTATE 42501 (insufficient_privilege), the error a missing grant would give.

TRUNCATE is not blocked by the trigger. Django's `flush`, which the test suite runs between
transactional tests, empties every table with one TRUNCATE statement, and a TRUNCATE trigger would
break it. TRUNCATE needs the TRUNCATE privilege, which the table owner has: in production the
application role must not own the tables (docs/how-to/audit.md gives the grants).
"""

from django.db import migrations, models

FUNCTION = "waymark_audit_append_only"
TRIGGER = "audit_auditevent_append_only"


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("audit", "AuditEvent")._meta.db_table)
    schema_editor.execute(
        f"""
        CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION USING
                ERRCODE = 'insufficient_privilege',
                MESSAGE = format('%s on %s refused: audit events are append-only',
                                 TG_OP, TG_TABLE_NAME),
                HINT = 'Waymark audit events may be inserted and read, never changed or deleted.';
        END;
        $$
        """,
        None,  # no parameters: the % signs are PL/pgSQL's, not placeholders
    )
    schema_editor.execute(
        f"CREATE TRIGGER {TRIGGER} BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()"
    )


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("audit", "AuditEvent")._meta.db_table)
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {table}")
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


class Migration(migrations.Migration):

    dependencies = [("audit", "0002_audit_chain_and_share_log")]

    operations = [
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(
                fields=("prev_hash",), name="audit_event_one_successor"
            ),
        ),
        migrations.RunPython(create_trigger, drop_trigger, elidable=False),
    ]
