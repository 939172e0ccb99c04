"""Key rotation for encrypted fields (ADR 0011): `waymark keys rotate`, recorded in the audit trail.

Every encrypted value not already under the newest key of WAYMARK_FIELD_KEYS is re-encrypted for
its row under that key (`waymark.core.reencryption`): table by table in primary-key order, one
transaction per batch, with the batch's rows locked against concurrent edits. A value in the old,
unbound Fernet format is refused, naming its field and row: only the conversion migration may bind
one to its row. Values already done are skipped, so an interrupted run is finished by running it
again. The blind indexes are rebuilt in the same batches, so a changed WAYMARK_BLIND_INDEX_KEY is
taken up too. When the run completes, the older keys can be removed.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db import connection
from tqdm import tqdm

from waymark.core import crypto
from waymark.core.reencryption import EncryptedTable, encrypted_tables, table_reencrypt

from .services import audit_record

if TYPE_CHECKING:  # annotations only: accounts sits above audit
    from waymark.accounts.types import Actor


@dataclass
class RotationReport:
    key_id: str
    values: int = 0
    rows: dict[str, int] = field(default_factory=dict)


def _batch_done(
    table: EncryptedTable, report: RotationReport, bar: Any, pks: list[Any], changed: int
) -> None:
    """In each batch's transaction: rebuild its blind indexes and count it."""
    rebuild: Callable[[list[Any]], None] | None = getattr(
        table.model, "blind_indexes_rebuild", None
    )
    if rebuild is not None:
        rebuild(pks)
    report.rows[table.label] = report.rows.get(table.label, 0) + len(pks)
    report.values += changed
    bar.update(len(pks))


def keys_rotate(*, actor: "Actor | None" = None, progress: bool = False) -> RotationReport:
    report = RotationReport(key_id=crypto.key_id(crypto.field_keys()[0]))
    plan = encrypted_tables(apps.get_models())
    total = sum(table.model._default_manager.count() for table in plan)
    with tqdm(total=total, desc="Re-encrypting", unit="row", disable=not progress) as bar:
        for table in plan:
            table_reencrypt(
                connection, table, after_batch=functools.partial(_batch_done, table, report, bar)
            )
    audit_record(
        actor=actor,
        action="update",
        object_type="keys.rotation",
        object_id=report.key_id,
        changed_fields=[label.lower() for table in plan for label in table.labels],
        purpose=(
            f"Re-encrypted {report.values:,} values in {sum(report.rows.values()):,} rows under "
            f"key {report.key_id}: "
            + ", ".join(f"{label} {n:,}" for label, n in report.rows.items())
        )[:500],
    )
    return report
