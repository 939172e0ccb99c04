"""django-axes' view of a failed sign-in: who the client is, and how many failures lock them out.

ADR 0005: a username is locked after WAYMARK_LOCKOUT_ADDRESS_LIMIT failures from one address, or
WAYMARK_LOCKOUT_USERNAME_LIMIT failures from any addresses together, for AXES_COOLOFF_TIME.
"""

from typing import Any

from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or behind WAYMARK_PROXY_COUNT trusted proxies the address the first of them saw.

    Each proxy appends the address it received the request from to X-Forwarded-For, so only the
    last WAYMARK_PROXY_COUNT entries can be trusted; anything before them the client could forge.
    """
    proxies: int = settings.WAYMARK_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR", "")
    if proxies <= 0:
        return remote
    forwarded = [
        a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()
    ]
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies]


def failure_limit(request: HttpRequest, credentials: Any) -> int:
    """AXES_FAILURE_LIMIT: the lower limit once this address has reached it, else the higher.

    django-axes counts the failures for the username from every address and for the username from
    this address (AXES_LOCKOUT_PARAMETERS), takes the larger (the first), and has one limit.
    Asking for the lower limit only when this address alone has failed that often gives both:
    a few guesses from one address lock the username there, and many spread over addresses lock
    it everywhere.
    """
    username = get_client_username(request, credentials)
    address = getattr(request, "axes_ip_address", None) or client_ip(request)
    from_address = (
        AccessAttempt.objects.filter(username=username, ip_address=address).aggregate(
            n=Sum("failures_since_start")
        )["n"]
        or 0
    )
    if from_address >= settings.WAYMARK_LOCKOUT_ADDRESS_LIMIT:
        return int(settings.WAYMARK_LOCKOUT_ADDRESS_LIMIT)
    return int(settings.WAYMARK_LOCKOUT_USERNAME_LIMIT)
