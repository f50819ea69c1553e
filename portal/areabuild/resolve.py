"""Choose the area: a council and wards by code, or by name (ONS IPN, or OS Open Names + ONSPD)."""
from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from portal.areabuild.names import LATEST_LAD_NAME, OPEN_NAMES_COLUMNS
from portal.areabuild.onspd import cell_of, lads_in_cells
from portal.areabuild.sources import AreaDataError, csv_files, find_column

logger = logging.getLogger(__name__)

GSS_CODE = re.compile(r"^[ENSWK][0-9]{8}$")
IPN_FILE = re.compile(r"^IPN.*\.csv$", re.I)
LABEL = "Place names file"


@dataclass
class AreaChoice:
    """The area an admin chose: a local authority (code or name) and optionally some wards."""

    lad: str
    wards: tuple[str, ...] = ()
    name: str | None = None


def is_ipn(path: Path) -> bool:
    """True when the place-names file is the ONS Index of Place Names (it has a place23nm column)."""
    with csv_files(path, LABEL, prefer=IPN_FILE) as files:
        for rows in files:
            header = [h.strip().lower() for h in next(rows, [])]
            return find_column(header, (), r"place\d\dnm") is not None
    return False


def _code(text: str) -> str | None:
    text = text.strip().upper()
    return text if GSS_CODE.match(text) else None


def resolve_choice(choice: AreaChoice, onspd_path: Path, names_path: Path) -> AreaChoice:
    """Turn a council or ward given by name into its code.

    With the Index of Place Names, councils and wards are looked up by name there. With OS
    Open Names (no codes, no wards), a council's name picks its places, and the council code
    most of the postcodes around them carry is the one.

    Raises:
        AreaDataError: the name is unknown, or a ward is named with OS Open Names.
    """
    named_wards = [w for w in choice.wards if _code(w) is None]
    if _code(choice.lad) and not named_wards:
        return AreaChoice(_code(choice.lad) or "", tuple(w.strip().upper() for w in choice.wards), choice.name)
    if not is_ipn(names_path):
        if named_wards:
            raise AreaDataError("Wards can be chosen by name only with the ONS Index of Place Names as the "
                                "place names file; with OS Open Names give ward codes (E05…)")
        return AreaChoice(_lad_from_open_names(onspd_path, names_path, choice.lad),
                          tuple(w.strip().upper() for w in choice.wards), choice.name)
    lads, wards = _ipn_codes(names_path)
    lad = _code(choice.lad) or lads.get(choice.lad.strip().lower())
    if lad is None:
        raise AreaDataError(f"No local authority is called {choice.lad!r} in the Index of Place Names; "
                            "give its name as the IPN spells it, or its code (e.g. E07000063)")
    codes = []
    for ward in choice.wards:
        code = _code(ward) or wards.get((lad, ward.strip().lower()))
        if code is None:
            raise AreaDataError(f"No ward called {ward!r} in {lad}; give its code (e.g. E05011234) instead")
        codes.append(code)
    return AreaChoice(lad, tuple(codes), choice.name)


def _ipn_codes(path: Path) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """Council name -> code and (council, ward name) -> ward code, from the IPN."""
    lads: dict[str, str] = {}
    wards: dict[tuple[str, str], str] = {}
    with csv_files(path, LABEL, prefer=IPN_FILE) as files:
        for rows in files:
            header = [h.strip().lower() for h in next(rows, [])]
            name, kind = find_column(header, (), r"place\d\dnm"), find_column(header, ("descnm",))
            lad, lad_name = find_column(header, (), r"lad\d\dcd"), find_column(header, (), LATEST_LAD_NAME)
            ward = find_column(header, (), r"wd\d\dcd")
            if name is None or kind is None or lad is None or lad_name is None:
                raise AreaDataError("Councils and wards can be chosen by name only with the ONS Index of Place "
                                    "Names as the place names file; with OS Open Names give codes (E07000063)")
            for row in rows:
                if len(row) != len(header):
                    continue
                lads.setdefault(row[lad_name].strip().lower(), row[lad].strip().upper())
                if ward is not None and row[kind].strip() == "WD":
                    wards[(row[lad].strip().upper(), row[name].strip().lower())] = row[ward].strip().upper()
    return lads, wards




def _lad_from_open_names(onspd_path: Path, names_path: Path, council: str) -> str:
    """The code of the council OS Open Names calls ``council`` (its DISTRICT_BOROUGH or COUNTY_UNITARY)."""
    wanted = council.strip().lower()
    column = {name: index for index, name in enumerate(OPEN_NAMES_COLUMNS)}
    cells = set()
    with csv_files(names_path, LABEL) as files:
        for rows in files:
            for row in rows:
                if len(row) < len(OPEN_NAMES_COLUMNS) - 3 or row[column["type"]] != "populatedPlace":
                    continue
                if wanted in (row[column["district_borough"]].strip().lower(),
                              row[column["county_unitary"]].strip().lower()):
                    try:
                        cells.add(cell_of(float(row[column["geometry_x"]]), float(row[column["geometry_y"]])))
                    except ValueError:
                        continue
    if not cells:
        raise AreaDataError(f"No council called {council!r} in OS Open Names; give its name as OS Open Names "
                            "spells it (its district or unitary authority), or its code (e.g. E07000063)")
    counts: Counter = lads_in_cells(onspd_path, cells)
    if not counts:
        raise AreaDataError(f"No live postcode lies near the places of {council!r}; give the council's code")
    lad, _count = counts.most_common(1)[0]
    logger.info("OS Open Names council %r is %s (%s postcodes around its places)", council, lad, _count)
    return lad
