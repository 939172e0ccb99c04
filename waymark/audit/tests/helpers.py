"""Tampering with the audit table as someone with direct database access would."""

from typing import Any

from django.db import connection

from waymark.audit.models import AuditEvent

TABLE = AuditEvent._meta.db_table
TRIGGER = "audit_auditevent_append_only"


def tamper(sql: str, params: list[Any] | None = None) -> None:
    """Run raw SQL on the audit table, past the PostgreSQL trigger as its owner could.

    Call it inside the test's transaction: on PostgreSQL, disabling the trigger is rolled back
    with everything else.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # ALTER TABLE refuses while deferred foreign-key checks are queued: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER {TRIGGER}")
        cursor.execute(sql, params or [])
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER {TRIGGER}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
