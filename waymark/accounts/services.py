from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from waymark.audit.services import audit_record

from .models import Agency, Role, User


@transaction.atomic
def agency_create(*, actor: User | None, name: str, sector: str) -> Agency:
    agency = Agency(name=name.strip(), sector=sector)
    agency.full_clean()
    agency.save()
    audit_record(actor=actor, action="create", obj=agency, changed_fields=["name", "sector"])
    return agency


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    agency: Agency,
    role: str = Role.PRACTITIONER,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    job_title: str = "",
    check_password: bool = True,
) -> User:
    if role not in Role.values:
        raise ValidationError({"role": f"Choose a role from: {', '.join(Role.values)}"})
    user = User(
        username=username,
        agency=agency,
        role=role,
        first_name=first_name,
        last_name=last_name,
        email=email,
        job_title=job_title,
        is_staff=role == Role.ADMINISTRATOR,
    )
    if check_password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(
        actor=actor, action="create", obj=user, changed_fields=["username", "agency", "role"]
    )
    return user
