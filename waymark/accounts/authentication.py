"""API authentication: a browser session counts only once it has passed two-factor authentication.

The other way in is an API token (django-rest-knox's `TokenAuthentication`, ADR 0012): issued at
/api/token/ for a username, a password and, wherever two-factor sign-in is required, a current
code (waymark.accounts.api); stored only as a digest; expiring WAYMARK_API_TOKEN_TTL_HOURS after
issue; revoked at /api/token/revoke/ and /api/token/revoke-all/.
"""

from typing import Any

from django.conf import settings
from drf_spectacular.authentication import SessionScheme
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request


class VerifiedSessionAuthentication(SessionAuthentication):
    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        result = super().authenticate(request)
        if result is None or not settings.WAYMARK_REQUIRE_2FA:
            return result
        user = result[0]
        if not user.is_verified():
            raise exceptions.NotAuthenticated(
                "Finish signing in with your two-factor code before using the API."
            )
        return result


class VerifiedSessionScheme(SessionScheme):
    """Describes VerifiedSessionAuthentication in the OpenAPI schema as the session cookie."""

    target_class = "waymark.accounts.authentication.VerifiedSessionAuthentication"
