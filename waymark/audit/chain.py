"""The audit hash chain: how an event's hash is computed, and how the chain is checked.

Canonical form
--------------
An event's hash is computed over the UTF-8 bytes of this JSON object:

    {"action": str, "actor": int | null, "agency": int | null, "at": str,
     "changed_fields": [str, ...], "object_id": str, "object_type": str,
     "prev_hash": str, "purpose": str, "request_id": str, "v": 2}

- version 2 (every new event): "v" is 2 and the hash is the lower-case hex HMAC-SHA256 of the
  bytes under the audit key (`WAYMARK_AUDIT_KEY`), which is held outside the database. Someone
  who can write to the database but does not hold the key cannot make a valid hash, so cannot
  alter an event and re-hash the events after it;
- version 1 (events written before keyed hashes): "v" is 1 and the hash is the plain SHA-256 of
  the bytes. Anyone can compute it, so these events are trusted only where a signed checkpoint
  vouches for them (`waymark.audit.checkpoints`): the first checkpoint checks them and records
  how many there are. The event's `hash_version` column says which form it uses;
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

This module is pure: it takes rows and keys and knows nothing of Django.
"""

import datetime
import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

HASH_VERSION = 2  # the form of every new event
UNKEYED_VERSION = 1
GENESIS_HASH = "0" * 64
# The keyed event written where keyed hashes begin, after a log's unkeyed events (audit migration
# 0006); its object_id is how many unkeyed events come before it.
KEYED_MARKER_TYPE = "audit.keyed_hashes"


def keyed_marker_purpose(unkeyed: int) -> str:
    return (
        f"Keyed hashes begin here. The {unkeyed:,} events before this one have unkeyed hashes; "
        "this event's keyed hash pins them as they were."
    )


# The columns, in this order, that `chain_verify` reads.
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
    "hash_version",
)


def canonical_time(at: datetime.datetime) -> str:
    if at.tzinfo is None:
        raise ValueError("audit times must be timezone-aware")
    return at.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def canonical_form(
    *,
    version: int,
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
            "v": version,
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


def event_hash(*, key: bytes, **fields: Any) -> str:
    """The keyed (version 2) hash of one event; takes the other arguments of `canonical_form`."""
    return hmac.digest(key, canonical_form(version=HASH_VERSION, **fields), "sha256").hex()


def event_hash_unkeyed(**fields: Any) -> str:
    """The unkeyed (version 1) hash, of events written before keyed hashes: check only."""
    return hashlib.sha256(canonical_form(version=UNKEYED_VERSION, **fields)).hexdigest()


def audit_key_id(key: bytes) -> str:
    """A short fingerprint of the audit key, kept in checkpoints: it tells a verifier holding
    the wrong key so, rather than reporting every event as altered. It reveals nothing of the key."""
    return hmac.digest(key, b"waymark audit key id", "sha256").hex()[:16]


@dataclass(frozen=True)
class Anchor:
    """What a signed checkpoint vouches for: the event at position `count` (1 = the oldest) is
    `head_id` with hash `head_hash`, and the first `unkeyed` events have version 1 hashes."""

    sequence: int
    count: int
    head_id: int | None
    head_hash: str
    unkeyed: int
    at: str


@dataclass(frozen=True)
class ChainBreak:
    event_id: int | None  # None when the row cannot even be read back, or the tail is missing
    # "altered", "rehashed", "relinked", "unkeyed", "rewritten", "missing" or "unreadable"
    kind: str
    detail: str  # a sentence that names the event


@dataclass(frozen=True)
class ChainReport:
    checked: int  # events checked and found sound
    head_id: int | None
    head_hash: str
    unkeyed: int = 0  # how many of them have version 1 hashes
    broken: ChainBreak | None = None

    @property
    def intact(self) -> bool:
        return self.broken is None


_FIELDS = CHAIN_FIELDS[1:11]  # the hashed values, from "at" to "prev_hash"


def _sound(row: Sequence[Any], key: bytes) -> bool:
    """Whether a row's stored hash is the hash of its fields, in the version it names."""
    fields = dict(zip(_FIELDS, row[1:11], strict=True))
    stored, version = row[11], row[12]
    if not isinstance(fields["changed_fields"], list):
        return False
    try:
        if version == HASH_VERSION:
            return hmac.compare_digest(stored, event_hash(key=key, **fields))
        if version == UNKEYED_VERSION:
            return hmac.compare_digest(stored, event_hash_unkeyed(**fields))
    except (ValueError, TypeError, AttributeError):
        return False
    return False


def _unkeyed_detail(event_id: int, anchors: Sequence[Anchor], keyed_before: bool) -> str:
    if keyed_before or anchors:
        vouched = anchors[0].unkeyed if anchors else 0
        return (
            f"event {event_id} has an unkeyed (version 1) hash, but the signed checkpoints vouch "
            f"for only the first {vouched:,} events being unkeyed (those written before keyed "
            "hashes): the hashes from this event on were recomputed without the audit key. "
            "Treat the log as tampered with and restore it from a backup that verifies"
        )
    return (
        f"event {event_id} has an unkeyed (version 1) hash and no signed checkpoint covers it. "
        "If this log was written before keyed hashes, `waymark audit checkpoint` anchors the old "
        "chain, after checking that the keyed marker written when keyed hashes began still "
        "follows it; if that fails too, someone recomputed the hashes without the audit key"
    )


def _marker_problem(row: Sequence[Any], unkeyed: int) -> str | None:
    """Why the first keyed event after `unkeyed` unkeyed events is not the keyed marker naming
    them, or None if it is."""
    event_id, action, object_type, object_id = row[0], row[4], row[5], row[6]
    if object_type != KEYED_MARKER_TYPE or action != "update":
        return (
            f"event {event_id} is the first keyed event, after {unkeyed:,} unkeyed ones, but it is "
            "not the marker written where keyed hashes began: the unkeyed events before it were "
            "written or rewritten without the audit key"
        )
    if object_id != str(unkeyed):
        return (
            f"event {event_id}, the marker where keyed hashes began, vouches for {object_id} "
            f"unkeyed events before it, but {unkeyed:,} are there: unkeyed events were added "
            "or removed without the audit key"
        )
    return None


def _peek(iterator: Iterator[Sequence[Any]]) -> Sequence[Any] | None:
    try:
        return next(iterator)
    except (StopIteration, ValueError, TypeError):
        return None


def chain_verify(
    rows: Iterable[Sequence[Any]],
    *,
    key: bytes,
    anchors: Sequence[Anchor] = (),
    anchoring: bool = False,
    start: tuple[int, int | None, str] = (0, None, GENESIS_HASH),
) -> ChainReport:
    """Check rows of `CHAIN_FIELDS`, in id order, against the key and the signed checkpoints
    (`anchors`, oldest first); stop at the first break.

    What can be wrong:
    - "relinked": an event's prev_hash is not the hash of the event before it: an event between
      them was deleted or inserted;
    - "altered": an event's fields do not match its hash;
    - "rehashed": they do not match, and the events around it were re-hashed to hide it: without
      the audit key, so the keyed hashes fail;
    - "unkeyed": a version 1 hash where no checkpoint vouches for one;
    - "rewritten": the event at a checkpoint's position is not the head it signed;
    - "missing": the log ends before the newest checkpoint's position: its tail was cut off.

    `anchoring` (the first checkpoint) accepts version 1 events before the first keyed one.
    `start` is (position, id, hash) of the event to continue after, for a partial check.
    """
    position, last_id, expected_prev = start
    checked, unkeyed = 0, 0
    keyed_before = False
    unkeyed_limit = anchors[0].unkeyed if anchors else 0
    heads: dict[int, list[Anchor]] = {}
    for anchor in anchors:
        heads.setdefault(anchor.count, []).append(anchor)
    after = f"event {last_id}" if last_id is not None else "the start of the chain"

    def report(broken: ChainBreak | None = None) -> ChainReport:
        return ChainReport(
            checked=checked,
            head_id=last_id,
            head_hash=expected_prev,
            unkeyed=unkeyed,
            broken=broken,
        )

    iterator = iter(rows)
    while True:
        try:
            row = next(iterator)
        except StopIteration:
            break
        except (ValueError, TypeError) as exc:  # a value the database driver cannot read back
            return report(
                ChainBreak(
                    None,
                    "unreadable",
                    f"the event after {after} cannot be read ({exc}): it was altered",
                )
            )
        event_id, prev_hash, stored_hash, version = row[0], row[10], row[11], row[12]
        position += 1
        if prev_hash != expected_prev:
            return report(
                ChainBreak(
                    event_id,
                    "relinked",
                    f"event {event_id} does not follow {after}: its prev_hash does not match "
                    f"the hash of {after}, so an event between them was deleted or inserted, "
                    "or the one before was altered and re-hashed",
                )
            )
        if not _sound(row, key):
            following = _peek(iterator)
            if version == UNKEYED_VERSION or version != HASH_VERSION:
                kind, detail = "altered", f"its fields do not match its hash (version {version})"
            elif following is not None and following[10] != stored_hash:
                kind, detail = (
                    "rehashed",
                    "its fields do not match its HMAC, and its hash was recomputed without the "
                    "audit key (the next event does not name it)",
                )
            elif following is not None and not _sound(following, key):
                kind, detail = (
                    "rehashed",
                    "its fields do not match its HMAC, nor do the next event's, though each "
                    "names the one before it: the hashes from here on were recomputed without "
                    "the audit key (or this process holds a different WAYMARK_AUDIT_KEY from the "
                    "one that wrote them)",
                )
            else:
                kind, detail = "altered", "its fields do not match its HMAC"
            return report(ChainBreak(event_id, kind, f"event {event_id} was altered: {detail}"))
        if version == UNKEYED_VERSION:
            if keyed_before or (not anchoring and position > unkeyed_limit):
                return report(
                    ChainBreak(
                        event_id, "unkeyed", _unkeyed_detail(event_id, anchors, keyed_before)
                    )
                )
            unkeyed += 1
        else:
            if unkeyed and not keyed_before and (problem := _marker_problem(row, unkeyed)):
                return report(ChainBreak(event_id, "unkeyed", problem))
            keyed_before = True
        for anchor in heads.get(position, ()):
            if event_id != anchor.head_id or stored_hash != anchor.head_hash:
                return report(
                    ChainBreak(
                        event_id,
                        "rewritten",
                        f"event {event_id} is event {position:,} of the log, but checkpoint "
                        f"{anchor.sequence} (signed {anchor.at}) signed event {anchor.head_id} "
                        f"with hash {anchor.head_hash} there: the log up to it was rewritten",
                    )
                )
        expected_prev, last_id, after = stored_hash, event_id, f"event {event_id}"
        checked += 1
    if unkeyed and not keyed_before:
        return report(
            ChainBreak(
                last_id,
                "unkeyed",
                f"the log ends with {unkeyed:,} unkeyed events and no keyed marker after them: "
                "a log written before keyed hashes has one (written by the migration that began "
                "them), so these hashes were recomputed without the audit key",
            )
        )
    if anchors and position < anchors[-1].count:
        newest = anchors[-1]
        missing = newest.count - position
        where = f"after event {last_id}" if last_id is not None else "(the log is empty)"
        return report(
            ChainBreak(
                None,
                "missing",
                f"{missing:,} events covered by checkpoint {newest.sequence} (signed "
                f"{newest.at}) are missing {where}: the newest events were deleted",
            )
        )
    return report()
