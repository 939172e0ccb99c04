"""Refused access: a signed-in user asking for a record they may not see (ADR 0005).

The record views and API views call `access_refused` where they answer 403 or 404 for a record
that is not visible to the user, with the type and the reference or id that was asked for (never
whether such a record exists). Those answers usually come from an exception, which rolls the
request's transaction back, so `RefusedAccessAuditMiddleware` collects the refusals and writes
them as `refused` events once the response is complete, in a transaction of their own; with no
request (a test calling a view helper directly) the event is written at once.
"""

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse

from waymark.audit.services import PendingEvent, audit_record_events

_refusals: contextvars.ContextVar[list[PendingEvent] | None] = contextvars.ContextVar(
    "refused_access", default=None
)


def access_refused(request: Any, *, object_type: str, object_id: Any) -> None:
    """Record that `request.user` asked for this record and was refused.

    `request` is a Django or a DRF request. Anonymous requests are not recorded: they never reach
    a record view (they are sent to sign in).
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return
    event = PendingEvent(
        actor=user,
        action="refused",
        object_type=object_type,
        object_id=str(object_id)[:40],
        purpose=f"{request.method} {request.path}"[:500],
    )
    pending = _refusals.get()
    if pending is None:
        audit_record_events(events=[event])
    else:
        pending.append(event)


class RefusedAccessAuditMiddleware:
    """Writes the refusals of each response after the view's transaction has ended."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        pending: list[PendingEvent] = []
        token = _refusals.set(pending)
        try:
            response = self.get_response(request)
        finally:
            _refusals.reset(token)
        audit_record_events(events=pending)
        return response


@contextmanager
def refused_as(request: Any, object_type: str, object_id: Any) -> Iterator[None]:
    """`with refused_as(request, "people.youngperson", ref): get_or_404(...)` records a 404."""
    try:
        yield
    except Http404:
        access_refused(request, object_type=object_type, object_id=object_id)
        raise
