from dataclasses import dataclass

from django.http import QueryDict

from waymark.core.tables import query_without, table_sort


@dataclass(frozen=True)
class Row:
    name: str
    size: int


ROWS = [Row("b", 2), Row("a", 3), Row("c", 1)]
COLUMNS = {"name": ("Name", lambda r: r.name), "size": ("Members", lambda r: r.size)}


def names(rows: list[Row]) -> str:
    return "".join(r.name for r in rows)


def test_a_column_sorts_descending_unless_ascending_is_asked_for():
    assert names(table_sort(rows=ROWS, columns=COLUMNS, query=QueryDict("sort=size")).rows) == "abc"
    table = table_sort(rows=ROWS, columns=COLUMNS, query=QueryDict("sort=size&order=ascending"))
    assert names(table.rows) == "cba"
    assert (table.sort, table.order) == ("size", "ascending")
    table = table_sort(rows=ROWS, columns=COLUMNS, query=QueryDict("sort=size&order=sideways"))
    assert table.order == "descending"


def test_an_unknown_column_keeps_the_pages_own_order_or_the_default():
    table = table_sort(rows=ROWS, columns=COLUMNS, query=QueryDict("sort=colour&order=ascending"))
    assert (names(table.rows), table.sort, table.order) == ("bac", "", "")
    table = table_sort(rows=ROWS, columns=COLUMNS, query={}, default_key=lambda r: r.name)
    assert names(table.rows) == "abc"
    assert names(ROWS) == "bac"  # the caller's list is not sorted in place


def test_headings_say_how_each_column_is_sorted_and_what_a_click_does():
    table = table_sort(rows=ROWS, columns=COLUMNS, query=QueryDict("sort=size"))
    assert table.headings == [
        {"key": "name", "label": "Name", "aria": "none", "next": "descending"},
        {"key": "size", "label": "Members", "aria": "descending", "next": "ascending"},
    ]
    table = table_sort(rows=ROWS, columns=COLUMNS, query=QueryDict("sort=size&order=ascending"))
    assert table.headings[1] == {
        "key": "size", "label": "Members", "aria": "ascending", "next": "descending"
    }  # fmt: skip


def test_query_without_drops_only_the_named_parameters():
    query = QueryDict("sort=size&order=ascending&page=2&category=cse&category=cce")
    assert query_without(query, "sort", "order", "absent") == "page=2&category=cse&category=cce"
    assert query.get("sort") == "size"  # the request's own query is left alone
