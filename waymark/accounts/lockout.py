"""The client address django-axes counts failed sign-ins against (AXES_CLIENT_IP_CALLABLE)."""

from django.conf import settings
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
