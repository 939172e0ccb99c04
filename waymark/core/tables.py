"""Sortable tables: a column heading a reader can click to sort by it, either way.

A page lists its sortable columns as query value -> (heading, key for ascending order). The
sort and the order come from the query string (`?sort=size&order=ascending`), so sorting works
without JavaScript; anything not in the list leaves the rows in the page's own order.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.http import QueryDict

RowT = TypeVar("RowT")

ASCENDING, DESCENDING = "ascending", "descending"


@dataclass(frozen=True)
class SortedTable(Generic[RowT]):
    rows: list[RowT]
    sort: str  # the column sorted by, "" for the page's own order
    order: str  # "ascending" or "descending", "" for the page's own order
    headings: list[dict[str, str]]  # for each column: key, label, aria-sort value, next order


def table_sort(
    *,
    rows: Sequence[RowT],
    columns: Mapping[str, tuple[str, Callable[[RowT], Any]]],
    query: Mapping[str, str] | QueryDict,
    default_key: Callable[[RowT], Any] | None = None,
) -> SortedTable[RowT]:
    """The rows sorted as the query string asks, and the headings that change the sort.

    Without a known column the rows keep their order, or are sorted by `default_key` when given.
    A column sorts descending first: the largest, strongest or most recent is what a reader
    usually wants to see at the top.
    """
    sort = query.get("sort") or ""
    if sort in columns:
        order = ASCENDING if query.get("order") == ASCENDING else DESCENDING
        shown = sorted(rows, key=columns[sort][1], reverse=order == DESCENDING)
    else:
        sort, order = "", ""
        shown = sorted(rows, key=default_key) if default_key is not None else list(rows)
    headings = [
        {
            "key": key,
            "label": label,
            "aria": order if key == sort else "none",
            "next": ASCENDING if key == sort and order == DESCENDING else DESCENDING,
        }
        for key, (label, _) in columns.items()
    ]
    return SortedTable(rows=shown, sort=sort, order=order, headings=headings)


def query_without(query: QueryDict, *names: str) -> str:
    """The query string without the named parameters, e.g. to build links that set them anew."""
    kept = query.copy()
    for name in names:
        kept.pop(name, None)
    return kept.urlencode()
