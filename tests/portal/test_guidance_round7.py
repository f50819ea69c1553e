"""Round 7's shapes of language, each with near misses that must stay clean.

Live proceedings need a live case: the words 'arrested', 'charged', 'in custody' or 'in court' flag a message only
beside a sign that they tell of one case in progress (a person, a name, a time, 'has been …', bail or remand), and not
where they speak of the law in general, yearly figures, a custody suite's open day or a finished case.
"""
from __future__ import annotations

import pytest

from tests.portal.guidance_support import flagged


@pytest.mark.parametrize("text", [
    "A man has been arrested after the burglaries on the seafront.",
    "Two teenagers were charged last night.",
    "Police arrested a 34-year-old woman this morning.",
    "Officers made an arrest on Tuesday.",
    "Three arrested after disorder in the town centre.",
    "Suspect in custody.",
    "Arrest made re the shed break-ins, thanks all.",
    "The lad who set the fire is now in custody.",
    "Kid from year 10 arrested for bringing a knife in.",
    "A career burglar has been arrested.",
    "The court case about the dog attack is on the 14th.",
])
def test_news_of_a_live_case_is_flagged(text):
    assert "proceedings.status" in flagged(text)


@pytest.mark.parametrize("text", [
    "If you're arrested you have the right to free legal advice.",
    "Come along to the custody suite open day on Saturday.",
    "We made 42 arrests last year for drug offences.",
    "What happens after an arrest? Our sergeant explains.",
    "Anyone arrested for drink driving will lose their licence.",
    "The custody suite at Northgate is closed for refurbishment.",
    "Remember, being arrested is not the same as being charged.",
    "Shoplifters will be arrested and prosecuted.",
    "The man was jailed for six years for the robbery.",
    "My bike was nicked from outside the library.",
    "These lot should be locked up, not put up in hotels.",
])
def test_arrest_and_court_words_in_general_are_left_alone(text):
    assert not {code for code in flagged(text) if code.startswith("proceedings.")}
