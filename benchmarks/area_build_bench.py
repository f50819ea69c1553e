"""Benchmark `flask areas build` on a Postcode Directory the size of the real one (synthetic).

Writes a synthetic ONSPD (the real column layout, every column filled with codes of the
real widths, about 2.7 million live and terminated postcodes over 3,000 districts and 370
councils) and a synthetic Index of Place Names, then builds one council's profile in a
child process and prints the wall time, rows per second and the child's peak RSS. The
files are made here, never downloaded.

    .venv/bin/python benchmarks/area_build_bench.py                    # 2.7 M rows (about 1.1 GB)
    .venv/bin/python benchmarks/area_build_bench.py --rows 500000 --keep /tmp/areas
    .venv/bin/python benchmarks/area_build_bench.py --open-names --keep /tmp/areas  # places by 1 km squares
"""
from __future__ import annotations

import argparse
import csv
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fixtures.areas.make_fixtures import IPN_HEADER, ONSPD_HEADER  # noqa: E402

COUNCILS = 370
DISTRICTS = 3000
TARGET = "E07000063"


def council(index: int) -> str:
    return TARGET if index == 0 else f"E07{index:06d}"


def write_onspd(path: Path, rows: int, seed: int = 1) -> None:
    """Postcodes spread over districts; each district belongs mostly to one council, some shared."""
    rng = random.Random(seed)
    filler = {name: f"E0{rng.randrange(10_000_000):07d}" for name in ONSPD_HEADER}
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(ONSPD_HEADER)
        for number in range(rows):
            district_index = rng.randrange(DISTRICTS)
            home = district_index % COUNCILS
            lad = council(home if rng.random() < 0.9 else (home + 1) % COUNCILS)
            district = f"{chr(65 + district_index % 26)}{chr(65 + district_index // 26 % 26)}{district_index % 99 + 1}"
            east = 100_000 + (district_index % 60) * 10_000 + rng.randrange(10_000)
            north = 50_000 + (district_index // 60) * 15_000 + rng.randrange(15_000)
            unit = f"{number % 10}{chr(65 + number % 26)}{chr(65 + number // 26 % 26)}"
            row = dict(filler, pcd=f"{district:<4}{unit}", pcd2=f"{district:<5}{unit}", pcds=f"{district} {unit}",
                       dointr="198001", doterm="202001" if number % 9 == 0 else "", oslaua=lad,
                       osward=f"E05{home:03d}{number % 20:03d}", usertype=str(number % 2), oseast1m=str(east),
                       osnrth1m=str(north), osgrdind="1", lat=f"{50 + north / 200_000:.6f}",
                       long=f"{-5 + east / 100_000:.6f}")
            writer.writerow(row.values())


def write_ipn(path: Path, places: int, seed: int = 2) -> None:
    rng = random.Random(seed)
    names = [f"Place{n}" for n in range(places * 4 // 5)]  # a fifth of the names repeat elsewhere
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(IPN_HEADER)
        for number in range(places):
            home = rng.randrange(COUNCILS)
            row = dict.fromkeys(IPN_HEADER, "")
            row.update(placeid=str(number), place23nm=rng.choice(names), descnm=rng.choice(["LOC", "PAR", "BUA"]),
                       lad23cd=council(home), lad23nm=f"Council {home}", wd23cd=f"E05{home:03d}{number % 20:03d}",
                       ctyhistnm=f"County {home % 40}", gridgb1e=str(100_000 + rng.randrange(600_000)),
                       gridgb1n=str(50_000 + rng.randrange(900_000)))
            writer.writerow(row.values())


def write_open_names(path: Path, places: int, seed: int = 3) -> None:
    """Headerless OS Open Names rows: populated places (and as many roads, which are skipped)."""
    rng = random.Random(seed)
    names = [f"Place{n}" for n in range(places * 4 // 5)]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        for number in range(places * 2):
            east, north = 100_000 + rng.randrange(600_000), 50_000 + rng.randrange(700_000)
            kind = ("populatedPlace", rng.choice(["Town", "Village", "Hamlet", "Suburban Area"])) if number % 2 else (
                "transportNetwork", "Named Road")
            writer.writerow([f"osgb{number:016d}", "", rng.choice(names), "", "", "", *kind, east, north, 25000,
                             200000, east - 500, north - 500, east + 500, north + 500, "AB1", "", "", "", "",
                             "District", "", "", "County", "", "", "Region", "", "England", "", "", "", ""])


CHILD = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from portal.areabuild import AreaChoice, build_profile
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
start = time.perf_counter()
built = build_profile({onspd!r}, {names!r}, AreaChoice({lad!r}))
seconds = time.perf_counter() - start
print(json.dumps({{"seconds": seconds, "places": len(built.profile["places"]),
                  "districts": len(built.profile["postcode_districts"]), "postcodes": built.postcodes,
                  "ambiguous": len(built.ambiguous),
                  "rss_after_imports_mb": baseline,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_700_000, help="ONSPD rows (the real file: about 2.7 M)")
    parser.add_argument("--places", type=int, default=100_000, help="IPN rows (the real file: about 110,000)")
    parser.add_argument("--open-names", action="store_true",
                        help="use a synthetic OS Open Names file (places by 1 km squares) instead of the IPN")
    parser.add_argument("--keep", type=Path, default=None, help="write the files here and keep them")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="area_build_bench_"))
    folder.mkdir(parents=True, exist_ok=True)
    onspd = folder / "ONSPD_BENCH_UK.csv"
    names = folder / ("open_names_BENCH.csv" if args.open_names else "IPN_BENCH.csv")
    started = time.perf_counter()
    if not onspd.exists():
        write_onspd(onspd, args.rows)
    if not names.exists():
        (write_open_names if args.open_names else write_ipn)(names, args.places)
    print(f"{onspd.stat().st_size / 1e6:.0f} MB ONSPD ({args.rows:,} rows) and {names.stat().st_size / 1e6:.0f} MB "
          f"{names.name} ready in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    code = CHILD.format(root=str(ROOT), onspd=str(onspd), names=str(names), lad=TARGET)
    result = json.loads(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                                       text=True).stdout)
    result.update(rows=args.rows, names_file=names.name, onspd_mb=round(onspd.stat().st_size / 1e6),
                  rows_per_second=round(args.rows / result["seconds"]))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
