"""Area profiles built from official open data (ONSPD + ONS IPN or OS Open Names), with fixtures."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from crawlers.locality import load_area_profile, score_locality
from portal.areabuild import AreaChoice, AreaDataError, build_profile
from portal.areas import validate_profile

FIXTURES = Path(__file__).parent.parent / "fixtures" / "areas"
ONSPD = FIXTURES / "ONSPD_FIXTURE_UK.csv"
IPN = FIXTURES / "IPN_GB_FIXTURE.csv"
OPEN_NAMES = FIXTURES / "open_names_TQ.csv"
LEWES = "E07000063"


def names_of(profile: dict) -> set[str]:
    return {place["name"] for place in profile["places"]}


def test_ipn_build_names_the_councils_places_and_weights_shared_districts():
    built = build_profile(ONSPD, IPN, AreaChoice(LEWES))
    profile = built.profile
    assert profile["name"] == "Lewes"
    assert names_of(profile) == {"Lewes", "Cliffe", "Southover", "Kingston near Lewes", "Ringmer", "Barcombe",
                                 "Barcombe Cross", "St Anne's", "Seaford", "Falmer"}
    # BN8: 9 of its 13 live postcodes are in Lewes district; BN1: 2 of 13 (the terminated one is not counted).
    assert profile["postcode_districts"] == {"BN1": 0.15, "BN25": 1.0, "BN7": 1.0, "BN8": 0.69, "BN9": 1.0}
    assert "TN22" not in profile["postcode_districts"]
    assert built.postcodes == 37
    lewes_lon, lewes_lat = 0.0089, 50.8736
    min_lon, min_lat, max_lon, max_lat = profile["bbox"]
    assert min_lon <= lewes_lon <= max_lon
    assert min_lat <= lewes_lat <= max_lat
    assert max_lat < 51  # Derbyshire's postcodes are not in the box
    assert "Open Government Licence" in profile["source"]["attribution"]


def test_names_found_elsewhere_are_flagged_for_exclusion_but_a_split_village_is_not():
    built = build_profile(ONSPD, IPN, AreaChoice(LEWES))
    assert built.ambiguous == {"Kingston": ["Dorset"], "Newhaven": ["Derbyshire"]}
    assert built.profile["exclude_places"] == ["Kingston", "Newhaven"]
    assert "Falmer" not in built.ambiguous  # its namesake is the same village over the boundary, 700 m away
    assert {"Kingston", "Newhaven"}.isdisjoint(names_of(built.profile))


def test_aliases_are_generated_and_taken_from_the_file():
    ipn = build_profile(ONSPD, IPN, AreaChoice(LEWES)).profile
    assert next(p for p in ipn["places"] if p["name"] == "St Anne's")["aliases"] == ["Saint Anne's"]
    built = build_profile(ONSPD, OPEN_NAMES, AreaChoice(LEWES))
    # OS Open Names gives "Kingston" as the village's other name, but Dorset has a Kingston too.
    assert next(p for p in built.profile["places"] if p["name"] == "Kingston near Lewes")["aliases"] == []
    assert built.ambiguous["Kingston"] == ["Dorset"]


def test_open_names_places_are_placed_by_the_postcodes_around_them():
    built = build_profile(ONSPD, OPEN_NAMES, AreaChoice(LEWES))
    assert built.names_kind == "open_names"
    assert names_of(built.profile) == {"Lewes", "Cliffe", "Kingston near Lewes", "Ringmer", "Barcombe Cross",
                                       "Seaford"}
    assert "Laughton" not in names_of(built.profile)  # BN8 too, but its postcodes are Wealden's
    assert "High Street" not in names_of(built.profile)  # roads are not places
    assert built.ambiguous == {"Kingston": ["Dorset"], "Newhaven": ["Derbyshire"]}
    assert built.profile["name"] == "Lewes"
    weights = {p["name"]: p["weight"] for p in built.profile["places"]}
    assert weights["Lewes"] > weights["Ringmer"] > weights["Cliffe"]


def test_open_names_with_its_header_row_reads_the_same(tmp_path):
    from portal.areabuild.names import OPEN_NAMES_COLUMNS

    with_header = tmp_path / "open_names_with_header.csv"
    with_header.write_text(",".join(c.upper() for c in OPEN_NAMES_COLUMNS) + "\n" + OPEN_NAMES.read_text())
    assert build_profile(ONSPD, with_header, AreaChoice(LEWES)).profile["places"] == \
        build_profile(ONSPD, OPEN_NAMES, AreaChoice(LEWES)).profile["places"]


def test_wards_narrow_the_area_and_can_be_named_with_the_ipn():
    by_code = build_profile(ONSPD, IPN, AreaChoice(LEWES, ("E05011236",))).profile
    assert names_of(by_code) == {"Ringmer", "Barcombe", "Barcombe Cross"}
    assert by_code["postcode_districts"] == {"BN8": 0.69}
    by_name = build_profile(ONSPD, IPN, AreaChoice("Lewes", ("Ouse Valley and Ringmer",))).profile
    assert by_name["places"] == by_code["places"]
    assert by_name["source"]["wards"] == "E05011236"


def test_a_council_named_as_os_open_names_does_is_found_through_the_postcodes_around_its_places():
    by_name = build_profile(ONSPD, OPEN_NAMES, AreaChoice("lewes")).profile
    assert by_name["source"]["lad"] == LEWES
    assert by_name["places"] == build_profile(ONSPD, OPEN_NAMES, AreaChoice(LEWES)).profile["places"]
    with pytest.raises(AreaDataError, match="No council called 'Atlantis' in OS Open Names"):
        build_profile(ONSPD, OPEN_NAMES, AreaChoice("Atlantis"))
    with pytest.raises(AreaDataError, match="Wards can be chosen by name only with the ONS Index of Place Names"):
        build_profile(ONSPD, OPEN_NAMES, AreaChoice(LEWES, ("Ouse Valley and Ringmer",)))


def test_zips_as_published_are_read_without_unpacking(tmp_path):
    onspd_zip, names_zip = tmp_path / "ONSPD_FEB_2026.zip", tmp_path / "opname_csv_gb.zip"
    with zipfile.ZipFile(onspd_zip, "w") as archive:
        archive.write(ONSPD, "Data/ONSPD_FEB_2026_UK.csv")
        archive.writestr("Data/multi_csv/ONSPD_FEB_2026_UK_BN.csv", "pcds,oslaua\nBN7 9ZZ,E07000063\n")
        archive.writestr("Documents/LA_UA names and codes UK as at 04_23.csv", "LAD23CD,LAD23NM\n")
    with zipfile.ZipFile(names_zip, "w") as archive:
        lines = OPEN_NAMES.read_text().splitlines(keepends=True)
        archive.writestr("Data/TQ40.csv", "".join(lines[:6]))
        archive.writestr("Data/SK16.csv", "".join(lines[6:]))
        archive.writestr("DOC/OS_Open_Names_Header.csv", "ID,NAMES_URI,NAME1\n")
    from_zip = build_profile(onspd_zip, names_zip, AreaChoice(LEWES)).profile
    from_csv = build_profile(ONSPD, OPEN_NAMES, AreaChoice(LEWES)).profile
    assert from_zip["places"] == from_csv["places"]
    assert from_zip["postcode_districts"] == from_csv["postcode_districts"]


def test_built_profile_passes_the_one_schema_and_scores_local_sites_above_the_rest():
    sites = json.loads((FIXTURES / "sites.json").read_text())
    for names_file in (IPN, OPEN_NAMES):
        profile = load_area_profile(validate_profile(build_profile(ONSPD, names_file, AreaChoice(LEWES)).profile))
        scores = {s["site"]: score_locality(profile, [("title", s["title"]), ("page", s["text"])]).score
                  for s in sites}
        local = [scores[s["site"]] for s in sites if s["local"]]
        other = [scores[s["site"]] for s in sites if not s["local"]]
        assert min(local) > max(other), (names_file.name, scores)
        assert min(local) >= 0.25
        assert max(other) < 0.5


def bad_file(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(("which", "content", "message"), [
    ("onspd", b"", "missing or empty"),
    ("onspd", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "not a CSV file"),
    ("onspd", b"name,score\nfoo,1\n", "does not look like the ONS Postcode Directory"),
    ("onspd", b"pcds,oslaua\n", "no postcodes"),
    ("onspd", b"pcds,oslaua\n" + b"x" * 30_000 + b"\n", "longer than"),
    ("onspd", b'pcds,oslaua\n"BN7 1AB\n', "not valid CSV"),
    ("onspd", b"PK\x05\x06" + b"\x00" * 18, "no CSV data file"),
    ("names", b"a,b,c\n1,2,3\n", "neither the ONS Index of Place Names"),
    ("names", b"", "missing or empty"),
])
def test_bad_files_get_a_clear_message(tmp_path, which, content, message):
    path = bad_file(tmp_path, f"{which}.csv", content)
    onspd, names = (path, IPN) if which == "onspd" else (ONSPD, path)
    with pytest.raises(AreaDataError, match=message):
        build_profile(onspd, names, AreaChoice(LEWES))


@pytest.mark.parametrize(("choice", "message"), [
    (AreaChoice("E07000999"), "no live postcode lies in local authority E07000999"),
    (AreaChoice(LEWES, ("E05002432",)), "ward\\(s\\) E05002432"),
    (AreaChoice("Atlantis"), "No local authority is called 'Atlantis'"),
    (AreaChoice(LEWES, ("Nowhere ward",)), "No ward called 'Nowhere ward'"),
])
def test_unknown_areas_get_a_clear_message(choice, message):
    with pytest.raises(AreaDataError, match=message):
        build_profile(ONSPD, IPN, choice)


def test_area_with_no_named_place_says_so(tmp_path):
    names = tmp_path / "IPN_other.csv"
    lines = IPN.read_text().splitlines(keepends=True)
    names.write_text(lines[0] + "".join(line for line in lines[1:] if "E07000063" not in line))
    with pytest.raises(AreaDataError, match="names no town, village or neighbourhood inside E07000063"):
        build_profile(ONSPD, names, AreaChoice(LEWES))


def test_cli_writes_a_profile_that_imports(runner, tmp_path, app):
    out = tmp_path / "lewes.json"
    result = runner.invoke(args=["areas", "build", "--onspd", str(ONSPD), "--names", str(IPN), "--lad", LEWES,
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "10 places, 5 postcode districts" in result.output
    assert "Ambiguous, proposed for exclude_places: Newhaven (also in Derbyshire)" in result.output
    assert "Open Government Licence" in result.output
    imported = runner.invoke(args=["areas", "import", str(out)])
    assert imported.exit_code == 0, imported.output
    with app.app_context():
        from portal.models import Area

        assert Area.by_slug("lewes").profile["postcode_districts"]["BN8"] == 0.69


def test_cli_reports_a_bad_choice_without_a_traceback(runner, tmp_path):
    result = runner.invoke(args=["areas", "build", "--onspd", str(ONSPD), "--names", str(IPN), "--lad",
                                 "E07000999", "--out", str(tmp_path / "x.json")])
    assert result.exit_code == 1
    assert "Error: ONSPD file: no live postcode" in result.output
    assert not (tmp_path / "x.json").exists()


def test_fixture_generator_reproduces_the_committed_fixtures(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_fixtures", FIXTURES / "make_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for write, committed in ((module.write_onspd, ONSPD), (module.write_ipn, IPN),
                             (module.write_open_names, OPEN_NAMES)):
        write(tmp_path / committed.name)
        assert (tmp_path / committed.name).read_bytes() == committed.read_bytes(), committed.name
