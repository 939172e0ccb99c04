"""Signed checkpoints of the audit chain, kept outside the database.

The keyed chain (`waymark.audit.chain`) stops someone without the audit key from altering an
event and re-hashing the rest, but not from cutting events off the end of the log. A checkpoint
fixes the log's length and head at a moment, like a CloudTrail digest file or a Certificate
Transparency signed tree head: "the log held `count` events, the newest being `head_id` with hash
`head_hash`", signed with an Ed25519 key that the database's administrators do not hold, and
chained to the checkpoint before it by that checkpoint's SHA-256.

Each checkpoint is one file, `checkpoint-<sequence>.json`, in `WAYMARK_AUDIT_CHECKPOINTS`,
created with O_EXCL (never overwritten) and read-only. The file is one line of JSON:
{"checkpoint": {...}, "signature": "<base64>"}, where the signature is over the canonical JSON of
"checkpoint" (keys sorted, no whitespace, as for events). The same line goes to the logger
"waymark.audit.checkpoint", so operators can route a copy to syslog or a log store.
"""

import base64
import binascii
import datetime
import hashlib
import json
import logging
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.db.models import Count, Max

from .chain import GENESIS_HASH, Anchor, ChainReport, audit_key_id, chain_verify
from .models import AuditEvent
from .selectors import audit_event_chain_rows
from .services import audit_key

LOGGER = logging.getLogger("waymark.audit.checkpoint")
CHECKPOINT_VERSION = 1
FILE_NAME = "checkpoint-{:08d}.json"
FILE_PATTERN = re.compile(r"^checkpoint-(\d{8})\.json$")


class CheckpointError(Exception):
    """A checkpoint cannot be made or read. `tampered` is true when the checkpoint store or the
    log shows tampering, false for a setting to put right."""

    def __init__(self, message: str, *, tampered: bool) -> None:
        super().__init__(message)
        self.tampered = tampered


def _canonical(data: dict[str, Any]) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass(frozen=True)
class Checkpoint:
    v: int
    sequence: int
    count: int  # events in the log, oldest first; the newest of them is the head
    head_id: int | None
    head_hash: str
    unkeyed: int  # how many of the first events have unkeyed (version 1) hashes
    at: str  # when it was signed, UTC, ISO 8601
    prev: str  # SHA-256 of the canonical form of the checkpoint before, or 64 zeros
    key_id: str  # the signing key's id (`public_key_id`)
    audit_key_id: str  # the audit key's fingerprint (`chain.audit_key_id`)

    def canonical(self) -> bytes:
        return _canonical(asdict(self))

    def digest(self) -> str:
        return hashlib.sha256(self.canonical()).hexdigest()

    def anchor(self) -> Anchor:
        return Anchor(
            sequence=self.sequence,
            count=self.count,
            head_id=self.head_id,
            head_hash=self.head_hash,
            unkeyed=self.unkeyed,
            at=self.at,
        )

    @property
    def file_name(self) -> str:
        return FILE_NAME.format(self.sequence)


@dataclass(frozen=True)
class SignedCheckpoint:
    checkpoint: Checkpoint
    signature: str  # base64

    def line(self) -> str:
        return _canonical(
            {"checkpoint": asdict(self.checkpoint), "signature": self.signature}
        ).decode()


# --- keys ------------------------------------------------------------------------------------


def _raw_key(name: str, value: str) -> bytes:
    try:
        # Standard or URL-safe base64.
        raw = base64.b64decode(value.strip().replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise CheckpointError(
            f"{name} must be the base64 of a 32-byte Ed25519 key (see .env.example).",
            tampered=False,
        )
    return raw


def signing_key() -> Ed25519PrivateKey:
    value: str = settings.WAYMARK_AUDIT_SIGNING_KEY
    if not value:
        raise CheckpointError(
            "WAYMARK_AUDIT_SIGNING_KEY is not set: only a process holding the signing key can "
            "make a checkpoint (see docs/how-to/audit.md).",
            tampered=False,
        )
    return Ed25519PrivateKey.from_private_bytes(_raw_key("WAYMARK_AUDIT_SIGNING_KEY", value))


def verify_key() -> Ed25519PublicKey:
    """WAYMARK_AUDIT_VERIFY_KEY, or the public half of the signing key."""
    value: str = settings.WAYMARK_AUDIT_VERIFY_KEY
    if value:
        return Ed25519PublicKey.from_public_bytes(_raw_key("WAYMARK_AUDIT_VERIFY_KEY", value))
    if settings.WAYMARK_AUDIT_SIGNING_KEY:
        return signing_key().public_key()
    raise CheckpointError(
        "Set WAYMARK_AUDIT_VERIFY_KEY (the public half of the checkpoint signing key) to check "
        "checkpoints (see docs/how-to/audit.md).",
        tampered=False,
    )


def public_key_text(public: Ed25519PublicKey) -> str:
    """The value of WAYMARK_AUDIT_VERIFY_KEY for this key."""
    return base64.b64encode(public.public_bytes_raw()).decode()


def public_key_id(public: Ed25519PublicKey) -> str:
    return hashlib.sha256(public.public_bytes_raw()).hexdigest()[:16]


# --- reading the store ------------------------------------------------------------------------


def checkpoint_store() -> Path:
    return Path(settings.WAYMARK_AUDIT_CHECKPOINTS)


def _read(path: Path, public: Ed25519PublicKey, expected_key_id: str) -> Checkpoint:
    altered = f"checkpoint file {path.name} was altered"
    try:
        document = json.loads(path.read_bytes())
        checkpoint = Checkpoint(**document["checkpoint"])
        signature = base64.b64decode(document["signature"], validate=True)
    except (OSError, ValueError, TypeError, KeyError, binascii.Error) as exc:
        raise CheckpointError(f"{altered}: it cannot be read ({exc})", tampered=True) from None
    if checkpoint.key_id != expected_key_id:
        raise CheckpointError(
            f"checkpoint file {path.name} names signing key {checkpoint.key_id}, but the verify "
            f"key is {expected_key_id}: set WAYMARK_AUDIT_VERIFY_KEY to the key that signed it, "
            "or the file was replaced",
            tampered=True,
        )
    try:
        public.verify(signature, checkpoint.canonical())
    except InvalidSignature:
        raise CheckpointError(f"{altered}: its signature does not verify", tampered=True) from None
    if path.name != checkpoint.file_name:
        raise CheckpointError(
            f"{altered}: it holds checkpoint {checkpoint.sequence}", tampered=True
        )
    return checkpoint


def checkpoints_load(
    *, directory: Path | None = None, public: Ed25519PublicKey | None = None
) -> list[Checkpoint]:
    """Every checkpoint in the store, oldest first, each signature and link checked.

    Raises CheckpointError naming the first missing, altered or out-of-line file.
    """
    directory = checkpoint_store() if directory is None else directory
    public = verify_key() if public is None else public
    if not directory.exists():
        return []
    expected_key_id = public_key_id(public)
    checkpoints = [
        _read(path, public, expected_key_id)
        for path in sorted(directory.iterdir())
        if FILE_PATTERN.match(path.name)
    ]
    prev: Checkpoint | None = None
    for expected, checkpoint in enumerate(checkpoints, start=1):
        if checkpoint.sequence != expected:
            raise CheckpointError(
                f"checkpoint {expected} is missing: {FILE_NAME.format(expected)} is not in "
                f"{directory} (the store holds {len(checkpoints)} checkpoints, numbered up to "
                f"{checkpoints[-1].sequence})",
                tampered=True,
            )
        prev_digest = GENESIS_HASH if prev is None else prev.digest()
        if checkpoint.prev != prev_digest or (
            prev is not None
            and (checkpoint.count < prev.count or checkpoint.unkeyed != prev.unkeyed)
        ):
            raise CheckpointError(
                f"checkpoint file {checkpoint.file_name} does not follow checkpoint "
                f"{expected - 1}: one of the two was replaced",
                tampered=True,
            )
        prev = checkpoint
    return checkpoints


def _check_audit_key(checkpoints: list[Checkpoint], key: bytes) -> None:
    fingerprint = audit_key_id(key)
    for checkpoint in checkpoints:
        if checkpoint.audit_key_id != fingerprint:
            raise CheckpointError(
                f"WAYMARK_AUDIT_KEY is not the audit key checkpoint {checkpoint.sequence} was "
                "made with: set the key the log was written with",
                tampered=False,
            )


# --- verifying and writing ---------------------------------------------------------------------


@dataclass(frozen=True)
class TrailReport:
    chain: ChainReport
    checkpoints: list[Checkpoint]

    @property
    def latest(self) -> Checkpoint | None:
        return self.checkpoints[-1] if self.checkpoints else None


def audit_trail_verify() -> TrailReport:
    """Check the checkpoints, then every event's hash and link and the chain against every
    checkpoint. Raises CheckpointError if the checkpoint store itself is broken."""
    checkpoints = checkpoints_load()
    key = audit_key()
    _check_audit_key(checkpoints, key)
    report = chain_verify(
        audit_event_chain_rows(), key=key, anchors=[c.anchor() for c in checkpoints]
    )
    return TrailReport(chain=report, checkpoints=checkpoints)


def checkpoint_write(*, now: datetime.datetime | None = None) -> SignedCheckpoint:
    """Check the events written since the last checkpoint, then sign and store a new one.

    The first checkpoint checks the whole log: any unkeyed (version 1) events written before
    keyed hashes are checked and anchored by it, and only if the keyed marker written when keyed
    hashes began still follows them. Later checkpoints check the events since the one before
    (and that its head is still where it was), not the whole log again: `waymark audit verify`
    checks all of it. Refuses (CheckpointError) rather than sign over a break in what it checks.
    Callable from any command that should leave a checkpoint behind.
    """
    private = signing_key()
    public = private.public_key()
    directory = checkpoint_store()
    checkpoints = checkpoints_load(directory=directory, public=public)
    key = audit_key()
    _check_audit_key(checkpoints, key)
    # One statement, so the count and the head come from one snapshot.
    totals = AuditEvent.objects.aggregate(count=Count("id"), head_id=Max("id"))
    count, head_id = totals["count"], totals["head_id"]
    upto = head_id if head_id is not None else 0
    prev = checkpoints[-1] if checkpoints else None
    if prev is None:
        report = chain_verify(audit_event_chain_rows(upto_id=upto), key=key, anchoring=True)
        unkeyed = report.unkeyed
    else:
        # Only the events since the last checkpoint: `waymark audit verify` checks the rest.
        report = chain_verify(
            audit_event_chain_rows(after_id=prev.head_id, upto_id=upto),
            key=key,
            anchors=[c.anchor() for c in checkpoints],
            start=(prev.count, prev.head_id, prev.head_hash),
        )
        unkeyed = prev.unkeyed
        head_kept = prev.head_id is None or (
            AuditEvent.objects.filter(id=prev.head_id, hash=prev.head_hash).exists()
        )
        if report.intact and (not head_kept or count - report.checked != prev.count):
            raise CheckpointError(
                f"not signed: the events checkpoint {prev.sequence} covers were changed since it "
                "was signed; run `waymark audit verify` to find out how",
                tampered=True,
            )
    if report.broken is not None:
        raise CheckpointError(
            f"not signed: {report.broken.detail}. Run `waymark audit verify`", tampered=True
        )
    now = now or datetime.datetime.now(tz=datetime.UTC)
    checkpoint = Checkpoint(
        v=CHECKPOINT_VERSION,
        sequence=len(checkpoints) + 1,
        count=count,
        head_id=head_id,
        head_hash=report.head_hash,
        unkeyed=unkeyed,
        at=now.astimezone(datetime.UTC).isoformat(timespec="seconds"),
        prev=prev.digest() if prev is not None else GENESIS_HASH,
        key_id=public_key_id(public),
        audit_key_id=audit_key_id(key),
    )
    signed = SignedCheckpoint(
        checkpoint=checkpoint,
        signature=base64.b64encode(private.sign(checkpoint.canonical())).decode(),
    )
    _store(directory, signed)
    LOGGER.info(signed.line())
    return signed


def _store(directory: Path, signed: SignedCheckpoint) -> None:
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = directory / signed.checkpoint.file_name
    try:
        # O_EXCL: a checkpoint file is never overwritten; read-only once written.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
    except FileExistsError:
        raise CheckpointError(
            f"{path} already exists: another checkpoint was written at the same time; run it again",
            tampered=False,
        ) from None
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(signed.line() + "\n")
        file.flush()
        os.fsync(file.fileno())
