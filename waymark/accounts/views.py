import json
from base64 import b32encode, b64encode
from datetime import timedelta
from typing import Any

import qrcode
import qrcode.image.svg
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.models import Device

from waymark.core import crypto
from waymark.core.forms import form_add_service_errors

from .forms import EnrolmentCodeForm, EnrolmentCodeIssueForm, SignInForm, TwoFactorCodeForm
from .models import AuthenticatorApp, User
from .selectors import enrolment_code_users_for
from .services import (
    ENROLMENT_CODE_LIFETIME,
    enrolment_code_issue,
    two_factor_enrolment_confirm,
    two_factor_enrolment_start,
    two_factor_verify,
)

BACKUP_CODES_SESSION_KEY = "waymark_backup_codes"
# The authenticator app this session may confirm: made when the session gave an enrolment code.
ENROLMENT_DEVICE_SESSION_KEY = "waymark_enrolment_device"


class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_success_url(self) -> str:
        url = super().get_success_url()
        if settings.WAYMARK_REQUIRE_2FA:
            # The two-factor step passes an already verified session straight on.
            return _with_next("two-factor", url)
        return url


def locked_out(request: HttpRequest, original_response: Any, credentials: Any) -> HttpResponse:
    """django-axes' lockout response (AXES_LOCKOUT_CALLABLE), as a GOV.UK page."""
    cool_off = get_cool_off(request) or timedelta(0)
    minutes = max(1, round(cool_off.total_seconds() / 60))
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Ask a signed-in user for the code from their authenticator app (or a backup code)."""
    next_url = _next_url(request)
    if _verified_or_not_required(request):
        return redirect(next_url)
    if not user_has_device(request.user, confirmed=True):
        return redirect(_with_next("two-factor-set-up", next_url))
    form = TwoFactorCodeForm(
        request.POST if request.method == "POST" else None,
        label="Code",
        help_text="The 6-digit code your authenticator app shows now, or one of your backup codes",
        numeric=False,
    )
    if request.method == "POST" and form.is_valid():
        try:
            device = two_factor_verify(user=request.user, code=form.cleaned_data["code"])  # type: ignore[arg-type]
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            _finish_sign_in(request, device)
            return redirect(next_url)
    return render(request, "accounts/two_factor.html", {"form": form, "next": next_url})


@login_required
def two_factor_set_up(request: HttpRequest) -> HttpResponse:
    """Enrol a first authenticator app: an enrolment code, then its secret, then a code it shows."""
    next_url = _next_url(request)
    if _verified_or_not_required(request):
        return redirect(next_url)
    user: User = request.user  # type: ignore[assignment]
    if user_has_device(user, confirmed=True):
        # Only a user with no second factor yet may add one; anyone else proves they hold theirs.
        return redirect(_with_next("two-factor", next_url))
    device = AuthenticatorApp.objects.filter(
        pk=request.session.get(ENROLMENT_DEVICE_SESSION_KEY), user=user, confirmed=False
    ).first()
    if device is None:
        return _enrolment_code_step(request, user, next_url)
    form = TwoFactorCodeForm(
        request.POST if request.method == "POST" else None,
        label="Enter the 6-digit code your authenticator app shows",
        help_text="The code changes every 30 seconds",
        numeric=True,
    )
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor_enrolment_confirm(
                user=user, device=device, code=form.cleaned_data["code"]
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            request.session.pop(ENROLMENT_DEVICE_SESSION_KEY, None)
            _finish_sign_in(request, device)
            request.session[BACKUP_CODES_SESSION_KEY] = _backup_codes_sealed(user, codes)
            return redirect(_with_next("two-factor-backup-codes", next_url))
    secret = b32encode(device.bin_key).decode()
    otpauth_uri = device.config_url
    response = render(
        request,
        "accounts/two_factor_set_up.html",
        {
            "form": form,
            "next": next_url,
            "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
            "otpauth_uri": otpauth_uri,
            "qr_code": _qr_code_data_uri(otpauth_uri),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


def _enrolment_code_step(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    form = EnrolmentCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            device = two_factor_enrolment_start(
                user=user, enrolment_code=form.cleaned_data["enrolment_code"]
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            request.session[ENROLMENT_DEVICE_SESSION_KEY] = device.pk
            return redirect(_with_next("two-factor-set-up", next_url))
    return render(
        request, "accounts/two_factor_enrolment_code.html", {"form": form, "next": next_url}
    )


@login_required
def enrolment_code_new(request: HttpRequest) -> HttpResponse:
    """Issue a one-use enrolment code for a user, shown once on the page that answers the form."""
    users = enrolment_code_users_for(user=request.user)
    if not (
        request.user.has_perm("accounts.add_all_enrolmentcode")
        or request.user.has_perm("accounts.add_agency_enrolmentcode")
    ):
        raise PermissionDenied
    form = EnrolmentCodeIssueForm(request.POST if request.method == "POST" else None, users=users)
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["user"]
        try:
            code = enrolment_code_issue(actor=request.user, user=chosen)  # type: ignore[arg-type]
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            response = render(
                request,
                "accounts/enrolment_code_issued.html",
                {
                    "code": code,
                    "for_user": chosen,
                    "hours": int(ENROLMENT_CODE_LIFETIME.total_seconds() // 3600),
                },
            )
            # Shown once: no copy in the browser's cache or history.
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "accounts/enrolment_code_new.html", {"form": form})


# The backup codes wait in the session between the confirming code and the page that shows them,
# encrypted with the field keys for their user: the session table is not encrypted, and a copy of
# it must hold no usable code.
def _backup_codes_binding(user: User) -> crypto.Binding:
    return crypto.Binding("django_session", BACKUP_CODES_SESSION_KEY, user.pk)


def _backup_codes_sealed(user: User, codes: list[str]) -> str:
    return crypto.encrypt(json.dumps(codes), binding=_backup_codes_binding(user))


def _backup_codes_opened(user: User, sealed: str) -> list[str]:
    codes: list[str] = json.loads(crypto.decrypt(sealed, binding=_backup_codes_binding(user)))
    return codes


@login_required
def two_factor_backup_codes(request: HttpRequest) -> HttpResponse:
    """Show the backup codes made at enrolment, once: they leave the session as they are shown."""
    next_url = _next_url(request)
    sealed = request.session.pop(BACKUP_CODES_SESSION_KEY, None)
    if not isinstance(sealed, str) or not isinstance(request.user, User):
        return redirect(next_url)
    codes = _backup_codes_opened(request.user, sealed)
    return render(
        request, "accounts/two_factor_backup_codes.html", {"codes": codes, "next": next_url}
    )


def _finish_sign_in(request: HttpRequest, device: Device) -> None:
    otp_login(request, device)
    # The session now carries more trust than it did: give it a new key, as Django does at login.
    request.session.cycle_key()


def _verified_or_not_required(request: HttpRequest) -> bool:
    return not settings.WAYMARK_REQUIRE_2FA or request.user.is_verified()  # type: ignore[union-attr]


def _next_url(request: HttpRequest) -> str:
    url = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({REDIRECT_FIELD_NAME: next_url})}"


def _qr_code_data_uri(text: str) -> str:
    """The set-up link as a QR code, drawn here as SVG: no third-party service sees the secret."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    return "data:image/svg+xml;base64," + b64encode(image.to_string()).decode()
