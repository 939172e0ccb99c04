"""Rate limits for the API and the web pages, on DRF's throttles.

The rates live in `REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]` (from the environment, see
config/settings/base.py) and are read at each request, not once at import, so a test can change
them with `override_settings`. The counts are kept in Django's default cache, which must be
shared by every process serving Waymark (production settings say how).

Scopes:

- `user` and `anon`: every API request of a signed-in user, or of an anonymous client.
- `search`: a search by name, reference or date of birth, on the web or through the API; one
  budget per user, wherever they search.
- `known_elsewhere`: the check for young people known only to other agencies, tighter still,
  because each answer says that a child of that name exists.
"""

import math
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle


class _CurrentRates:
    """Read the scope's rate from the settings now, not when the class was defined."""

    scope: str | None

    def get_rate(self) -> str | None:
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope or "")
        return str(rate) if rate else None


class UserThrottle(_CurrentRates, UserRateThrottle):
    scope = "user"


class AnonThrottle(_CurrentRates, AnonRateThrottle):
    scope = "anon"


class _PerUserThrottle(_CurrentRates, SimpleRateThrottle):
    """Counted per signed-in user (per client address for anyone else)."""

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        user = getattr(request, "user", None)
        ident = user.pk if user is not None and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class SearchThrottle(_PerUserThrottle):
    scope = "search"


class KnownElsewhereThrottle(_PerUserThrottle):
    scope = "known_elsewhere"


def throttle_wait(request: HttpRequest, throttle: SimpleRateThrottle) -> int | None:
    """Count this request against `throttle`: None if allowed, else the seconds to wait."""
    if throttle.allow_request(request, None):  # type: ignore[arg-type]
        return None
    return max(1, math.ceil(throttle.wait() or 1))


def too_many_requests(request: HttpRequest, *, wait: int, what: str = "searches") -> HttpResponse:
    """The 429 page: what was refused and when to try again, with Retry-After."""
    minutes = max(1, math.ceil(wait / 60))
    response = render(
        request,
        "core/too_many_requests.html",
        {"what": what, "minutes": minutes},
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response
