import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_otp import devices_for_user, user_has_device
from django_otp.models import Device

from waymark.audit.services import PendingEvent, audit_record, audit_record_events

from .models import Agency, AuthenticatorApp, BackupCode, BackupCodes, EnrolmentCode, Role, User
from .selectors import enrolment_code_users_for
from .tokens import api_token_revoke_all_of


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
# Checking a code writes to the device and the user (throttle counts, the last time step used) and
# to the audit trail, and those writes must stand when the code is wrong, so these functions never
# raise inside their own transaction: the check commits, and the ValidationError comes after.

BACKUP_CODE_COUNT = 10
WRONG_CODE = "The code is not right. Enter the code your authenticator app shows now."
TOO_MANY_CODES = "You have entered too many wrong codes. Wait a minute, then try again."
LOCKED_OUT = (
    "You have entered too many wrong codes. Wait {minutes} minutes, then try again, "
    "or ask your administrator."
)
ALREADY_SET_UP = "Two-factor authentication is already set up for this account."
ENROLMENT_CODE_LIFETIME = timedelta(hours=72)
ENROLMENT_CODE_WRONG = (
    "The enrolment code is not right. Check it with the person who gave it to you."
)
ENROLMENT_CODE_EXPIRED = "This enrolment code has expired. Ask your administrator for a new one."
ENROLMENT_CODE_USED = (
    "This enrolment code has already been used. Ask your administrator for a new one."
)
# Letters and digits that cannot be mistaken for one another when read out or typed.
ENROLMENT_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
ENROLMENT_CODE_LENGTH = 12  # 60 bits


def two_factor_locked(*, user: User) -> bool:
    """Whether the user has given too many wrong codes and the cool-off has not yet passed."""
    failed_at = user.two_factor_failed_at
    return (
        user.two_factor_failures >= settings.WAYMARK_2FA_FAILURE_LIMIT
        and failed_at is not None
        and timezone.now() < failed_at + settings.WAYMARK_2FA_COOLOFF
    )


def _locked_out_error() -> ValidationError:
    minutes = max(1, round(settings.WAYMARK_2FA_COOLOFF.total_seconds() / 60))
    return ValidationError({"code": LOCKED_OUT.format(minutes=minutes)})


def _lock_user(user: User) -> User:
    """The user's row, locked until the transaction ends, so parallel guesses count one by one."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    user.two_factor_failures = locked.two_factor_failures
    user.two_factor_failed_at = locked.two_factor_failed_at
    return user


def _two_factor_failed(*, user: User, purpose: str) -> None:
    """Count a wrong code against the user (whatever the device) and audit it; lock at the limit.

    The count is cleared only by a right code, so once the limit is reached each cool-off allows
    a single further try.
    """
    user.two_factor_failures += 1
    user.two_factor_failed_at = timezone.now()
    user.save(update_fields=["two_factor_failures", "two_factor_failed_at"])
    audit_record(actor=user, action="2fa_failed", obj=user, purpose=purpose)
    if user.two_factor_failures >= settings.WAYMARK_2FA_FAILURE_LIMIT:
        audit_record(
            actor=user, action="locked_out", obj=user, purpose="too many wrong two-factor codes"
        )


def _two_factor_succeeded(user: User) -> None:
    if user.two_factor_failures:
        user.two_factor_failures = 0
        user.save(update_fields=["two_factor_failures"])


def two_factor_verify(*, user: User, code: str, channel: str = "web") -> Device:
    """The confirmed device that accepts the code: the authenticator app, or a backup code.

    Used by the web's two-factor step and by /api/token/ (`channel` says which in the audit trail).
    Six digits go to the authenticator app, anything else to the backup codes, so that a backup
    code never counts as a wrong code against the app (or the other way round). Every wrong code
    is audited as `2fa_failed` and counted against the user across all their devices; past
    WAYMARK_2FA_FAILURE_LIMIT even the right code is refused until the cool-off has passed.
    """
    token = _normalise_code(code)
    kind: type[Device] = AuthenticatorApp if token.isdigit() else BackupCodes
    error: ValidationError
    with transaction.atomic():
        _lock_user(user)
        if two_factor_locked(user=user):
            audit_record(
                actor=user,
                action="2fa_failed",
                obj=user,
                purpose=f"{channel}: refused, too many wrong codes",
            )
            error = _locked_out_error()
        else:
            devices = [d for d in devices_for_user(user, confirmed=True) if isinstance(d, kind)]
            throttled = False
            for device in devices:
                allowed, _ = device.verify_is_allowed()
                if not allowed:
                    throttled = True
                    continue
                if device.verify_token(token):
                    _two_factor_succeeded(user)
                    return device
            _two_factor_failed(user=user, purpose=f"{channel}: wrong code")
            error = ValidationError({"code": TOO_MANY_CODES if throttled else WRONG_CODE})
            if two_factor_locked(user=user):
                error = _locked_out_error()
    raise error


# --- Enrolment: setting up the first authenticator app ----------------------------------------------


def _normalise_enrolment_code(code: str) -> str:
    return "".join(c for c in code.upper() if c.isalnum())


def enrolment_code_issue(*, actor: User | None, user: User) -> str:
    """A new one-use enrolment code for `user`, valid for ENROLMENT_CODE_LIFETIME; returns it.

    Only its hash is kept, so this is the one time it can be shown. Issuing a code cancels the
    user's earlier unused ones. `actor` None is the command line (an operator of the server).
    """
    if actor is not None and not enrolment_code_users_for(user=actor).filter(pk=user.pk).exists():
        raise ValidationError(
            {
                "user": f"You may not issue an enrolment code for {user.username}: managers "
                "issue them for the other users of their own agency, except administrators."
            }
        )
    if not user.is_active:
        raise ValidationError(
            {"user": f"{user.username} cannot sign in: the account is not active."}
        )
    if user_has_device(user, confirmed=True):
        raise ValidationError(
            {"user": f"{user.username} has already set up two-factor authentication."}
        )
    raw = "".join(secrets.choice(ENROLMENT_CODE_ALPHABET) for _ in range(ENROLMENT_CODE_LENGTH))
    now = timezone.now()
    with transaction.atomic():
        earlier = list(
            EnrolmentCode.objects.filter(user=user, used_at__isnull=True, expires_at__gt=now)
        )
        EnrolmentCode.objects.filter(pk__in=[c.pk for c in earlier]).update(expires_at=now)
        enrolment = EnrolmentCode.objects.create(
            user=user,
            code_hash=make_password(raw),
            issued_by=actor,
            created_at=now,
            expires_at=now + ENROLMENT_CODE_LIFETIME,
        )
        audit_record_events(
            events=[
                PendingEvent(
                    actor=actor,
                    action="update",
                    object_type="accounts.enrolmentcode",
                    object_id=str(c.pk),
                    changed_fields={"expires_at"},
                    purpose="replaced by a new code",
                )
                for c in earlier
            ]
        )
        audit_record(
            actor=actor,
            action="create",
            obj=enrolment,
            changed_fields=["user", "expires_at"],
            purpose=f"enrolment code for user {user.pk}",
        )
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


@transaction.atomic
def two_factor_reset(*, actor: User | None, user: User) -> int:
    """Remove the user's authenticator apps and backup codes (a lost phone); returns how many.

    The user can then set up a new app only with a new enrolment code. Their API tokens are
    revoked too: one may have been on the lost device.
    """
    api_token_revoke_all_of(actor=actor, user=user, purpose="two-factor reset")
    devices: list[Device] = [
        *AuthenticatorApp.objects.filter(user=user),
        *BackupCodes.objects.filter(user=user),
    ]
    for device in devices:
        audit_record(actor=actor, action="delete", obj=device, purpose="two-factor reset")
        device.delete()
    return len(devices)


def enrolment_codes_expire(*, now: datetime | None = None) -> int:
    """Delete enrolment codes that have expired or been used; returns how many went.

    A step of `waymark maintenance`: a used or expired code can do nothing, and its hash is one
    more thing to keep. Each deletion is audited.
    """
    lapsed = Q(expires_at__lte=now or timezone.now()) | Q(used_at__isnull=False)
    with transaction.atomic():
        gone = list(
            EnrolmentCode.objects.filter(lapsed).order_by("pk").values_list("pk", flat=True)
        )
        EnrolmentCode.objects.filter(pk__in=gone).delete()
        audit_record_events(
            events=[
                PendingEvent(
                    actor=None,
                    action="delete",
                    object_type="accounts.enrolmentcode",
                    object_id=str(pk),
                    purpose="expired or used",
                )
                for pk in gone
            ]
        )
    return len(gone)


def _enrolment_code_find(user: User, raw: str) -> tuple[EnrolmentCode | None, str]:
    """The user's code that matches, and what is wrong with it ("" when it can be used)."""
    if len(raw) == ENROLMENT_CODE_LENGTH:
        for enrolment in EnrolmentCode.objects.filter(user=user).order_by("-created_at"):
            if enrolment.matches(raw):
                if enrolment.used_at is not None:
                    return enrolment, ENROLMENT_CODE_USED
                if enrolment.expires_at <= timezone.now():
                    return enrolment, ENROLMENT_CODE_EXPIRED
                return enrolment, ""
    return None, ENROLMENT_CODE_WRONG


def two_factor_enrolment_start(*, user: User, enrolment_code: str) -> AuthenticatorApp:
    """Redeem an enrolment code and make the authenticator app to be confirmed.

    The code is used up here: the app's key is shown only to the session that gave the code. An
    invalid, expired or used code is refused, audited (`refused`) and counted as a wrong
    two-factor code.
    """
    if user_has_device(user, confirmed=True):
        raise ValidationError({"enrolment_code": ALREADY_SET_UP})
    raw = _normalise_enrolment_code(enrolment_code)
    with transaction.atomic():
        _lock_user(user)
        if two_factor_locked(user=user):
            audit_record(
                actor=user,
                action="refused",
                object_type="accounts.enrolmentcode",
                purpose="enrolment code refused: too many wrong codes",
            )
            error = _locked_out_error()
        else:
            enrolment, problem = _enrolment_code_find(user, raw)
            if not problem and enrolment is not None:
                enrolment.used_at = timezone.now()
                enrolment.save(update_fields=["used_at"])
                AuthenticatorApp.objects.filter(user=user, confirmed=False).delete()
                device = AuthenticatorApp.objects.create(
                    user=user, name="Authenticator app", confirmed=False
                )
                _two_factor_succeeded(user)
                audit_record(actor=user, action="update", obj=enrolment, changed_fields=["used_at"])
                return device
            audit_record(
                actor=user,
                action="refused",
                object_type="accounts.enrolmentcode",
                object_id=str(enrolment.pk) if enrolment else "",
                purpose=f"enrolment code refused: {problem.split('.')[0].lower()}",
            )
            _two_factor_failed(user=user, purpose="wrong enrolment code")
            error = ValidationError({"enrolment_code": problem})
            if two_factor_locked(user=user):
                error = ValidationError({"enrolment_code": _locked_out_error().messages})
    raise error


def two_factor_enrolment_confirm(*, user: User, device: AuthenticatorApp, code: str) -> list[str]:
    """Confirm the authenticator app with a code it shows; returns new one-use backup codes."""
    if device.user_id != user.pk or device.confirmed:
        raise ValidationError({"code": "Start setting up two-factor authentication again."})
    error: ValidationError
    with transaction.atomic():
        _lock_user(user)
        allowed, _ = device.verify_is_allowed()
        if two_factor_locked(user=user):
            audit_record(
                actor=user, action="2fa_failed", obj=user, purpose="enrolment: refused, too many"
            )
            error = _locked_out_error()
        elif not allowed:
            error = ValidationError({"code": TOO_MANY_CODES})
        elif not device.verify_token(_normalise_code(code)):
            _two_factor_failed(user=user, purpose="enrolment: wrong code")
            error = ValidationError({"code": WRONG_CODE})
        else:
            _two_factor_succeeded(user)
            return _two_factor_enrolment_finish(user=user, device=device)
    raise error


def _two_factor_enrolment_finish(*, user: User, device: AuthenticatorApp) -> list[str]:
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    AuthenticatorApp.objects.filter(user=user, confirmed=False).delete()
    BackupCodes.objects.filter(user=user).delete()
    backup = BackupCodes.objects.create(user=user, name="Backup codes", confirmed=True)
    codes = [_backup_code() for _ in range(BACKUP_CODE_COUNT)]
    BackupCode.objects.bulk_create(
        BackupCode(device=backup, code_hash=make_password(c)) for c in codes
    )
    audit_record(actor=user, action="create", obj=device, changed_fields=["confirmed"])
    audit_record(actor=user, action="create", obj=backup, changed_fields=["codes"])
    return codes


def _backup_code() -> str:
    # Eight letters and digits (40 bits), never all digits, so never taken for an app's code.
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    while (code := "".join(secrets.choice(alphabet) for _ in range(8))).isdigit():
        pass
    return code


def _normalise_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()
