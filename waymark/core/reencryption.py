"""Re-encrypting stored values in place (ADR 0011): the engine of `waymark keys rotate` and of the
migration that converted the old Fernet format.

Table by table, batch by batch in primary-key order, each batch its own transaction. Every value
not already under the newest key in the current format is decrypted for its row and encrypted
again; values already current are left alone, so a run that was interrupted is finished by
running it again. Concurrent edits are not lost: on PostgreSQL the batch's rows are locked
(SELECT ... FOR UPDATE) until the batch commits, and on SQLite a write transaction already
excludes other writers. Each UPDATE also names the value it replaces (compare and swap), and a row
that changed in between is read again. It works with plain SQL on the model metadata, so
migrations can run it with their historical models.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from . import crypto
from .fields import EncryptedMixin

BATCH = 500
ATTEMPTS = 5


@dataclass(frozen=True)
class EncryptedTable:
    model: Any
    table: str
    pk: str
    columns: tuple[str, ...]
    labels: tuple[str, ...]  # "people.YoungPerson.nhs_number", one per column

    @property
    def label(self) -> str:
        return str(self.model._meta.label_lower)


def encrypted_tables(models: Iterable[Any]) -> list[EncryptedTable]:
    """The tables with encrypted columns among `models`, in a stable order."""
    found = []
    for model in sorted(models, key=lambda m: m._meta.label):
        fields: list[Any] = [
            f for f in model._meta.concrete_fields if isinstance(f, EncryptedMixin)
        ]
        if fields and not model._meta.proxy:
            found.append(
                EncryptedTable(
                    model=model,
                    table=model._meta.db_table,
                    pk=model._meta.pk.column,
                    columns=tuple(f.column for f in fields),
                    labels=tuple(f"{model._meta.label}.{f.name}" for f in fields),
                )
            )
    return found


def batch_lock(connection: Any, table: EncryptedTable, after: Any, size: int = BATCH) -> list[Any]:
    """The next `size` rows after primary key `after`, locked until the transaction ends where
    the database can lock rows. Call inside a transaction."""
    qn = connection.ops.quote_name
    selected = ", ".join(qn(c) for c in table.columns)
    where = "" if after is None else f"WHERE {qn(table.pk)} > %s "
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {qn(table.pk)}, {selected} FROM {qn(table.table)} {where}"  # noqa: S608  # nosec B608 (quoted identifiers from model metadata)
            f"ORDER BY {qn(table.pk)} LIMIT %s{lock}",
            ([] if after is None else [after]) + [size],
        )
        return list(cursor.fetchall())


def _converted(value: Any, binding: crypto.Binding, *, legacy: bool, accept_legacy: bool) -> Any:
    """The value re-encrypted for `binding` under the newest key, or the value if it already is.

    A value in the old, unbound format is converted only by the migration that converts them
    (`accept_legacy`): found later, it was put there since, e.g. copied from an old backup into
    another row, and binding it to this row would make the copy this row's value.
    """
    if value is None or value == "":
        return value
    if crypto.is_legacy(value):
        if legacy:
            return value
        if not accept_legacy:
            raise crypto.UndecryptableValue(
                f"{binding.describe()} holds a value in the old, unbound format, which only the "
                "migration that converted the database accepts: it was written there since, "
                "perhaps copied from an old backup, and is not trusted. Clear or re-enter it."
            )
        return crypto.encrypt(crypto.legacy_decrypt(value, binding=binding), binding=binding)
    if not legacy and crypto.is_current(value):
        return value
    plaintext = crypto.decrypt(value, binding=binding)
    return (
        crypto.legacy_encrypt(plaintext) if legacy else crypto.encrypt(plaintext, binding=binding)
    )


def batch_write(
    connection: Any,
    table: EncryptedTable,
    rows: list[Any],
    *,
    legacy: bool = False,
    accept_legacy: bool = False,
) -> tuple[int, list[Any]]:
    """Re-encrypt these rows (from batch_lock). Returns the number of values changed and the
    primary keys of rows that changed since they were read, which were left alone."""
    qn = connection.ops.quote_name
    changed, missed = 0, []
    with connection.cursor() as cursor:
        for pk, *values in rows:
            new = {
                column: _converted(
                    value,
                    crypto.Binding(table.table, column, pk, label),
                    legacy=legacy,
                    accept_legacy=accept_legacy,
                )
                for column, label, value in zip(table.columns, table.labels, values, strict=True)
            }
            old = dict(zip(table.columns, values, strict=True))
            columns = [c for c in table.columns if new[c] != old[c]]
            if not columns:
                continue
            assignments = ", ".join(f"{qn(c)} = %s" for c in columns)
            unchanged = " AND ".join(f"{qn(c)} = %s" for c in columns)
            cursor.execute(
                f"UPDATE {qn(table.table)} SET {assignments} "  # noqa: S608  # nosec B608 (quoted identifiers from model metadata)
                f"WHERE {qn(table.pk)} = %s AND {unchanged}",
                [new[c] for c in columns] + [pk] + [old[c] for c in columns],
            )
            if cursor.rowcount == 1:
                changed += len(columns)
            else:
                missed.append(pk)
    return changed, missed


def table_reencrypt(
    connection: Any,
    table: EncryptedTable,
    *,
    legacy: bool = False,
    accept_legacy: bool = False,
    size: int = BATCH,
    after_batch: Callable[[list[Any], int], None] | None = None,
) -> None:
    """Re-encrypt every value of `table` under the newest key, one transaction per batch.
    `after_batch(pks, values changed)` runs inside each batch's transaction. With `legacy`, write
    the old Fernet format instead (to run the conversion backwards). Values in the old format
    are converted only with `accept_legacy` (the conversion migration); otherwise they are
    refused (UndecryptableValue), naming the field and row."""
    after = None
    while True:
        for _ in range(ATTEMPTS):
            with transaction.atomic(using=connection.alias):
                rows = batch_lock(connection, table, after, size)
                changed, missed = batch_write(
                    connection, table, rows, legacy=legacy, accept_legacy=accept_legacy
                )
                if not missed:
                    if after_batch is not None and rows:
                        after_batch([row[0] for row in rows], changed)
                    break
        else:
            raise RuntimeError(
                f"Rows of {table.label} kept changing while they were re-encrypted: run it again."
            )
        if not rows:
            return
        after = rows[-1][0]
