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
    ({"places": ["Hove"]}, "needs a name"),
    ({"name": "X"}, "places or postcode_districts"),
    ({"name": "X", "places": [{"aliases": []}]}, "needs a name"),
    ({"name": "X", "places": [{"name": "A", "weight": 3}]}, "between 0 and 1"),
    ({"name": "X", "postcode_districts": {"BN1": "high"}}, "between 0 and 1"),
    ({"name": "X", "postcode_districts": ["BN1 2AB"]}, "not a postcode district"),
    ({"name": "X", "postcode_districts": 5}, "postcode_districts must be"),
    ({"name": "X", "places": ["A"], "bbox": [1, 2, 3]}, "bbox"),
    ({"name": "X", "places": ["A"], "bbox": [5, 50, 1, 51]}, "bbox"),
    ({"name": "X", "places": ["A"], "exclude_places": "Washington"}, "exclude_places"),
])
def test_invalid_profiles_say_what_is_wrong(data, message):
    with pytest.raises(ProfileError, match=message):
        validate_profile(data)
