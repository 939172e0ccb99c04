from django.db.models import QuerySet

from .models import AuditEvent


def audit_events_for(*, object_type: str, object_id: str) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(object_type=object_type, object_id=object_id).select_related(
        "actor", "agency"
    )
