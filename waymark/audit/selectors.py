"""Reads of the audit log."""

from collections.abc import Iterator
from typing import Any

from .chain import CHAIN_FIELDS, ChainReport, chain_verify
from .models import AuditEvent
from .services import audit_key

CHAIN_CHUNK = 5000


def audit_event_chain_rows(
    *, chunk_size: int = CHAIN_CHUNK, after_id: int | None = None, upto_id: int | None = None
) -> Iterator[tuple[Any, ...]]:
    """Every event (or those with after_id < id <= upto_id) as a tuple of `CHAIN_FIELDS`, in id
    order, fetched a chunk at a time.

    On PostgreSQL this is a server-side cursor: one snapshot, taken when it opens, so events
    appended meanwhile are not half-seen.
    """
    events = AuditEvent.objects.all()
    if after_id is not None:
        events = events.filter(id__gt=after_id)
    if upto_id is not None:
        events = events.filter(id__lte=upto_id)
    return events.order_by("id").values_list(*CHAIN_FIELDS).iterator(chunk_size=chunk_size)


def audit_chain_verify(*, chunk_size: int = CHAIN_CHUNK) -> ChainReport:
    """Recompute every event's HMAC and link; the report names the first broken one.

    The chain alone: `waymark.audit.checkpoints.audit_trail_verify` also checks it against the
    signed checkpoints, which is what vouches for unkeyed events and for the log's length.
    """
    return chain_verify(audit_event_chain_rows(chunk_size=chunk_size), key=audit_key())
