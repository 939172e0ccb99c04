"""Concern drafts: the answers given on the concern form, kept encrypted while they are checked.

Only the user who wrote a draft can read it back, only until it lapses (the session's age, from
its last save), and it is deleted once the concern is recorded. The session holds the draft's
number and nothing of what it says.
"""

import datetime
import json

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from waymark.accounts.models import User
from waymark.accounts.types import Actor
from waymark.core.actors import signed_in_or_none

from .models import ConcernDraft

Answers = dict[str, list[str]]


def _owner(actor: Actor) -> User:
    user = signed_in_or_none(actor)
    if user is None:
        raise PermissionDenied("Only a signed-in user has concern drafts")
    return user


def _expiry() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)


@transaction.atomic
def concern_draft_save(*, user: Actor, answers: Answers, draft_id: int | None = None) -> int:
    """Keep the answers (replacing the user's draft `draft_id`, if it is still there)."""
    user = _owner(user)
    payload = json.dumps(answers, ensure_ascii=False)
    if draft_id is not None:
        draft = ConcernDraft.objects.select_for_update().filter(pk=draft_id, user=user).first()
        if draft is not None:
            draft.payload, draft.expires_at = payload, _expiry()
            draft.save(update_fields=["payload", "expires_at"])
            return draft.pk
    draft = ConcernDraft.objects.create(user=user, payload=payload, expires_at=_expiry())
    return draft.pk


def concern_draft_get(*, user: Actor, draft_id: int | None) -> Answers | None:
    """The answers of the user's own draft, or None if it is not theirs, lapsed or gone."""
    owner = signed_in_or_none(user)
    if draft_id is None or owner is None:
        return None
    draft = ConcernDraft.objects.filter(
        pk=draft_id, user=owner, expires_at__gt=timezone.now()
    ).first()
    if draft is None:
        return None
    answers: Answers = json.loads(draft.payload)
    return answers


def concern_draft_delete(*, user: Actor, draft_id: int | None) -> None:
    if draft_id is not None:
        ConcernDraft.objects.filter(pk=draft_id, user=_owner(user)).delete()


def concern_draft_delete_all(*, user: User) -> int:
    """Every draft of the user (they signed out)."""
    deleted, _ = ConcernDraft.objects.filter(user=user).delete()
    return deleted


def concern_draft_clear_expired(*, now: datetime.datetime) -> int:
    """Delete lapsed drafts; for `waymark maintenance`."""
    deleted, _ = ConcernDraft.objects.filter(expires_at__lte=now).delete()
    return deleted


def _signed_out(sender: object, user: User | None = None, **kwargs: object) -> None:
    if user is not None:
        concern_draft_delete_all(user=user)
