"""Key rotation for encrypted fields (ADR 0006): `waymark keys rotate`, recorded in the audit trail.

Every encrypted value is re-encrypted under the newest key in WAYMARK_FIELD_KEYS
(MultiFernet.rotate), table by table in primary-key order, one transaction per batch. Rotating a
value already under the newest key just encrypts it again, so an interrupted run is finished by
running it again. The blind indexes are rebuilt in the same batches, so a changed
WAYMARK_BLIND_INDEX_KEY is taken up too. When the run completes, the older keys can be removed.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db import connection, models, transaction
from tqdm import tqdm

from waymark.core import crypto
from waymark.core.fields import EncryptedMixin

from .services import audit_record

BATCH = 500

if TYPE_CHECKING:  # annotations only: accounts sits above audit
    from waymark.accounts.types import Actor


@dataclass
class RotationReport:
    key_id: str
    values: int = 0
    rows: dict[str, int] = field(default_factory=dict)


def encrypted_models() -> list[tuple[type[models.Model], list[models.Field]]]:
    """Every model with encrypted fields, and those fields, in a stable order."""
    found: list[tuple[type[models.Model], list[models.Field]]] = []
    for model in sorted(apps.get_models(), key=lambda m: m._meta.label):
        fields: list[models.Field] = [
            f for f in model._meta.concrete_fields if isinstance(f, EncryptedMixin)
        ]
        if fields:
            found.append((model, fields))
    return found


def key_id(key: str) -> str:
    """A short name for a key that reveals nothing about it, for logs and the audit trail."""
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def _rotate_batch(model: type[models.Model], fields: list[models.Field], after: Any) -> list[Any]:
    qn = connection.ops.quote_name
    table, pk = qn(model._meta.db_table), qn(model._meta.pk.column)
    columns = [f.column for f in fields]
    selected = ", ".join(qn(c) for c in columns)
    where = "" if after is None else f"WHERE {pk} > %s "
    params = ([] if after is None else [after]) + [BATCH]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {pk}, {selected} FROM {table} {where}ORDER BY {pk} LIMIT %s",  # noqa: S608  # nosec B608 (quoted identifiers from model metadata)
            params,
        )
        rows = cursor.fetchall()
        assignments = ", ".join(f"{qn(c)} = %s" for c in columns)
        cursor.executemany(
            f"UPDATE {table} SET {assignments} WHERE {pk} = %s",  # noqa: S608  # nosec B608 (quoted identifiers from model metadata)
            [[crypto.rotate(v) if v else v for v in row[1:]] + [row[0]] for row in rows],
        )
    return [row[0] for row in rows]


def keys_rotate(*, actor: "Actor | None" = None, progress: bool = False) -> RotationReport:
    report = RotationReport(key_id=key_id(crypto.field_keys()[0]))
    plan = encrypted_models()
    total = sum(model._default_manager.count() for model, _ in plan)
    with tqdm(total=total, desc="Re-encrypting", unit="row", disable=not progress) as bar:
        for model, fields in plan:
            rebuild: Callable[[list[Any]], None] | None = getattr(
                model, "blind_indexes_rebuild", None
            )
            after = None
            while True:
                with transaction.atomic():
                    pks = _rotate_batch(model, fields, after)
                    if rebuild is not None and pks:
                        rebuild(pks)
                if not pks:
                    break
                after = pks[-1]
                label = model._meta.label_lower
                report.rows[label] = report.rows.get(label, 0) + len(pks)
                report.values += len(pks) * len(fields)
                bar.update(len(pks))
    audit_record(
        actor=actor,
        action="update",
        object_type="keys.rotation",
        object_id=report.key_id,
        changed_fields=[f"{m._meta.label_lower}.{f.name}" for m, fs in plan for f in fs],
        purpose=(
            f"Re-encrypted the fields of {sum(report.rows.values()):,} rows under key "
            f"{report.key_id}: " + ", ".join(f"{label} {n:,}" for label, n in report.rows.items())
        )[:500],
    )
    return report
