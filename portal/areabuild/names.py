"""One streaming pass over a place-names file: the area's places, and their namesakes elsewhere.

Two official files are understood:
- the ONS Index of Place Names (IPN) CSV: one row per place with its local authority
  (``lad23cd``) and ward (``wd23cd``) codes, so membership is read from the row;
- OS Open Names CSV: no header (the product ships it separately) and no council codes,
  so a populated place belongs to the area when most postcodes around it do (ONSPD).
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from portal.areabuild.onspd import PostcodeTally
from portal.areabuild.sources import AreaDataError, csv_files, find_column

logger = logging.getLogger(__name__)

#: OS Open Names columns, in the order of its header file (DOC/OS_Open_Names_Header.csv).
OPEN_NAMES_COLUMNS = (
    "id", "names_uri", "name1", "name1_lang", "name2", "name2_lang", "type", "local_type", "geometry_x",
    "geometry_y", "most_detail_view_res", "least_detail_view_res", "mbr_xmin", "mbr_ymin", "mbr_xmax",
    "mbr_ymax", "postcode_district", "postcode_district_uri", "populated_place", "populated_place_uri",
    "populated_place_type", "district_borough", "district_borough_uri", "district_borough_type",
    "county_unitary", "county_unitary_uri", "county_unitary_type", "region", "region_uri", "country",
    "country_uri", "related_spatial_object", "same_as_dbpedia", "same_as_geonames",
)
#: Weight of a place by its OS Open Names local type (how often the name means the place).
OPEN_NAMES_WEIGHTS = {"City": 1.0, "Capital City": 1.0, "Town": 1.0, "Village": 0.9, "Suburban Area": 0.8,
                      "Hamlet": 0.6, "Other Settlement": 0.6}
#: Weight by IPN descriptor: localities and built-up areas, then parishes and Welsh communities.
IPN_WEIGHTS = {"LOC": 1.0, "BUA": 1.0, "BUASD": 0.9, "PAR": 0.9, "COM": 0.9}
#: Namesakes at most this far from one of the area's own places are the same place split by a boundary.
SAME_PLACE_METRES = 10_000
#: The current council's name column (lad23nm), not the 1961 or 1991 ones the IPN also carries.
LATEST_LAD_NAME = r"lad(?!61|91)\d\dnm"
MAX_NAMESAKES = 5


@dataclass
class NamedPlace:
    """A place in the area: its name, other spellings, weight and grid position."""

    name: str
    aliases: set[str] = field(default_factory=set)
    weight: float = 0.0
    points: list[tuple[float, float]] = field(default_factory=list)


@dataclass
class PlaceNames:
    """The area's places and, by lower-cased name, where else in the country each name occurs."""

    kind: str
    places: dict[str, NamedPlace] = field(default_factory=dict)
    elsewhere: dict[str, list[tuple[float, float, str]]] = field(default_factory=dict)
    lad_name: str | None = None
    councils: dict[str, int] = field(default_factory=dict)  # Open Names: council names of the places

    @property
    def council(self) -> str | None:
        """The council's name: from the IPN, or the one most of the area's Open Names places give."""
        if self.lad_name:
            return self.lad_name
        named = {name: count for name, count in self.councils.items() if name}
        return max(named, key=lambda name: named[name]) if named else None

    def add(self, name: str, alias: str, weight: float, point: tuple[float, float] | None) -> None:
        place = self.places.setdefault(name.lower(), NamedPlace(name))
        place.weight = max(place.weight, weight)
        if alias and alias.lower() != name.lower():
            place.aliases.add(alias)
        if point:
            place.points.append(point)

    def namesake(self, name: str, point: tuple[float, float] | None, where: str) -> None:
        if point is None:
            return
        found = self.elsewhere.setdefault(name.lower(), [])
        if len(found) < 50:  # a few common names (Newtown) occur dozens of times; 50 is plenty
            found.append((*point, where))

    def ambiguous(self) -> dict[str, list[str]]:
        """Return the area's names and aliases that also name a place elsewhere: spelling -> where (a few)."""
        flagged = {}
        for place in self.places.values():
            for spelling in (place.name, *sorted(place.aliases)):
                others = [where for x, y, where in self.elsewhere.get(spelling.lower(), [])
                          if all((x - px) ** 2 + (y - py) ** 2 > SAME_PLACE_METRES ** 2 for px, py in place.points)]
                if others:
                    flagged[spelling] = sorted({where or "elsewhere" for where in others})[:MAX_NAMESAKES]
        return flagged

def _point(row: list[str], east: int | None, north: int | None) -> tuple[float, float] | None:
    if east is None or north is None:  # a file without grid references
        return None
    try:
        point = float(row[east]), float(row[north])
    except (ValueError, IndexError):
        return None
    return point if point[0] > 0 and point[1] > 0 else None


def read_place_names(path: Path, tally: PostcodeTally) -> PlaceNames:
    """Read the area's places from an IPN or OS Open Names file (CSV or zip).

    Raises:
        AreaDataError: the file is neither, or names no place in the area.
    """
    label = "Place names file"
    result: PlaceNames | None = None
    with csv_files(path, label, prefer=re.compile(r"^IPN.*\.csv$", re.I)) as files:
        for rows in files:
            first = next(rows, None)
            if first is None:
                continue
            header = [h.strip().lower() for h in first]
            if find_column(header, (), r"place\d\dnm") is not None:
                result = result or PlaceNames("ipn")
                _read_ipn(rows, header, tally, result, label)
            elif len(first) >= 20 and (header[0] == "id" or first[0].lower().startswith("osgb")):
                result = result or PlaceNames("open_names")
                body = rows if header[0] == "id" else _chain(first, rows)
                _read_open_names(body, tally, result)
            else:
                raise AreaDataError(f"{label}: this is neither the ONS Index of Place Names (no 'place23nm' "
                                    "column) nor OS Open Names (rows starting with an 'osgb…' identifier)")
    if result is None:
        raise AreaDataError(f"{label}: the file has no rows")
    if not result.places:
        raise AreaDataError(f"{label}: it names no town, village or neighbourhood inside {tally.lad}"
                            + (" and the chosen wards" if tally.wards else ""))
    return result


def _chain(first: list[str], rows: Iterator[list[str]]) -> Iterator[list[str]]:
    yield first
    yield from rows


def _read_ipn(rows: Iterator[list[str]], header: list[str], tally: PostcodeTally, result: PlaceNames,
              label: str) -> None:
    name = find_column(header, (), r"place\d\dnm")
    kind = find_column(header, ("descnm",))
    lad = find_column(header, (), r"lad\d\dcd")
    lad_name = find_column(header, (), LATEST_LAD_NAME)
    ward = find_column(header, (), r"wd\d\dcd")
    county = find_column(header, ("ctyhistnm",), r"cty\d\dnm")
    east, north = find_column(header, ("gridgb1e",)), find_column(header, ("gridgb1n",))
    if name is None or kind is None or lad is None:
        raise AreaDataError(f"{label}: an Index of Place Names needs 'place23nm', 'descnm' and 'lad23cd' columns")
    for row in rows:
        if len(row) != len(header) or row[kind].strip() not in IPN_WEIGHTS:
            continue
        place = row[name].strip()
        point = _point(row, east, north)
        inside = row[lad].strip().upper() == tally.lad and (
            not tally.wards or (ward is not None and row[ward].strip().upper() in tally.wards))
        if inside and place:
            result.add(place, "", IPN_WEIGHTS[row[kind].strip()], point)
            if lad_name is not None:
                result.lad_name = row[lad_name].strip() or result.lad_name
        elif place:
            result.namesake(place, point, row[county].strip() if county is not None else "")


def _read_open_names(rows: Iterator[list[str]], tally: PostcodeTally, result: PlaceNames) -> None:
    col = {name: index for index, name in enumerate(OPEN_NAMES_COLUMNS)}
    for row in rows:
        if len(row) < len(OPEN_NAMES_COLUMNS) - 3 or row[col["type"]] != "populatedPlace":
            continue
        weight = OPEN_NAMES_WEIGHTS.get(row[col["local_type"]].strip())
        place = row[col["name1"]].strip()
        point = _point(row, col["geometry_x"], col["geometry_y"])
        if weight is None or not place or point is None:
            continue
        if tally.cell_inside(*point):
            result.add(place, row[col["name2"]].strip(), weight, point)
            council = row[col["district_borough"]].strip() or row[col["county_unitary"]].strip()
            result.councils[council] = result.councils.get(council, 0) + 1
        else:
            where = row[col["county_unitary"]].strip() or row[col["district_borough"]].strip()
            result.namesake(place, point, where)
