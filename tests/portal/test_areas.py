"""Area profile validation (the DESIGN.md format)."""
from __future__ import annotations

import pytest

from crawlers.area_profile import load_area_profile
from portal.areas import ProfileError, validate_profile


def test_full_profile_is_normalised():
    profile = validate_profile({
        "name": "Brighton", "places": ["Hove", {"name": "Brighton", "aliases": ["Brighton & Hove"], "weight": 1.0}],
        "exclude_places": ["Washington"], "postcode_districts": ["bn1", "BN3"], "bbox": [-0.25, 50.8, -0.05, 50.9],
    })
    assert profile["places"][0] == {"name": "Hove", "aliases": [], "weight": 1.0}
    assert profile["postcode_districts"] == {"BN1": 1.0, "BN3": 1.0}
    assert profile["bbox"] == [-0.25, 50.8, -0.05, 50.9]


#: Bad profiles, each with what the message must say. The portal (saving) and the crawler
#: (scoring) must refuse every one with the same message: there is one schema.
BAD_PROFILES = [
    ([], "JSON object"),
    ({"places": ["Hove"]}, "name: required"),
    ({"name": "  ", "places": ["Hove"]}, "name: required"),
    ({"name": "X"}, "places or postcode_districts"),
    ({"name": "X", "places": [], "postcode_districts": {}}, "places or postcode_districts"),
    ({"name": "X", "places": "Hove"}, "places: must be a list"),
    ({"name": "X", "places": [{"aliases": []}]}, r"places\[0\]: must be a name"),
    ({"name": "X", "places": ["  "]}, r"places\[0\]: must be a name"),
    ({"name": "X", "places": [{"name": "A", "aliases": "B"}]}, r"places\[0\].aliases"),
    ({"name": "X", "places": [{"name": "A", "weight": 3}]}, "between 0 and 1"),
    ({"name": "X", "places": [{"name": "A", "weight": True}]}, "between 0 and 1"),
    ({"name": "X", "postcode_districts": {"BN1": "high"}}, "between 0 and 1"),
    ({"name": "X", "postcode_districts": {"BN1": -0.1}}, "between 0 and 1"),
    ({"name": "X", "postcode_districts": ["BN1 2AB"]}, "not a postcode district"),
    ({"name": "X", "postcode_districts": 5}, "postcode_districts: must be"),
    ({"name": "X", "places": ["A"] * 2001}, "at most 2000"),
    ({"name": "X", "places": ["A"], "bbox": [1, 2, 3]}, "bbox"),
    ({"name": "X", "places": ["A"], "bbox": [5, 50, 1, 51]}, "bbox"),
    ({"name": "X", "places": ["A"], "bbox": [True, 50, 1, 51]}, "bbox"),
    ({"name": "X", "places": ["A"], "bbox": [0, 50, 1, 91]}, "bbox"),
    ({"name": "X", "places": ["A"], "exclude_places": "Washington"}, "exclude_places"),
    ({"name": "X", "places": ["A"], "exclude_places": [3]}, "exclude_places"),
]
#: Good profiles: both accept them, and what the portal stores loads to the same profile.
GOOD_PROFILES = [
    {"name": "Lewes", "places": ["Lewes"]},
    {"name": "Lewes", "postcode_districts": ["bn7"]},
    {"name": "Lewes", "postcode_districts": {"BN7": 0.5, "BN8": 1}},
    {"name": " Lewes ", "places": [{"name": "Lewes", "aliases": ["Lewes town", " "], "weight": 0}],
     "exclude_places": ["Ringmer", " "], "bbox": [0, 50.8, 0.1, 50.9]},
    {"name": "Lewes", "places": ["A"] * 2000, "source": {"attribution": "OGL", "n": 3}},
]


@pytest.mark.parametrize(("data", "message"), BAD_PROFILES)
def test_portal_and_crawler_refuse_the_same_profiles(data, message):
    """What the crawler would refuse to score with is refused when saved, with its message."""
    with pytest.raises(ProfileError, match=message) as crawler:
        load_area_profile(data)
    with pytest.raises(ProfileError, match=message) as portal:
        validate_profile(data)
    assert str(portal.value) == str(crawler.value)


@pytest.mark.parametrize("data", GOOD_PROFILES)
def test_portal_and_crawler_accept_the_same_profiles(data):
    stored = validate_profile(data)
    assert load_area_profile(stored) == load_area_profile(data)
    assert validate_profile(stored) == stored


def test_a_path_is_not_a_profile_to_the_portal():
    # The crawler's CLI reads a string as a file path; what an admin types never is one.
    with pytest.raises(ProfileError, match="JSON object"):
        validate_profile("/etc/passwd")


def test_saved_profile_loads_in_the_crawler_unchanged():
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
