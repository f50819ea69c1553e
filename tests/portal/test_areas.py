"""Area profile validation (the DESIGN.md format)."""
from __future__ import annotations

import pytest

from portal.areas import ProfileError, validate_profile


def test_full_profile_is_normalised():
    profile = validate_profile({
        "name": "Brighton", "places": ["Hove", {"name": "Brighton", "aliases": ["Brighton & Hove"], "weight": 1.0}],
        "exclude_places": ["Washington"], "postcode_districts": ["bn1", "BN3"], "bbox": [-0.25, 50.8, -0.05, 50.9],
    })
    assert profile["places"][0] == {"name": "Hove", "aliases": [], "weight": 1.0}
    assert profile["postcode_districts"] == {"BN1": 1.0, "BN3": 1.0}
    assert profile["bbox"] == [-0.25, 50.8, -0.05, 50.9]


@pytest.mark.parametrize(("data", "message"), [
    ([], "JSON object"),
    ({"places": ["Hove"]}, "name: required"),
    ({"name": "X"}, "places or postcode_districts"),
    ({"name": "X", "places": [{"aliases": []}]}, r"places\[0\]: must be a name"),
    ({"name": "X", "places": [{"name": "A", "weight": 3}]}, "between 0 and 1"),
    ({"name": "X", "postcode_districts": {"BN1": "high"}}, "between 0 and 1"),
    ({"name": "X", "postcode_districts": ["BN1 2AB"]}, "not a postcode district"),
    ({"name": "X", "postcode_districts": 5}, "postcode_districts: must be"),
    ("/etc/passwd", "JSON object"),
    ({"name": "X", "places": ["A"] * 2001}, "at most 2000"),
    ({"name": "X", "places": ["A"], "bbox": [1, 2, 3]}, "bbox"),
    ({"name": "X", "places": ["A"], "bbox": [5, 50, 1, 51]}, "bbox"),
    ({"name": "X", "places": ["A"], "exclude_places": "Washington"}, "exclude_places"),
])
def test_invalid_profiles_say_what_is_wrong(data, message):
    with pytest.raises(ProfileError, match=message):
        validate_profile(data)


@pytest.mark.parametrize("data", [
    {"name": "X", "places": [{"name": "A", "weight": True}]},  # a bool is not a weight to the crawler
    {"name": "X", "places": ["A"], "bbox": [True, 50, 1, 51]},
])
def test_portal_and_crawler_share_one_schema(data):
    """What the crawler would refuse to score with is refused when saved, with its message."""
    from crawlers.locality import load_area_profile

    with pytest.raises(ProfileError) as crawler:
        load_area_profile(data)
    with pytest.raises(ProfileError) as portal:
        validate_profile(data)
    assert str(portal.value) == str(crawler.value)


def test_saved_profile_loads_in_the_crawler_unchanged():
    from crawlers.locality import load_area_profile

    stored = validate_profile({"name": "Lewes", "places": [{"name": "Lewes", "aliases": ["Lewes town"]}],
                               "postcode_districts": {"bn7": 0.5}, "source": {"attribution": "OGL", "n": 3}})
    assert load_area_profile(stored) == load_area_profile(validate_profile(stored))
    assert stored["source"] == {"attribution": "OGL"}


def test_empty_profile_only_when_allowed():
    with pytest.raises(ProfileError, match="places or postcode_districts"):
        validate_profile({"name": "New"})
    assert validate_profile({"name": "New"}, allow_empty=True) == {
        "name": "New", "places": [], "exclude_places": [], "postcode_districts": {}}
    with pytest.raises(ProfileError, match="exclude_places"):
        validate_profile({"name": "New", "exclude_places": "x"}, allow_empty=True)
