"""Audit for API views: a read of personal data, with the endpoint that served it."""

from django.db.models import Model
from rest_framework.request import Request

from .services import audit_record


def audit_read(request: Request, obj: Model, *, what: str = "") -> None:
    """Log that the user read a record of personal data, and through which endpoint."""
    audit_record(
        actor=request.user,
        action="view",
        obj=obj,
        changed_fields=[what] if what else [],
        purpose=f"API {request.method} {request.path}"[:500],
    )
