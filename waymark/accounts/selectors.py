from typing import Any

from django.db.models import QuerySet

from .models import Agency


def agency_list_visible_to(*, user: Any) -> QuerySet[Agency]:
    """Agencies in the partnership. Their names are not personal data."""
    if not user.has_perm("accounts.view_agency"):
        return Agency.objects.none()
    return Agency.objects.all()
