"""A research table as a CSV file: the cells as the page shows them, safe to open in a spreadsheet."""
from __future__ import annotations

import csv
import io
import re

from portal.research.report import Table

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?\d+(\.\d+)?%?")
SLUG_UNSAFE = re.compile(r"[^a-z0-9]+")


def spreadsheet_safe(cell: str) -> str:
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe; numbers such as -3 or +12% stay."""
    if cell.startswith(FORMULA_START) and not NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def table_csv(table: Table) -> str:
    """The table's header and rows as CSV (withheld cells stay "[c]", empty ones "–")."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([spreadsheet_safe(h) for h in table.headers])
    writer.writerows([spreadsheet_safe(str(cell)) for cell in row] for row in table.rows)
    return out.getvalue()


def table_filename(slug: str, number: int, filters: dict[str, str]) -> str:
    """e.g. local-reach-responses-table-1-area-wealden-sample-since-2025-01-01.csv (filters in a fixed order)."""
    parts = ["local-reach", slug, "table", str(number)]
    for name, value in filters.items():
        parts += [name, SLUG_UNSAFE.sub("-", value.lower()).strip("-")[:40]]
    return "-".join(p for p in parts if p) + ".csv"
