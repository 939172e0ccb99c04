"""The audit hash chain: how an event's hash is computed, and how the chain is checked.

Canonical form (version 1)
--------------------------
An event's hash is the lower-case hex SHA-256 of the UTF-8 bytes of this JSON object:

    {"action": str, "actor": int | null, "agency": int | null, "at": str,
     "changed_fields": [str, ...], "object_id": str, "object_type": str,
     "prev_hash": str, "purpose": str, "request_id": str, "v": 1}

- keys sorted, no whitespace (separators "," and ":"), non-ASCII characters written as
  themselves, not escaped. For the types used here (strings, integers, null, a list of
  strings) this is the same text as RFC 8785 (JSON Canonicalization Scheme) gives, so another
  implementation can check the chain without Python;
- "at" is the time in UTC, ISO 8601 with microseconds and "+00:00", e.g.
  "2026-01-31T09:05:00.123456+00:00". Both SQLite and PostgreSQL keep microseconds, so the value
  read back is the value hashed;
- "actor" and "agency" are the ids of the user and agency, or null;
- "prev_hash" is the hash of the event before it (by id), or 64 zeros for the first event.

The database id is not hashed: it is assigned by the database after the hash is computed. The
order is fixed instead by each event naming its predecessor's hash.
"""

import datetime
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

HASH_VERSION = 1
GENESIS_HASH = "0" * 64

# The columns, in this order, that `event_hash` and `chain_verify` read.
CHAIN_FIELDS = (
    "id",
    "at",
    "actor_id",
    "agency_id",
    "action",
    "object_type",
    "object_id",
    "changed_fields",
    "purpose",
    "request_id",
    "prev_hash",
    "hash",
)


def canonical_time(at: datetime.datetime) -> str:
    if at.tzinfo is None:
        raise ValueError("audit times must be timezone-aware")
    return at.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def canonical_form(
    *,
    at: datetime.datetime,
    actor_id: int | None,
    agency_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    changed_fields: Sequence[str],
    purpose: str,
    request_id: str,
    prev_hash: str,
) -> bytes:
    return json.dumps(
        {
            "v": HASH_VERSION,
            "at": canonical_time(at),
            "actor": actor_id,
            "agency": agency_id,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "changed_fields": list(changed_fields),
            "purpose": purpose,
            "request_id": request_id,
            "prev_hash": prev_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode("utf-8")


def event_hash(**fields: Any) -> str:
    """The hash of one event; takes the keyword arguments of `canonical_form`."""
    return hashlib.sha256(canonical_form(**fields)).hexdigest()


def _recompute(**fields: Any) -> str | None:
    """The hash the event should have, or None if its stored values cannot be hashed."""
    if not isinstance(fields["changed_fields"], list):
        return None
    try:
        return event_hash(**fields)
    except (ValueError, TypeError, AttributeError):
        return None


@dataclass(frozen=True)
class ChainBreak:
    event_id: int | None  # None when the row cannot even be read back
    kind: str  # "altered", "relinked" or "unreadable"
    detail: str


@dataclass(frozen=True)
class ChainReport:
    checked: int
    head_hash: str  # the newest event's hash: keep it elsewhere to detect a cut-off tail
    broken: ChainBreak | None = None

    @property
    def intact(self) -> bool:
        return self.broken is None


def chain_verify(rows: Iterable[Sequence[Any]]) -> ChainReport:
    """Check rows of `CHAIN_FIELDS`, in id order; stop at the first broken link.

    Two things can be wrong with an event:
    - its stored hash is not the hash of its fields: the row was altered ("altered");
    - its prev_hash is not the hash of the event before it: an event was deleted before it, or
      one was inserted, or the one before was altered and re-hashed ("relinked").
    """
    expected_prev, checked = GENESIS_HASH, 0
    after = "the start of the chain"
    iterator = iter(rows)
    while True:
        try:
            row = next(iterator)
        except StopIteration:
            break
        except (ValueError, TypeError) as exc:  # a value the database driver cannot read back
            return ChainReport(
                checked=checked,
                head_hash=expected_prev,
                broken=ChainBreak(
                    event_id=None,
                    kind="unreadable",
                    detail=f"the event after {after} cannot be read ({exc}): it was altered",
                ),
            )
        (
            event_id,
            at,
            actor_id,
            agency_id,
            action,
            object_type,
            object_id,
            changed_fields,
            purpose,
            request_id,
            prev_hash,
            stored_hash,
        ) = row
        if prev_hash != expected_prev:
            return ChainReport(
                checked=checked,
                head_hash=expected_prev,
                broken=ChainBreak(
                    event_id=event_id,
                    kind="relinked",
                    detail=(
                        f"its prev_hash does not match the hash of {after}: an event between "
                        "them was deleted or inserted, or the one before was altered and "
                        "re-hashed"
                    ),
                ),
            )
        if stored_hash != _recompute(
            at=at,
            actor_id=actor_id,
            agency_id=agency_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            changed_fields=changed_fields,
            purpose=purpose,
            request_id=request_id,
            prev_hash=prev_hash,
        ):
            return ChainReport(
                checked=checked,
                head_hash=expected_prev,
                broken=ChainBreak(
                    event_id=event_id,
                    kind="altered",
                    detail="its fields do not match its hash: the row was altered",
                ),
            )
        expected_prev, after = stored_hash, f"event {event_id}"
        checked += 1
    return ChainReport(checked=checked, head_hash=expected_prev)
