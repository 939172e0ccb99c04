from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django_otp import devices_for_user, user_has_device, verify_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

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


# --- Two-factor authentication (ADR 0005) --------------------------------------------------------
#
# Checking a code writes to the device (its throttle count and the last time step used), and those
# writes must stand when the code is wrong, so these functions never raise inside their own
# transaction: django-otp commits the check, and the ValidationError comes after.

BACKUP_CODE_COUNT = 10
WRONG_CODE = "The code is not right. Enter the code your authenticator app shows now."
TOO_MANY_CODES = "You have entered too many wrong codes. Wait a minute, then try again."


def two_factor_enrolment_start(*, user: User) -> TOTPDevice:
    """The user's authenticator app waiting to be confirmed, made now if there is none yet.

    Showing the set-up page again shows the same secret, so a scan already made still works.
    """
    if user_has_device(user, confirmed=True):
        raise ValidationError("Two-factor authentication is already set up for this account.")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def two_factor_enrolment_confirm(*, user: User, device: TOTPDevice, code: str) -> list[str]:
    """Confirm the authenticator app with a code it shows; returns new one-use backup codes."""
    if device.user_id != user.pk or device.confirmed:
        raise ValidationError({"code": "Start setting up two-factor authentication again."})
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        raise ValidationError({"code": TOO_MANY_CODES})
    if not device.verify_token(_normalise_code(code)):
        raise ValidationError({"code": WRONG_CODE})
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        StaticDevice.objects.filter(user=user).delete()
        backup = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
        codes = [_backup_code() for _ in range(BACKUP_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=backup, token=c) for c in codes)
        audit_record(actor=user, action="create", obj=device, changed_fields=["confirmed"])
        audit_record(actor=user, action="create", obj=backup, changed_fields=["token_set"])
    return codes


def two_factor_verify(*, user: User, code: str) -> Device:
    """The confirmed device that accepts the code: the authenticator app, or a backup code.

    Six digits go to the authenticator app, anything else to the backup codes, so that a backup
    code never counts as a wrong code against the app (or the other way round).
    """
    token = _normalise_code(code)
    kind = TOTPDevice if token.isdigit() else StaticDevice
    devices = [d for d in devices_for_user(user, confirmed=True) if isinstance(d, kind)]
    throttled = False
    for device in devices:
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            throttled = True
            continue
        verified = verify_token(user, device.persistent_id, token)
        if verified is not None:
            return verified
    raise ValidationError({"code": TOO_MANY_CODES if throttled else WRONG_CODE})


def _backup_code() -> str:
    # Letters as well as digits, so that a backup code is never taken for an app's code.
    while (code := StaticToken.random_token()).isdigit():
        pass
    return code


def _normalise_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()
