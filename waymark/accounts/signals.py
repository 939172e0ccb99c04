"""Sign-ins, failed sign-ins, sign-outs and lockouts in the audit trail (ADR 0005).

A failed sign-in names the account tried only by its id, and only when it exists: what was typed
into the username box is never written, because people sometimes type their password there.

These handlers run inside whatever transaction the sign-in runs in. Failed sign-ins are answered
without an exception (a page with an error, or django-axes' lockout page), so the request's
transaction commits and the event stands; /api/token/ runs outside the request transaction
altogether.
"""

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.dispatch import receiver

from waymark.audit.services import audit_record

UNKNOWN_USERNAME = "unknown username"


def _attempted_account(username: Any, action: str, purpose: str) -> None:
    """Audit `action` against the account with this username, or against no account."""
    user_model = get_user_model()
    user = (
        user_model.objects.filter(username=username).first()
        if isinstance(username, str) and username
        else None
    )
    with transaction.atomic():
        if user is None:
            audit_record(
                actor=None,
                action=action,
                object_type=user_model._meta.label_lower,
                purpose=f"{purpose}: {UNKNOWN_USERNAME}" if purpose else UNKNOWN_USERNAME,
            )
        else:
            audit_record(actor=None, action=action, obj=user, purpose=purpose)


@receiver(user_logged_in, dispatch_uid="waymark_audit_sign_in")
def audit_sign_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    with transaction.atomic():
        audit_record(actor=user, action="sign_in", obj=user)


@receiver(user_logged_out, dispatch_uid="waymark_audit_sign_out")
def audit_sign_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    with transaction.atomic():
        audit_record(actor=user, action="sign_out", obj=user)


@receiver(user_login_failed, dispatch_uid="waymark_audit_sign_in_failed")
def audit_sign_in_failed(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
    username = credentials.get(get_user_model().USERNAME_FIELD)
    _attempted_account(username, "sign_in_failed", "")


@receiver(user_locked_out, dispatch_uid="waymark_audit_locked_out")
def audit_locked_out(sender: Any, username: Any = None, **kwargs: Any) -> None:
    _attempted_account(username, "locked_out", "too many failed sign-ins")
