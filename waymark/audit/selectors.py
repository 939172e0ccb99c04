"""Reads of the audit log."""

from collections.abc import Iterator
from typing import Any

from .chain import CHAIN_FIELDS, ChainReport, chain_verify
from .models import AuditEvent

CHAIN_CHUNK = 5000


def audit_event_chain_rows(*, chunk_size: int = CHAIN_CHUNK) -> Iterator[tuple[Any, ...]]:
    """Every event as a tuple of `CHAIN_FIELDS`, in id order, fetched a chunk at a time.

    On PostgreSQL this is a server-side cursor: one snapshot, taken when it opens, so events
    appended meanwhile are not half-seen.
    """
    return (
        AuditEvent.objects.order_by("id").values_list(*CHAIN_FIELDS).iterator(chunk_size=chunk_size)
    )


def audit_chain_verify(*, chunk_size: int = CHAIN_CHUNK) -> ChainReport:
    """Recompute every event's hash and link; the report names the first broken one."""
    return chain_verify(audit_event_chain_rows(chunk_size=chunk_size))
