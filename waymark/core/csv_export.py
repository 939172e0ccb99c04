"""CSV for people to open in a spreadsheet, safe from formula injection.

A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return, which some
programs strip before looking) as a formula, so text typed into Waymark could run when an
export is opened. Such a cell is written with a leading apostrophe, which spreadsheets show as
text and do not evaluate (OWASP, "CSV Injection").
"""

import csv
import io
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """One cell as text: blank for None, and quoted with an apostrophe where a spreadsheet
    would take it for a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_safe_text(header: list[str], rows: Iterable[Iterable[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_cell(h) for h in header])
    writer.writerows([csv_cell(v) for v in row] for row in rows)
    return buffer.getvalue()
