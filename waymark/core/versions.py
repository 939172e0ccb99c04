"""Data versions: a short fingerprint of the tables a computed result reads.

A result cached or stored under the version of its inputs is recomputed exactly when something
it reads has changed. The fingerprint is made of cheap aggregates: how many rows, and the
largest value of columns that move on every write (the id catches a delete followed by an
insert; `updated_at` catches an edit). Callers name the tables; core knows none of them.
"""

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Manager, Max, QuerySet


@dataclass(frozen=True)
class Watched:
    """A table (or part of one) that a result reads, and the columns whose largest value moves."""

    rows: QuerySet[Any] | Manager[Any]
    latest: Sequence[str] = ()


def data_version(
    watched: Iterable[Watched], *, also: Sequence[object] = (), length: int = 32
) -> str:
    """A hash that changes whenever any watched table changes, or any value in `also` does.

    `also` holds what the result depends on besides the tables, such as today's date when links
    lapse at their review date.
    """
    parts: list[object] = []
    for table in watched:
        aggregates: dict[str, Any] = {"rows": Count("pk")}
        aggregates.update({f"max_{column}": Max(column) for column in table.latest})
        parts.append(table.rows.aggregate(**aggregates))
    parts.extend(also)
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:length]
