"""Locality: profile validation and scores that keep their evidence."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawlers.locality import WEIGHTS, ProfileError, load_area_profile, score_locality

AREAS = Path(__file__).resolve().parents[2] / "crawlers" / "areas"
PROFILE = load_area_profile({
    "name": "Lewes", "places": ["Lewes", {"name": "Kingston near Lewes", "aliases": ["Kingston-near-Lewes"],
                                          "weight": 0.8}],
    "exclude_places": ["Kingston", "Lewes Road"], "postcode_districts": {"BN7": 1.0, "BN8": 0.5},
    "bbox": [-0.12, 50.76, 0.18, 51.0],
})


def kinds(result):
    return {(e.kind, e.matched) for e in result.evidence}


def test_full_postcode_in_district():
    result = score_locality(PROFILE, [("http://s/contact", "Write to us at BN7 2AB.")])
    assert ("postcode", "BN7 2AB") in kinds(result)
    assert result.evidence[0].where == "http://s/contact"
    assert result.score == pytest.approx(WEIGHTS["postcode"])


def test_postcode_outside_the_area_counts_nothing():
    assert score_locality(PROFILE, [("p", "KT1 1EU and M1 1AE")]).score == 0


def test_district_alone_is_weighted():
    result = score_locality(PROFILE, [("p", "Serving BN8 and beyond")])
    assert result.evidence[0].points == pytest.approx(WEIGHTS["district"] * 0.5)


def test_place_names_on_word_boundaries_only():
    assert score_locality(PROFILE, [("p", "Lewesham and Clewes")]).score == 0
    assert ("place_text", "Lewes") in kinds(score_locality(PROFILE, [("p", "in Lewes, today")]))


def test_place_in_title_scores_more_than_in_text():
    title = score_locality(PROFILE, [("title", "Lewes Allotments")])
    text = score_locality(PROFILE, [("p", "Lewes Allotments")])
    assert title.score > text.score


def test_aliases_and_weights():
    result = score_locality(PROFILE, [("p", "Kingston-near-Lewes village")])
    assert ("place_text", "Kingston near Lewes") in kinds(result)
    assert result.score == pytest.approx(WEIGHTS["place_text"] * 0.8)


def test_excluded_names_are_shown_but_not_counted():
    result = score_locality(PROFILE, [("title", "Kingston Residents"), ("p", "Lewes Road garden")])
    assert result.score == 0
    assert {e.kind for e in result.evidence} == {"excluded"}


def test_repeats_across_pages_add_a_little():
    one = score_locality(PROFILE, [("a", "Lewes")])
    three = score_locality(PROFILE, [("a", "Lewes"), ("b", "Lewes"), ("c", "Lewes")])
    assert three.score > one.score
    assert ("place_repeat", "Lewes") in kinds(three)


@pytest.mark.parametrize("lat, lon, inside", [(50.87, 0.01, True), (51.5, -0.12, False)])
def test_geo_inside_the_bbox(lat, lon, inside):
    result = score_locality(PROFILE, [], [(lat, lon, "meta icbm on http://s/")])
    assert (result.score > 0) is inside
    if inside:
        assert result.evidence[0].where == "meta icbm on http://s/"


def test_score_is_bounded_and_evidence_capped():
    texts = [(f"p{n}", "Lewes BN7 2AB BN7 1AA BN7 3BB BN8 4CC Kingston near Lewes") for n in range(50)]
    result = score_locality(PROFILE, texts, [(50.87, 0.01, "g")] * 5)
    assert 0.5 <= result.score <= 1
    assert len(result.evidence) <= 20
    assert all(e.points > 0 or e.kind == "excluded" for e in result.evidence)


def test_no_profile_scores_zero():
    assert score_locality(None, [("title", "Lewes")]).to_json() == {"score": 0.0, "evidence": []}


@pytest.mark.parametrize("profile, message", [
    ({}, "name"), ({"name": "x"}, "places or postcode_districts"),
    ({"name": "x", "places": "Lewes"}, "places"), ({"name": "x", "places": [{"aliases": []}]}, r"places\[0\]"),
    ({"name": "x", "places": [{"name": "A", "weight": 2}]}, "weight"),
    ({"name": "x", "postcode_districts": ["NOPE"]}, "postcode district"),
    ({"name": "x", "places": ["A"], "bbox": [1, 2, 3]}, "bbox"),
    ({"name": "x", "places": ["A"], "bbox": [3, 2, 1, 4]}, "bbox"),
    ({"name": "x", "places": ["A"], "exclude_places": "B"}, "exclude_places"),
    ([], "JSON object"),
])
def test_bad_profiles_get_clear_messages(profile, message):
    with pytest.raises(ProfileError, match=message):
        load_area_profile(profile)


def test_missing_file_is_a_profile_error(tmp_path):
    with pytest.raises(ProfileError, match="cannot read"):
        load_area_profile(tmp_path / "nope.json")


@pytest.mark.parametrize("name", ["lewes.json", "brighton-hanover.json"])
def test_shipped_profiles_load(name):
    profile = load_area_profile(AREAS / name)
    assert profile.places
    assert profile.postcode_districts
    assert profile.bbox
