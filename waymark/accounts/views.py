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
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.models import Device

from waymark.concerns.selectors import concern_list_recent_by, young_people_recorded_about_by
from waymark.contexts.peer_groups.alerts import peer_alert_list_for
from waymark.core.forms import form_add_service_errors
from waymark.people.selectors import break_glass_list_for_managers_of, young_person_list_visible_to

from .forms import SignInForm, TwoFactorCodeForm
from .services import (
    two_factor_enrolment_confirm,
    two_factor_enrolment_start,
    two_factor_verify,
)

BACKUP_CODES_SESSION_KEY = "waymark_backup_codes"


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
    """Enrol an authenticator app: show its secret, then confirm it with a code it shows."""
    next_url = _next_url(request)
    if _verified_or_not_required(request):
        return redirect(next_url)
    if user_has_device(request.user, confirmed=True):
        # Only a user with no second factor yet may add one; anyone else proves they hold theirs.
        return redirect(_with_next("two-factor", next_url))
    device = two_factor_enrolment_start(user=request.user)  # type: ignore[arg-type]
    form = TwoFactorCodeForm(
        request.POST if request.method == "POST" else None,
        label="Enter the 6-digit code your authenticator app shows",
        help_text="The code changes every 30 seconds",
        numeric=True,
    )
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor_enrolment_confirm(
                user=request.user,  # type: ignore[arg-type]
                device=device,
                code=form.cleaned_data["code"],
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            _finish_sign_in(request, device)
            request.session[BACKUP_CODES_SESSION_KEY] = codes
            return redirect(_with_next("two-factor-backup-codes", next_url))
    secret = b32encode(device.bin_key).decode()
    otpauth_uri = device.config_url
    return render(
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


@login_required
def two_factor_backup_codes(request: HttpRequest) -> HttpResponse:
    """Show the backup codes made at enrolment, once: they leave the session as they are shown."""
    next_url = _next_url(request)
    codes = request.session.pop(BACKUP_CODES_SESSION_KEY, None)
    if not codes:
        return redirect(next_url)
    return render(
        request, "accounts/two_factor_backup_codes.html", {"codes": codes, "next": next_url}
    )


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    alerts = list(peer_alert_list_for(user=request.user)[:20])
    visible = set(
        young_person_list_visible_to(user=request.user)
        .filter(pk__in=[a.young_person_id for a in alerts])
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "accounts/dashboard.html",
        {
            "peer_alerts": alerts,
            "visible_alert_people": visible,
            "recent_concerns": concern_list_recent_by(user=request.user, limit=10),
            "young_people": young_people_recorded_about_by(user=request.user, limit=12),
            "break_glass": break_glass_list_for_managers_of(user=request.user),
        },
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
