"""Helpers for the migrations that encrypted existing columns in place (ADR 0006).

They read and write the columns with plain SQL, not through the encrypted fields: when they run,
a column may still hold plaintext. They write the Fernet format of that time, which the core
migration 0001 then converts to the current format (ADR 0011). A value that is already a Fernet
token is left as it is, so a migration interrupted and run again finishes the job. Works on
SQLite and PostgreSQL.
"""

from collections.abc import Callable, Sequence
from typing import Any

from . import crypto

BATCH = 500


def row_batches(schema_editor: Any, model: Any, columns: Sequence[str]) -> Any:
    """Yield (pk, {column: value}) in primary-key order, one batch at a time."""
    connection = schema_editor.connection
    qn = connection.ops.quote_name
    table, pk = qn(model._meta.db_table), qn(model._meta.pk.column)
    selected = ", ".join(qn(c) for c in columns)
    last = None
    while True:
        with connection.cursor() as cursor:
            if last is None:
                cursor.execute(
                    f"SELECT {pk}, {selected} FROM {table} ORDER BY {pk} LIMIT %s",  # noqa: S608  # nosec B608 (quoted identifiers from model metadata)
                    [BATCH],
                )
            else:
                cursor.execute(
                    f"SELECT {pk}, {selected} FROM {table} WHERE {pk} > %s "  # noqa: S608  # nosec B608 (quoted identifiers from model metadata)
                    f"ORDER BY {pk} LIMIT %s",
                    [last, BATCH],
                )
            batch = cursor.fetchall()
        if not batch:
            return
        yield [(row[0], dict(zip(columns, row[1:], strict=True))) for row in batch]
        last = batch[-1][0]


def _update(schema_editor: Any, model: Any, updates: list[tuple[Any, dict[str, Any]]]) -> None:
    if not updates:
        return
    connection = schema_editor.connection
    qn = connection.ops.quote_name
    columns = list(updates[0][1])
    assignments = ", ".join(f"{qn(c)} = %s" for c in columns)
    sql = (
        f"UPDATE {qn(model._meta.db_table)} SET {assignments} "  # noqa: S608  # nosec B608 (quoted identifiers from model metadata)
        f"WHERE {qn(model._meta.pk.column)} = %s"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, [[values[c] for c in columns] + [pk] for pk, values in updates])


def plaintext(value: Any) -> str:
    if value is None:
        return ""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return crypto.legacy_decrypt(text) if crypto.is_legacy(text) else text


def encrypt_rows(
    schema_editor: Any,
    model: Any,
    columns: Sequence[str],
    indexes: Callable[[dict[str, str]], dict[str, str]] | None = None,
) -> None:
    """Encrypt `columns` of every row; `indexes(plaintext by column)` gives blind-index columns."""
    for batch in row_batches(schema_editor, model, columns):
        updates = []
        for pk, values in batch:
            plain = {c: plaintext(v) for c, v in values.items()}
            row = {
                c: v if v is None or crypto.is_legacy(str(v)) else _encrypt(plain[c])
                for c, v in values.items()
            }
            if indexes is not None:
                row.update(indexes(plain))
            updates.append((pk, row))
        _update(schema_editor, model, updates)


def _encrypt(text: str) -> str:
    return crypto.legacy_encrypt(text) if text else ""


def decrypt_rows(schema_editor: Any, model: Any, columns: Sequence[str]) -> None:
    """Undo encrypt_rows: put the plaintext back, for a migration run backwards."""
    for batch in row_batches(schema_editor, model, columns):
        _update(
            schema_editor,
            model,
            [
                (pk, {c: None if v is None else plaintext(v) for c, v in vs.items()})
                for pk, vs in batch
            ],
        )
