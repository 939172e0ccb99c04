import time
from base64 import b32encode
from binascii import unhexlify
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django_otp.models import Device, DeviceManager, ThrottlingMixin, TimestampMixin
from django_otp.oath import TOTP
from django_otp.util import hex_validator, random_hex

from waymark.core.fields import EncryptedCharField
from waymark.core.models import EncryptedModel, EncryptedQuerySet, TimeStampedModel


class Sector(models.TextChoices):
    CHILDRENS_SOCIAL_CARE = "childrens_social_care", "Children's social care"
    POLICE = "police", "Police"
    EDUCATION = "education", "Education"
    HEALTH = "health", "Health"
    YOUTH_SERVICE = "youth_service", "Youth service"
    COMMUNITY_SAFETY = "community_safety", "Community safety"
    HOUSING = "housing", "Housing"
    TRANSPORT = "transport", "Transport"
    VOLUNTARY = "voluntary", "Voluntary and community"
    BUSINESS = "business", "Business"


class Agency(TimeStampedModel):
    name = models.CharField(max_length=200, unique=True)
    sector = models.CharField(max_length=40, choices=Sector.choices)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner"
    MANAGER = "manager", "Manager"
    ANALYST = "analyst", "Analyst"
    PANEL_CHAIR = "panel_chair", "Panel chair"
    ADMINISTRATOR = "administrator", "Administrator"


class User(AbstractUser):  # type: ignore[django-manager-missing]  # django-otp is untyped
    """A worker in one agency. What they may see follows from their role and their agency."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, related_name="users")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PRACTITIONER)
    job_title = models.CharField(max_length=120, blank=True)
    # Wrong two-factor codes in a row across all of the user's devices (ADR 0005): enough of them
    # refuse every code, even the right one, until the cool-off has passed.
    two_factor_failures = models.PositiveSmallIntegerField(default=0, editable=False)
    two_factor_failed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


# --- Two-factor devices (ADR 0005) ---------------------------------------------------------------
#
# Waymark's own django-otp devices, so that nothing a raw read of the database finds can pass the
# second factor: the authenticator app's key is encrypted with the field keys, and backup codes and
# enrolment codes are kept only as password hashes.


def authenticator_key() -> str:
    return random_hex(20)


def authenticator_key_validator(value: str) -> None:
    hex_validator()(value)


class AuthenticatorAppManager(DeviceManager.from_queryset(EncryptedQuerySet)):  # type: ignore[misc]
    """django-otp's device manager, allocating ids ahead like every encrypted record."""


class AuthenticatorApp(TimestampMixin, ThrottlingMixin, EncryptedModel, Device):
    """An authenticator app (TOTP, RFC 6238), checked as django-otp's TOTPDevice checks it.

    Codes one 30-second step either side of now are accepted; the step of the last accepted code
    is kept, so a code is never accepted twice; the drift of the phone's clock is learned. Its
    secret is encrypted for its row, so a copy of the table gives no usable secret.
    """

    objects = AuthenticatorAppManager()  # type: ignore[misc]

    key = EncryptedCharField(
        max_length=80,
        validators=[authenticator_key_validator],
        default=authenticator_key,
        editable=False,
    )
    # django-otp has no type hints, so mypy cannot see that these are model fields.
    step: "models.PositiveSmallIntegerField[int, int]" = models.PositiveSmallIntegerField(
        default=30
    )
    t0: "models.BigIntegerField[int, int]" = models.BigIntegerField(default=0)
    digits: "models.PositiveSmallIntegerField[int, int]" = models.PositiveSmallIntegerField(
        choices=[(6, 6), (8, 8)], default=6
    )
    tolerance: "models.PositiveSmallIntegerField[int, int]" = models.PositiveSmallIntegerField(
        default=1
    )
    drift: "models.SmallIntegerField[int, int]" = models.SmallIntegerField(default=0)
    last_t: "models.BigIntegerField[int, int]" = models.BigIntegerField(default=-1)

    class Meta(Device.Meta):
        verbose_name = "authenticator app"

    @property
    def bin_key(self) -> bytes:
        return unhexlify(self.key.encode())

    def verify_token(self, token: str) -> bool:
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        try:
            value = int(token)
        except (TypeError, ValueError):
            verified = False
        else:
            totp = TOTP(self.bin_key, self.step, self.t0, self.digits, self.drift)
            totp.time = time.time()
            verified = totp.verify(value, self.tolerance, self.last_t + 1)
            if verified:
                self.last_t = totp.t()
                self.drift = totp.drift
                self.throttle_reset(commit=False)
                self.set_last_used_timestamp(commit=False)
                self.save()
        if not verified:
            self.throttle_increment(commit=True)
        return verified

    def get_throttle_factor(self) -> int:
        return 1

    @property
    def config_url(self) -> str:
        """The otpauth:// link an authenticator app reads from the QR code."""
        issuer = str(getattr(settings, "OTP_TOTP_ISSUER", "Waymark")).replace(":", "")
        label = f"{issuer}:{self.user.get_username()}"
        params = urlencode(
            {
                "secret": b32encode(self.bin_key),
                "algorithm": "SHA1",
                "digits": self.digits,
                "period": self.step,
            }
        )
        return f"otpauth://totp/{quote(label)}?{params}&issuer={quote(issuer)}"


class BackupCodes(ThrottlingMixin, Device):
    """The one-use backup codes made when the authenticator app is set up."""

    class Meta(Device.Meta):
        verbose_name = "backup codes"
        verbose_name_plural = "backup codes"

    def verify_token(self, token: str) -> bool:
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        for code in self.codes.all():
            if check_password(token, code.code_hash):
                # Used once: the code goes as it is accepted.
                code.delete()
                self.throttle_reset(commit=True)
                return True
        self.throttle_increment(commit=True)
        return False

    def get_throttle_factor(self) -> int:
        return 1


class BackupCode(models.Model):
    device = models.ForeignKey(BackupCodes, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=256, editable=False)

    def __str__(self) -> str:
        return f"Backup code {self.pk}"

    def set_code(self, code: str) -> None:
        self.code_hash = make_password(code)


class EnrolmentCode(models.Model):
    """A one-use code an administrator or manager gives a user to set up their first app.

    Only its password hash is kept: the code is shown once, to whoever issued it.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="enrolment_codes")
    code_hash = models.CharField(max_length=256, editable=False)
    issued_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Enrolment code {self.pk} for {self.user}"

    def matches(self, code: str) -> bool:
        return check_password(code, self.code_hash)
