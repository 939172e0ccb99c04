from django.db.models import QuerySet

from .models import Agency, User
from .types import Actor


def agency_list_visible_to(*, user: Actor) -> QuerySet[Agency]:
    """Agencies in the partnership. Their names are not personal data."""
    if not user.has_perm("accounts.view_agency"):
        return Agency.objects.none()
    return Agency.objects.all()


def user_active_in_agency(*, agency: Agency, username: str) -> User | None:
    """An active user of the agency, by username: for allocating a worker."""
    return User.objects.filter(username=username.strip(), agency=agency, is_active=True).first()
