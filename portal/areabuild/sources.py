"""Open the official files as streams of CSV rows: a plain CSV or the zip it is published in.

Nothing here reads a whole file into memory: rows are read one at a time, so the ONS
Postcode Directory (about 2.7 million rows, 1.3 GB) costs the same memory as a fixture.
"""
from __future__ import annotations

import csv
import io
import logging
import re
import zipfile
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import IO

logger = logging.getLogger(__name__)

#: Longest CSV line accepted (the widest ONSPD row is about 600 characters).
MAX_LINE = 20_000
#: Most CSV files read from one zip (OS Open Names ships one per 100 km square: 819).
MAX_MEMBERS = 2000
#: Folders of the downloads that hold documentation and look-up tables, not data.
DOC_FOLDERS = {"doc", "docs", "documents", "user guide"}


class AreaDataError(ValueError):
    """An official file cannot be used; the message says which file and why, for an admin."""


def _members(archive: zipfile.ZipFile, prefer: re.Pattern | None) -> list[zipfile.ZipInfo]:
    csvs = [m for m in archive.infolist() if m.filename.lower().endswith(".csv") and not m.is_dir()]
    data = [m for m in csvs if not DOC_FOLDERS & {part.lower() for part in Path(m.filename).parts[:-1]}]
    if prefer is not None:
        chosen = [m for m in data if prefer.search(Path(m.filename).name)]
        if chosen:  # e.g. Data/ONSPD_FEB_2025_UK.csv, not the multi_csv/ pieces
            return [max(chosen, key=lambda m: m.file_size)]
    return data[:MAX_MEMBERS]


def _lines(text: IO[str], label: str) -> Iterator[str]:
    for number, line in enumerate(text, start=1):
        if len(line) > MAX_LINE:
            raise AreaDataError(f"{label}: line {number} is longer than {MAX_LINE} characters; "
                                "this is not one of the expected CSV files")
        yield line


@contextmanager
def csv_files(path: Path, label: str, prefer: re.Pattern | None = None) -> Iterator[Iterator[Iterator[list[str]]]]:
    """Yield an iterator of row iterators, one per CSV file in ``path`` (a CSV, or a zip of CSVs).

    Each file is opened only when its rows are first read, and every file opened is
    closed when the block ends, even if its rows were not all read.

    Args:
        path: the file an admin downloaded (CSV or zip).
        label: how the file is named in error messages ("ONSPD file").
        prefer: in a zip, read only the largest CSV whose name matches this.

    Raises:
        AreaDataError: the file is missing, empty, or neither a CSV nor a zip of CSVs.
    """
    path = Path(path)
    if not path.is_file() or path.stat().st_size == 0:
        raise AreaDataError(f"{label}: the file is missing or empty")
    opened: list[Generator[list[str]]] = []

    def track(rows: Generator[list[str]]) -> Generator[list[str]]:
        opened.append(rows)
        return rows

    try:
        if zipfile.is_zipfile(path):
            with _open_zip(path, label) as archive:
                members = _members(archive, prefer)
                if not members:
                    raise AreaDataError(f"{label}: the zip file holds no CSV data file")
                yield (track(_rows(partial(archive.open, member), f"{label} ({Path(member.filename).name})"))
                       for member in members)
            return
        with path.open("rb") as handle:
            if b"\x00" in handle.read(4096):
                raise AreaDataError(f"{label}: this is not a CSV file (it looks binary); "
                                    "upload the CSV or the zip it came in")
        yield iter([track(_rows(lambda: path.open("rb"), label))])
    finally:
        for rows in opened:
            rows.close()


def _open_zip(path: Path, label: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise AreaDataError(f"{label}: the zip file cannot be read ({exc})") from None


def _rows(opener: Callable[[], IO[bytes]], label: str) -> Generator[list[str]]:
    """Yield the CSV rows of the file ``opener`` opens (when first read), closing it at the end."""
    with opener() as handle, io.TextIOWrapper(handle, encoding="utf-8-sig", errors="replace", newline="") as text:
        reader = csv.reader(_lines(text, label), strict=True)
        try:
            yield from reader
        except csv.Error as exc:
            raise AreaDataError(f"{label}: line {reader.line_num} is not valid CSV ({exc})") from None


def find_column(header: list[str], names: tuple[str, ...], pattern: str | None = None) -> int | None:
    """Return the index of the first of ``names`` (or a match of ``pattern``) in a lower-cased header."""
    for name in names:
        if name in header:
            return header.index(name)
    if pattern is not None:
        for index, column in enumerate(header):
            if re.fullmatch(pattern, column):
                return index
    return None
