"""API tokens: issue, revoke and expire them (django-rest-knox; ADR 0012).

The database holds a SHA-512 digest of each token, never the token: a copy of the database or a
backup cannot be used to call the API. A token expires WAYMARK_API_TOKEN_TTL_HOURS after it is
issued, and a user holds at most TOKEN_LIMIT_PER_USER live tokens.

Issuing and revoking are recorded in the audit trail. The event names a token by the first 16
characters of its digest: enough to tell a user's tokens apart, and nothing of the token itself
(knox's `token_key` is the token's own first 15 characters, so it is not used).
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from knox.models import AuthToken
from knox.settings import knox_settings

from waymark.audit.models import AuditAction
from waymark.audit.services import audit_record

from .models import User
from .types import Actor

AUDITED_AS = "knox.authtoken"
DIGEST_SHOWN = 16


class TokenLimitReached(Exception):
    """The user already holds as many live tokens as they may."""

    def __init__(self, *, limit: int, next_expiry: datetime.datetime | None) -> None:
        when = f" The next one expires at {next_expiry:%H:%M %Z}." if next_expiry else ""
        super().__init__(
            f"You already have {limit} API tokens in use. Revoke them (POST /api/token/revoke-all/) "
            f"or wait for one to expire.{when}"
        )


@dataclass(frozen=True)
class IssuedToken:
    token: str  # shown once, to the client that asked for it; never stored
    expiry: datetime.datetime


def _audit(*, user: User | None, action: str, token: AuthToken, purpose: str = "") -> None:
    audit_record(
        actor=user,
        action=action,
        object_type=AUDITED_AS,
        object_id=token.digest[:DIGEST_SHOWN],
        purpose=purpose,
    )


def api_token_live_for(*, user: User) -> "list[AuthToken]":
    now = timezone.now()
    return list(
        AuthToken.objects.filter(user=user)
        .filter(Q(expiry__gt=now) | Q(expiry__isnull=True))
        .order_by("expiry")
    )


@transaction.atomic
def api_token_issue(*, user: User) -> IssuedToken:
    """A new token for a user whose password (and two-factor code) has been checked."""
    # Lock the user's row so that two requests at once cannot both pass the limit.
    User.objects.select_for_update().filter(pk=user.pk).first()
    limit = knox_settings.TOKEN_LIMIT_PER_USER
    live = api_token_live_for(user=user)
    if limit is not None and len(live) >= limit:
        raise TokenLimitReached(limit=limit, next_expiry=live[0].expiry if live else None)
    instance, token = AuthToken.objects.create(user=user, expiry=knox_settings.TOKEN_TTL)
    _audit(user=user, action=AuditAction.TOKEN_ISSUED, token=instance)
    assert instance.expiry is not None  # noqa: S101 - TOKEN_TTL is always set (settings)
    return IssuedToken(token=token, expiry=instance.expiry)


@transaction.atomic
def api_token_revoke(*, user: Actor, token: AuthToken) -> None:
    """Revoke one of the user's tokens: it stops working at once."""
    if not isinstance(user, User) or token.user_id != user.pk:
        raise PermissionDenied("A user may revoke only their own tokens")
    _audit(user=user, action=AuditAction.TOKEN_REVOKED, token=token)
    token.delete()


@transaction.atomic
def api_token_revoke_all(*, user: Actor) -> int:
    """Revoke every token the user holds; returns how many there were."""
    if not isinstance(user, User):
        raise PermissionDenied("Only a signed-in user has API tokens")
    return api_token_revoke_all_of(actor=user, user=user, purpose="")


@transaction.atomic
def api_token_revoke_all_of(*, actor: User | None, user: User, purpose: str) -> int:
    """Revoke every token of `user` on someone else's authority (a two-factor reset, say);
    returns how many there were. Each revocation is audited as the actor's, with the purpose."""
    tokens = list(AuthToken.objects.select_for_update().filter(user=user).order_by("created"))
    for token in tokens:
        _audit(user=actor, action=AuditAction.TOKEN_REVOKED, token=token, purpose=purpose)
    AuthToken.objects.filter(digest__in=[t.digest for t in tokens]).delete()
    return len(tokens)


def api_token_clear_expired(*, now: datetime.datetime) -> int:
    """Delete tokens past their expiry (they no longer work); for `waymark maintenance`."""
    deleted, _ = AuthToken.objects.filter(expiry__lt=now).delete()
    return deleted
