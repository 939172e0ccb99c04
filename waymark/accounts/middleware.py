"""Until a signed-in session has given its two-factor code, it reaches only the two-factor pages."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.utils.http import urlencode

# Everything else is refused by default, so a new page cannot forget to ask for the code.
OPEN_BEFORE_TWO_FACTOR = frozenset(
    {
        "login",
        "logout",
        "two-factor",
        "two-factor-set-up",
    }
)


class TwoFactorRequiredMiddleware:
    """Sends a signed-in but unverified user to the two-factor step (WAYMARK_REQUIRE_2FA).

    Needs django-otp's OTPMiddleware before it. API routes are left to
    VerifiedSessionAuthentication, which refuses such a session rather than redirecting, and
    still accepts tokens.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if not settings.WAYMARK_REQUIRE_2FA:
            return None
        user = request.user
        if not user.is_authenticated or getattr(user, "is_verified", lambda: False)():
            return None
        if request.path.startswith(settings.STATIC_URL):
            return None
        match = request.resolver_match
        if match is not None and (
            "api" in match.app_names or match.url_name in OPEN_BEFORE_TWO_FACTOR
        ):
            return None
        query = urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})
        return redirect(f"{resolve_url('two-factor')}?{query}")
