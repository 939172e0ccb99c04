"""Tampering with the audit table as someone with direct database access would."""

from typing import Any

from django.db import connection

from waymark.audit.chain import GENESIS_HASH, event_hash, event_hash_unkeyed
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


def rehash(*, key: bytes | None, from_id: int | None = None, upto_id: int | None = None) -> None:
    """Recompute every hash and link from `from_id` (or the first event) on, up to `upto_id` (or
    the last), as someone with the database but not the audit key would: HMAC under `key`, or
    plain SHA-256 (version 1)."""
    rows = list(AuditEvent.objects.order_by("id"))
    if upto_id is not None:
        rows = [row for row in rows if row.pk <= upto_id]
    prev_hash = GENESIS_HASH
    for row in rows:
        if from_id is None or row.pk >= from_id:
            fields = {
                "at": row.at,
                "actor_id": row.actor_id,
                "agency_id": row.agency_id,
                "action": row.action,
                "object_type": row.object_type,
                "object_id": row.object_id,
                "changed_fields": row.changed_fields,
                "purpose": row.purpose,
                "request_id": row.request_id,
                "prev_hash": prev_hash,
            }
            version = 1 if key is None else 2
            new_hash = (
                event_hash_unkeyed(**fields) if key is None else event_hash(key=key, **fields)
            )
            tamper(
                f"UPDATE {TABLE} SET prev_hash = %s, hash = %s, hash_version = %s WHERE id = %s",  # noqa: S608
                [prev_hash, new_hash, version, row.pk],
            )
            prev_hash = new_hash
        else:
            prev_hash = row.hash
