"""Audit for API views: a read of personal data, with the endpoint that served it."""

from typing import Any

from django.db.models import Model
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request

from .models import AuditAction
from .reads import audit_reads
from .services import audit_record_many


def audit_read(request: Request, obj: Model, *, what: str = "") -> None:
    """Log that the user read a record of personal data, and through which endpoint: once per
    response, however often the response reads it (`waymark.audit.reads`)."""
    audit_reads(
        actor=request.user,
        objs=[obj],
        what=what,
        purpose=f"API {request.method} {request.path}"[:500],
    )


class AuditedListMixin(GenericAPIView):
    """For API lists of personal data: every page written to the audit trail, one event per
    record on it, so a list is read as surely as a record is.

    Only the list itself is audited here (a viewset's `list` action, or a list view); an
    action that pages something else audits what it reads on its own.
    """

    def audit_list_action(self) -> str:
        return AuditAction.VIEW

    def paginate_queryset(self, queryset: Any) -> list[Any] | None:
        page = super().paginate_queryset(queryset)
        if page is not None and getattr(self, "action", "list") == "list":
            audit_record_many(
                actor=self.request.user,
                action=self.audit_list_action(),
                objs=page,
                # The path, never the query string: a search may carry a name.
                purpose=f"API {self.request.method} {self.request.path}"[:500],
            )
        return page
