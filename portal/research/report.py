"""What a research page shows: charts, the numbers behind them, and notes on how they were made."""
from __future__ import annotations

from dataclasses import dataclass, field

from portal.research.svg import Chart


@dataclass
class Table:
    """The numbers behind a chart, already formatted (withheld cells read "[c]")."""

    caption: str
    headers: list[str]
    rows: list[list[str]]


@dataclass
class Report:
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    empty: bool = False
    refused: str = ""  # why these filters would single out communities or officers (no figures then)
