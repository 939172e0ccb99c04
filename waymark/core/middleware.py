"""A request id for every request, carried into audit events written during it; and the
Permissions-Policy header."""

import contextvars
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
request_var: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "request", default=None
)


def current_request_id() -> str:
    return request_id_var.get()


def current_request() -> HttpRequest | None:
    """The request being answered, if any: for checks deep in a form or serializer that are
    rate-limited per user (the API's authenticated user is set on it too, by DRF)."""
    return request_var.get()


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rid = uuid.uuid4().hex
        token = request_id_var.set(rid)
        request_token = request_var.set(request)
        try:
            response = self.get_response(request)
        finally:
            request_var.reset(request_token)
            request_id_var.reset(token)
        response["X-Request-ID"] = rid
        return response


class PermissionsPolicyMiddleware:
    """Sends the Permissions-Policy header from settings.PERMISSIONS_POLICY on every response.

    Django's SecurityMiddleware sets the other security headers but has no setting for this one.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy: str = getattr(settings, "PERMISSIONS_POLICY", "")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Permissions-Policy", self.policy)
        return response
