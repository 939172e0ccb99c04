"""Abstract bases shared by every Waymark record."""

from collections.abc import Iterable
from typing import Any

from django.db import NotSupportedError, connections, models, router, transaction
from django.utils import timezone


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Reliability(models.TextChoices):
    """How far a link or flag can be relied on. A name on a peer map is not a fact."""

    CONFIRMED = "confirmed", "Confirmed"
    TENTATIVE = "tentative", "Tentative"
    UNCONFIRMED = "unconfirmed", "Unconfirmed"


RELIABILITY_RANK = {
    Reliability.UNCONFIRMED: 0,
    Reliability.TENTATIVE: 1,
    Reliability.CONFIRMED: 2,
}

RELIABILITY_IN_WORDS = {
    Reliability.CONFIRMED: "Confirmed: seen or verified by a professional",
    Reliability.TENTATIVE: "Tentative: reported by more than one source, not verified",
    Reliability.UNCONFIRMED: "Unconfirmed: a single report, not verified",
}


class EncryptedQuerySet(models.QuerySet[Any]):
    """bulk_create() allocates the ids of new rows first, in one statement: their encrypted
    fields are encrypted for their row (ADR 0011)."""

    def bulk_create(self, objs: Iterable[Any], *args: Any, **kwargs: Any) -> list[Any]:
        objs = list(objs)
        new = [obj for obj in objs if obj.pk is None]
        if new:
            for obj, pk in zip(new, ids_allocate(self.model, len(new), using=self.db), strict=True):
                obj.pk = pk
        return super().bulk_create(objs, *args, **kwargs)


class EncryptedModel(models.Model):
    """The base of every model with encrypted fields: a new row gets its id before INSERT, so its
    values can be encrypted for it (ADR 0011). save() and create() allocate one id;
    `objects.bulk_create()` allocates a batch in one statement."""

    objects = EncryptedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is None:
            using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
            self.pk = ids_allocate(type(self), 1, using=using)[0]
            kwargs["force_insert"] = True
        super().save(*args, **kwargs)


def ids_allocate(model: type[models.Model], count: int, *, using: str) -> list[int]:
    """`count` new primary keys for `model`, reserved so that no other insert takes them.

    PostgreSQL draws them from the column's sequence (identity columns have one too). SQLite's
    AUTOINCREMENT keeps the highest id it has handed out in `sqlite_sequence`; moving that on by
    `count` reserves the ids after it, and the ids given here are then never reused either.
    """
    connection = connections[using]
    qn = connection.ops.quote_name
    table, pk = model._meta.db_table, model._meta.pk.column
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [qn(table), pk, count],
            )
            return sorted(row[0] for row in cursor.fetchall())
        if connection.vendor == "sqlite":
            highest = f"(SELECT coalesce(max({qn(pk)}), 0) FROM {qn(table)})"  # noqa: S608  # nosec B608 (quoted identifiers from model metadata)
            cursor.execute(
                f"UPDATE sqlite_sequence SET seq = max(seq, {highest}) + %s "  # noqa: S608  # nosec B608 (quoted identifiers from model metadata)
                "WHERE name = %s RETURNING seq",
                [count, table],
            )
            row = cursor.fetchone()
            if row is None:
                cursor.execute(
                    f"INSERT INTO sqlite_sequence (name, seq) SELECT %s, {highest} + %s "  # noqa: S608  # nosec B608 (quoted identifiers from model metadata)
                    "RETURNING seq",
                    [table, count],
                )
                row = cursor.fetchone()
            return list(range(row[0] - count + 1, row[0] + 1))
    raise NotSupportedError(
        f"Allocating ids ahead of INSERT is not implemented for {connection.vendor}; "
        "Waymark runs on SQLite and PostgreSQL."
    )
