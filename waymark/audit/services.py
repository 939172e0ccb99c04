"""Writing audit events. Services call these inside their own transaction, whoever called them."""

from collections.abc import Iterable
from typing import Any

from django.db import models

from waymark.core.middleware import current_request_id

from .models import AuditEvent


def _object_type(obj: models.Model) -> str:
    return obj._meta.label_lower


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    changed_fields: Iterable[str] = (),
    purpose: str = "",
) -> AuditEvent:
    if obj is not None:
        object_type = _object_type(obj)
        object_id = str(obj.pk)
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=user,
        agency_id=getattr(user, "agency_id", None),
        action=action,
        object_type=object_type,
        object_id=object_id,
        changed_fields=sorted(changed_fields),
        purpose=purpose,
        request_id=current_request_id(),
    )


def audit_record_many(
    *, actor: Any, action: str, objs: Iterable[models.Model], purpose: str = ""
) -> None:
    """One event per object, written in one statement (used by bulk loads and searches)."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    rid = current_request_id()
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor=user,
                agency_id=getattr(user, "agency_id", None),
                action=action,
                object_type=_object_type(o),
                object_id=str(o.pk),
                purpose=purpose,
                request_id=rid,
            )
            for o in objs
        ],
        batch_size=1000,
    )
