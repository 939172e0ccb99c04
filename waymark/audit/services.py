"""Writing audit events and share records. Services call these inside their own transaction.

Every event joins the hash chain (`waymark.audit.chain`). Two transactions must never chain onto
the same predecessor, so writing takes the chain lock first and holds it until the enclosing
transaction ends:

- PostgreSQL: `pg_advisory_xact_lock(AUDIT_CHAIN_LOCK)`. It needs no table or row of its own, is
  released at commit or rollback, and a waiter then reads the committed head (Django runs READ
  COMMITTED). A chain-head row locked with SELECT ... FOR UPDATE would do the same but is one
  more row to create, migrate and keep in step.
- SQLite: the settings open every transaction with BEGIN IMMEDIATE, which takes the database's
  one write lock, so the head read here cannot go stale before the insert.

Either way the unique constraint on prev_hash refuses a fork if anything writes without the lock.

Each hash is an HMAC under the audit key (`WAYMARK_AUDIT_KEY`), held outside the database.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import connections, models, router, transaction
from django.utils import timezone

from waymark.core.actors import signed_in_or_none
from waymark.core.middleware import current_request_id

from .chain import GENESIS_HASH, HASH_VERSION, event_hash
from .models import AuditAction, AuditEvent, LawfulBasis, ShareRecord

if TYPE_CHECKING:  # annotations only: accounts sits above audit
    from waymark.accounts.types import Actor

# The key of the PostgreSQL advisory lock that serialises writers of the chain ("WAYMARK" + 1).
AUDIT_CHAIN_LOCK = 0x5741594D41524B01


def _object_type(obj: models.Model) -> str:
    return obj._meta.label_lower


def audit_key() -> bytes:
    """The HMAC key of the audit chain, from the settings (never from the database)."""
    key: str = settings.WAYMARK_AUDIT_KEY
    if not key:
        raise ImproperlyConfigured(
            "WAYMARK_AUDIT_KEY is not set: audit events cannot be written or checked without it "
            "(see .env.example)."
        )
    return key.encode()


def _chain_head(using: str) -> str:
    """Lock the chain for this transaction and return the newest event's hash."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        # One round trip: the function (migration 0004) takes pg_advisory_xact_lock(
        # AUDIT_CHAIN_LOCK) and then reads the head with a snapshot taken after the lock.
        with connection.cursor() as cursor:
            cursor.execute("SELECT waymark_audit_lock_head()")
            row = cursor.fetchone()
        return (row[0] if row else None) or GENESIS_HASH
    head = AuditEvent.objects.using(using).order_by("-id").values_list("hash", flat=True).first()
    return head or GENESIS_HASH


def _chain(events: Sequence[AuditEvent], using: str) -> None:
    key = audit_key()
    prev_hash = _chain_head(using)
    for event in events:
        event.prev_hash = prev_hash
        event.hash_version = HASH_VERSION
        event.hash = prev_hash = event_hash(
            key=key,
            at=event.at,
            actor_id=event.actor_id,
            agency_id=event.agency_id,
            action=event.action,
            object_type=event.object_type,
            object_id=event.object_id,
            changed_fields=event.changed_fields,
            purpose=event.purpose,
            request_id=event.request_id,
            prev_hash=prev_hash,
        )


def audit_record(
    *,
    actor: "Actor | None",
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    changed_fields: Iterable[str] = (),
    purpose: str = "",
) -> AuditEvent:
    if obj is not None:
        object_type = _object_type(obj)
        object_id = str(obj.pk)
    user = signed_in_or_none(actor)
    event = AuditEvent(
        at=timezone.now(),
        actor=user,
        agency_id=getattr(user, "agency_id", None),
        action=action,
        object_type=object_type,
        object_id=object_id,
        changed_fields=sorted(changed_fields),
        purpose=purpose,
        request_id=current_request_id(),
    )
    using = router.db_for_write(AuditEvent)
    # No savepoint: if the audit write fails, the whole enclosing write or read must fail too.
    with transaction.atomic(using=using, savepoint=False):
        _chain([event], using)
        event.save(using=using, force_insert=True)
    return event


def audit_record_many(
    *, actor: "Actor | None", action: str, objs: Iterable[models.Model], purpose: str = ""
) -> None:
    """One event per object, each chained, written in one statement per thousand (searches).

    A read (view or search) made while a request is being answered is collected instead, and
    written once per object when the response is complete (`waymark.audit.reads`).
    """
    # Imported here: reads builds on this module.
    from .reads import READ_ACTIONS, audit_reads

    if action in READ_ACTIONS:
        audit_reads(actor=actor, action=action, objs=objs, purpose=purpose)
        return
    audit_record_events(
        events=[
            PendingEvent(
                actor=actor,
                action=action,
                object_type=_object_type(o),
                object_id=str(o.pk),
                purpose=purpose,
            )
            for o in objs
        ]
    )


@dataclass
class PendingEvent:
    """An event to be written: one object, and why (the fields read or written, the purpose)."""

    actor: "Actor | None"
    action: str
    object_type: str
    object_id: str
    changed_fields: set[str] = field(default_factory=set)
    purpose: str = ""


def audit_record_events(*, events: Sequence[PendingEvent]) -> None:
    """Write these events in order, each chained, in one statement per thousand."""
    if not events:
        return
    rid, now = current_request_id(), timezone.now()
    rows = []
    for e in events:
        user = signed_in_or_none(e.actor)
        rows.append(
            AuditEvent(
                at=now,
                actor=user,
                agency_id=getattr(user, "agency_id", None),
                action=e.action,
                object_type=e.object_type,
                object_id=e.object_id,
                changed_fields=sorted(e.changed_fields),
                purpose=e.purpose[:500],
                request_id=rid,
            )
        )
    using = router.db_for_write(AuditEvent)
    with transaction.atomic(using=using, savepoint=False):
        _chain(rows, using)
        # bulk_create inserts in list order, so ids follow the chain.
        AuditEvent.objects.using(using).bulk_create(rows, batch_size=1000)


# --- share log -------------------------------------------------------------------------------


@transaction.atomic
def share_record(
    *,
    actor: "Actor | None",
    recipient_organisation: str,
    purpose: str,
    lawful_basis: str,
    objs: Iterable[models.Model] = (),
    description: str = "",
    recipient_person: str = "",
) -> ShareRecord:
    """Record a share of personal data outside Waymark, and audit it as an export."""
    shared_objects = [f"{_object_type(o)}:{o.pk}" for o in objs]
    errors: dict[str, str] = {}
    user = signed_in_or_none(actor)
    if user is None or user.agency_id is None:
        errors["shared_by"] = "A share is recorded by a signed-in user of an agency."
    if not recipient_organisation.strip():
        errors["recipient_organisation"] = "Say which organisation the information went to."
    if not purpose.strip():
        errors["purpose"] = "Say why the information was shared."
    if lawful_basis not in LawfulBasis.values:
        errors["lawful_basis"] = "Choose a lawful basis from: " + ", ".join(LawfulBasis.values)
    if not shared_objects and not description.strip():
        errors["description"] = "Say what was shared: name the records or describe it."
    if errors:
        raise ValidationError(errors)
    assert user is not None and user.agency_id is not None  # noqa: S101 (checked above)

    share = ShareRecord(
        shared_by=user,
        agency_id=user.agency_id,
        shared_objects=shared_objects,
        description=description.strip(),
        recipient_organisation=recipient_organisation.strip(),
        recipient_person=recipient_person.strip(),
        purpose=purpose.strip(),
        lawful_basis=lawful_basis,
    )
    share.full_clean()
    share.save()
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=share,
        changed_fields=[
            "shared_objects",
            "description",
            "recipient_organisation",
            "recipient_person",
            "purpose",
            "lawful_basis",
        ],
        purpose=share.purpose,
    )
    return share
