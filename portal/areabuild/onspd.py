"""One streaming pass over the ONS Postcode Directory: postcodes inside the area, per district.

Only live postcodes count (no date of termination). The columns are found by name, in
the long-standing layout (``pcds``, ``oslaua``, ``osward``, ``oseast1m``…) or the newer
one with year-coded names (``lad25cd``, ``wd25cd``, ``east1m``…).
"""
from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from portal.areabuild.sources import AreaDataError, csv_files, find_column

logger = logging.getLogger(__name__)

DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?$")
ONSPD_FILE = re.compile(r"^ONSPD_.*\.csv$", re.I)
#: Side of the grid squares used to tell whether a named place lies in the area (metres).
CELL = 1000
#: Latitude ONSPD gives to postcodes with no grid reference (they are skipped for the box).
NO_LATITUDE = 99.999999


def cell_of(easting: float, northing: float) -> int:
    """Return one int naming the 1 km grid square of a British National Grid point."""
    return int(easting // CELL) * 10_000 + int(northing // CELL)


@dataclass
class PostcodeTally:
    """What one pass over the directory learned about an area."""

    lad: str
    wards: frozenset[str]
    inside: Counter = field(default_factory=Counter)        # district -> live postcodes in the area
    total: Counter = field(default_factory=Counter)         # district -> live postcodes anywhere
    inside_cells: Counter = field(default_factory=Counter)  # grid square -> postcodes in the area
    all_cells: Counter = field(default_factory=Counter)     # grid square -> postcodes anywhere
    wards_seen: set[str] = field(default_factory=set)       # wards of the LAD met in the file
    bbox: list[float] | None = None                         # [min_lon, min_lat, max_lon, max_lat]
    rows: int = 0
    with_cells: bool = True

    def share(self, district: str) -> float:
        """Share of a district's live postcodes that lie in the area."""
        return self.inside[district] / self.total[district] if self.total[district] else 0.0

    def cell_inside(self, easting: float, northing: float) -> bool:
        """True when most postcodes around a point (its square, else the 3 x 3 block) are in the area."""
        own = cell_of(easting, northing)
        if self.all_cells[own]:
            return self.inside_cells[own] * 2 >= self.all_cells[own]
        block = [own + dx * 10_000 + dy for dx in (-1, 0, 1) for dy in (-1, 0, 1)]
        total = sum(self.all_cells[c] for c in block)
        return bool(total) and sum(self.inside_cells[c] for c in block) * 2 >= total

    def _grow_box(self, lat: float, lon: float) -> None:
        if self.bbox is None:
            self.bbox = [lon, lat, lon, lat]
        else:
            box = self.bbox
            box[0], box[1], box[2], box[3] = min(box[0], lon), min(box[1], lat), max(box[2], lon), max(box[3], lat)


class _Columns:
    """Indexes of the ONSPD columns this build reads."""

    def __init__(self, header: list[str], label: str) -> None:
        postcode = find_column(header, ("pcds", "pcd", "pcd2", "pcd8", "pcd7"))
        lad = find_column(header, ("oslaua",), r"lad\d\dcd")
        if postcode is None or lad is None:
            raise AreaDataError(
                f"{label}: this does not look like the ONS Postcode Directory (no 'pcds' or 'oslaua' "
                "column in its first line); use Data/ONSPD_<month>_<year>_UK.csv from the ONSPD download")
        self.postcode, self.lad = postcode, lad
        self.ward = find_column(header, ("osward",), r"wd\d\dcd")
        self.terminated = find_column(header, ("doterm",))
        self.east = find_column(header, ("oseast1m", "east1m"))
        self.north = find_column(header, ("osnrth1m", "north1m"))
        self.lat = find_column(header, ("lat",))
        self.lon = find_column(header, ("long", "lon"))
        self.width = max(i for i in vars(self).values() if isinstance(i, int)) + 1


def _district(postcode: str) -> str | None:
    postcode = postcode.strip().upper()
    outward = postcode.split()[0] if " " in postcode else postcode[:-3]
    return outward if DISTRICT.match(outward) else None


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def tally_postcodes(path: Path, lad: str, wards: frozenset[str] = frozenset(),
                    with_cells: bool = True) -> PostcodeTally:
    """Count the live postcodes of every district, and those inside the LAD (and wards, if any).

    Args:
        path: the ONSPD CSV (or the zip it is published in).
        lad: the local authority district code, e.g. E07000063.
        wards: ward codes within the LAD; empty means the whole LAD.
        with_cells: also count postcodes per 1 km square (needed to place OS Open Names entries).

    Raises:
        AreaDataError: the file is not the ONSPD, or no live postcode lies in the area.
    """
    label = "ONSPD file"
    tally = PostcodeTally(lad=lad.upper(), wards=frozenset(w.upper() for w in wards), with_cells=with_cells)
    with csv_files(path, label, prefer=ONSPD_FILE) as files:
        for rows in files:
            header = [h.strip().lower() for h in next(rows, [])]
            columns = _Columns(header, label)
            for row in rows:
                if len(row) >= columns.width:
                    _count(tally, row, columns)
    logger.info("ONSPD: %s rows, %s live postcodes in %s", tally.rows, sum(tally.inside.values()), tally.lad)
    _check(tally)
    return tally


def _count(tally: PostcodeTally, row: list[str], columns: _Columns) -> None:
    tally.rows += 1
    if columns.terminated is not None and row[columns.terminated].strip():
        return
    district = _district(row[columns.postcode])
    if district is None:
        return
    in_lad = row[columns.lad].strip().upper() == tally.lad
    ward = row[columns.ward].strip().upper() if columns.ward is not None else ""
    if in_lad and ward:
        tally.wards_seen.add(ward)
    inside = in_lad and (not tally.wards or ward in tally.wards)
    tally.total[district] += 1
    if inside:
        tally.inside[district] += 1
    if tally.with_cells and columns.east is not None and columns.north is not None:
        east, north = _number(row[columns.east]), _number(row[columns.north])
        if east and north:
            cell = cell_of(east, north)
            tally.all_cells[cell] += 1
            if inside:
                tally.inside_cells[cell] += 1
    if inside and columns.lat is not None and columns.lon is not None:
        lat, lon = _number(row[columns.lat]), _number(row[columns.lon])
        if lat is not None and lon is not None and abs(lat) < NO_LATITUDE - 1:
            tally._grow_box(lat, lon)


def _check(tally: PostcodeTally) -> None:
    if tally.rows == 0:
        raise AreaDataError("ONSPD file: it has a header but no postcodes")
    missing = sorted(tally.wards - tally.wards_seen)
    if missing:
        raise AreaDataError(f"ONSPD file: no live postcode of local authority {tally.lad} lies in ward(s) "
                            f"{', '.join(missing)}; check the ward codes (E05…, W05…, S13…)")
    if not tally.inside:
        raise AreaDataError(f"ONSPD file: no live postcode lies in local authority {tally.lad}; check the "
                            "code (e.g. E07000063 for Lewes; E06…, E07…, E08…, E09…, W06…, S12…)")


def lads_in_cells(path: Path, cells: set[int]) -> Counter:
    """Count the live postcodes of each council in the given 1 km squares (to name a council's code)."""
    counts: Counter = Counter()
    with csv_files(path, "ONSPD file", prefer=ONSPD_FILE) as files:
        for rows in files:
            columns = _Columns([h.strip().lower() for h in next(rows, [])], "ONSPD file")
            if columns.east is None or columns.north is None:
                raise AreaDataError("ONSPD file: it has no grid references (oseast1m, osnrth1m) to place councils by")
            for row in rows:
                if len(row) < columns.width or (columns.terminated is not None and row[columns.terminated].strip()):
                    continue
                east, north = _number(row[columns.east]), _number(row[columns.north])
                if east and north and cell_of(east, north) in cells:
                    counts[row[columns.lad].strip().upper()] += 1
    return counts
