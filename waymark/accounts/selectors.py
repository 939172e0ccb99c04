from django.db.models import QuerySet

from .models import Agency, Role, User
from .types import Actor


def agency_list_visible_to(*, user: Actor) -> QuerySet[Agency]:
    """Agencies in the partnership. Their names are not personal data."""
    if not user.has_perm("accounts.view_agency"):
        return Agency.objects.none()
    return Agency.objects.all()


def user_active_in_agency(*, agency: Agency, username: str) -> User | None:
    """An active user of the agency, by username: for allocating a worker."""
    return User.objects.filter(username=username.strip(), agency=agency, is_active=True).first()


def enrolment_code_users_for(*, user: Actor) -> QuerySet[User]:
    """The users `user` may issue enrolment codes for (ADR 0005).

    Administrators: any active user. Managers: the active users of their own agency, other than
    administrators. Never themselves, so that a password alone can never vouch for itself.
    """
    if not user.is_authenticated:
        return User.objects.none()
    users = User.objects.filter(is_active=True).exclude(pk=user.pk)
    if user.has_perm("accounts.add_all_enrolmentcode"):
        return users
    agency_id = getattr(user, "agency_id", None)
    if user.has_perm("accounts.add_agency_enrolmentcode") and agency_id is not None:
        return users.filter(agency_id=agency_id).exclude(role=Role.ADMINISTRATOR)
    return User.objects.none()
