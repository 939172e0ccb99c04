"""Reads of personal data, written to the audit trail once per object per response.

A page or an API response may show the same child several times (a heading, a list of links, a
peer map) and may reach the same record through several paths. Whatever shows a record calls
`audit_reads`; while a request is being answered, `AuditReadMiddleware` collects those reads and,
once the response is complete, writes one event per object read, for the web and the API alike.
With no request (the command line, an import, a test calling a selector) each read is written
at once.

A read's event is written after the view's own transaction: the view has finished, and nothing
has yet reached the user. If the write fails the response becomes a server error, so nothing
read goes unrecorded.
"""

import contextvars
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from django.db import models
from django.http import HttpRequest, HttpResponse

from .models import AuditAction
from .services import PendingEvent, audit_record_events

if TYPE_CHECKING:  # annotations only: accounts sits above audit
    from waymark.accounts.types import Actor

READ_ACTIONS = frozenset({AuditAction.VIEW, AuditAction.SEARCH})


class ReadCollector:
    """The reads made while answering one request, one per (reader, object), in first-read
    order. A later read of the same object adds what it read (`changed_fields`), and its purpose
    if the first read gave none, but no event."""

    def __init__(self) -> None:
        self.reads: dict[tuple[int | None, str, str], PendingEvent] = {}

    def add(self, event: PendingEvent) -> None:
        key = (getattr(event.actor, "pk", None), event.object_type, event.object_id)
        seen = self.reads.get(key)
        if seen is None:
            self.reads[key] = event
        else:
            seen.changed_fields |= event.changed_fields
            seen.purpose = seen.purpose or event.purpose

    def flush(self) -> None:
        events, self.reads = list(self.reads.values()), {}
        audit_record_events(events=events)


_collector: contextvars.ContextVar[ReadCollector | None] = contextvars.ContextVar(
    "audit_read_collector", default=None
)


def audit_reads(
    *,
    actor: "Actor | None",
    objs: Iterable[models.Model],
    action: str = AuditAction.VIEW,
    what: str = "",
    purpose: str = "",
) -> None:
    """Record that the actor read these records of personal data (`what`: which part of them,
    e.g. "flags"). Collected for the response when there is one, written at once otherwise."""
    if action not in READ_ACTIONS:
        raise ValueError(f"Not a read: {action!r}. Writes are audited by their service.")
    events = [
        PendingEvent(
            actor=actor,
            action=action,
            object_type=o._meta.label_lower,
            object_id=str(o.pk),
            changed_fields={what} if what else set(),
            purpose=purpose,
        )
        for o in objs
    ]
    collector = _collector.get()
    if collector is None:
        audit_record_events(events=events)
        return
    for event in events:
        collector.add(event)


@contextmanager
def reads_collected() -> Iterator[ReadCollector]:
    """Collect the reads made inside the block and write them, once each, at its end. Nothing is
    written if the block fails: what failed was never shown."""
    collector = ReadCollector()
    token = _collector.set(collector)
    try:
        yield collector
    finally:
        _collector.reset(token)
    collector.flush()


class AuditReadMiddleware:
    """Writes the reads of each response once per object. Sits inside `RequestIdMiddleware`, so
    the events carry the request's id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with reads_collected():
            response = self.get_response(request)
        return response
