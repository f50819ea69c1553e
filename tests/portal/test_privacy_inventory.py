"""docs/PRIVACY.md lists every column of every table with a classification."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from portal.extensions import db

PRIVACY = Path(__file__).resolve().parents[2] / "docs" / "PRIVACY.md"
CLASSES = {"none", "personal", "staff", "pseudonymous"}
ROW = re.compile(r"^\|\s*`(?P<column>[a-z_0-9]+\.[a-z_0-9]+)`\s*\|\s*(?P<cls>[a-z]+)\s*\|(?P<rest>.*)\|\s*$")


def inventory() -> dict[str, tuple[str, list[str]]]:
    text = PRIVACY.read_text(encoding="utf-8")
    section = text.split("<!-- inventory:start -->", 1)[1].split("<!-- inventory:end -->", 1)[0]
    rows: dict[str, tuple[str, list[str]]] = {}
    for line in section.splitlines():
        match = ROW.match(line.strip())
        if match:
            assert match["column"] not in rows, f"{match['column']} listed twice"
            rows[match["column"]] = (match["cls"], [cell.strip() for cell in match["rest"].split("|")])
    return rows


def model_columns() -> set[str]:
    return {f"{table.name}.{column.name}" for table in db.metadata.sorted_tables for column in table.columns}


def test_inventory_parses_and_is_substantial(app):
    rows = inventory()
    assert len(rows) > 100
    assert rows["outreach_contacts.message_text"][0] == "personal"


def test_every_model_column_is_in_the_inventory(app):
    missing = sorted(model_columns() - set(inventory()))
    assert missing == [], f"add these columns to the inventory in docs/PRIVACY.md: {missing}"


def test_inventory_lists_no_columns_that_do_not_exist(app):
    stale = sorted(set(inventory()) - model_columns())
    assert stale == [], f"remove these from docs/PRIVACY.md (no such column): {stale}"


@pytest.mark.parametrize("column", ["users.email", "communities.description", "candidates.title"])
def test_known_personal_fields_are_not_classified_none(app, column):
    assert inventory()[column][0] != "none"


def test_every_row_has_a_known_class_and_personal_rows_say_why_who_and_how_long(app):
    for column, (cls, cells) in inventory().items():
        assert cls in CLASSES, f"{column}: unknown class {cls!r}"
        if cls != "none":
            assert len(cells) == 3, f"{column}: a {cls} field needs why held, who can see it and its retention"
            assert all(cell and cell != "–" for cell in cells), f"{column}: a {cls} field needs why held, who can see it and its retention"
