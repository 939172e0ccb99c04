"""Clearing out what has lapsed in signing in: expired sessions and old failed sign-ins.

These are steps of `waymark maintenance`; each takes the time to measure against and returns how
many rows it deleted.
"""

import datetime
from importlib import import_module

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session

DATABASE_SESSIONS = (
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
)


def sessions_clear_expired(*, now: datetime.datetime) -> int:
    """Expired sessions, as Django's `clearsessions` deletes them, counted."""
    if settings.SESSION_ENGINE in DATABASE_SESSIONS:
        deleted, _ = Session.objects.filter(expire_date__lt=now).delete()
        return deleted
    # Another session store clears itself its own way and does not say how much.
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    return 0


def access_attempts_clear_expired(*, now: datetime.datetime) -> int:
    """Failed sign-ins (django-axes) older than the lockout cool-off: they no longer count
    towards a lockout, and they name who tried from where."""
    # As django-axes' own clean-up (AxesDatabaseHandler.clean_expired_user_attempts), which
    # needs a request to measure from.
    cool_off = get_cool_off()
    if cool_off is None:  # attempts never lapse: a lockout lasts until an administrator lifts it
        return 0
    deleted, _ = AccessAttempt.objects.filter(attempt_time__lte=now - cool_off).delete()
    return deleted
