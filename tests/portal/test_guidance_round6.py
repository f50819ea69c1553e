"""Round 6's word tables, written out from standard taxonomies, each with near misses that must stay clean.

The tables are the UN member states' demonyms, the ONS 2021 ethnic groups, faiths, the Equality Act's protected
characteristics, UK parties and offices, policy areas, Royal Mail thoroughfare types, house names, date-of-birth
forms and common first names. Lower-case examples are used where a capitalised plural would already be caught by
shape alone ('Guatemalans'), so each test needs the new table entry to pass.
"""
from __future__ import annotations

import pytest

from tests.portal.guidance_support import flagged as _flagged


@pytest.mark.parametrize("text", [
    "typical serbs, always causing bother in the square",
    "icelanders are all the same, no manners",
    "the togolese round here are always trouble",
    "typical new zealanders, never pay their share",
    "you can't trust jains, they are all the same",
    "rastas are always high, everyone knows it",
    "typical benefit cheats on that estate",
    "the estate lot are always kicking off",
    "scallies from over the bridge are always nicking bikes",
    "homosexuals are always causing trouble at the park",
])
def test_taxonomy_groups_lumped_together_are_flagged(text):
    assert "discriminatory.group_generalisation" in _flagged(text)


@pytest.mark.parametrize("text", [
    "We had a visit from Serbian police officers on an exchange this week.",
    "The Icelandic choir sings at the library on Friday.",
    "Thanks to the Trinidadian community association for the carnival clean-up.",
    "The Rastafarian centre hosts a youth club on Tuesdays.",
    "Report benefit fraud to the DWP online.",
    "Pregnant women can get free prescriptions; ask your GP.",
])
def test_group_words_in_ordinary_sentences_are_left_alone(text):
    assert "discriminatory.group_generalisation" not in _flagged(text)


@pytest.mark.parametrize("text", ["Those wops are at it again.", "Bunch of krauts in the pub last night."])
def test_new_slurs_are_flagged(text):
    assert "discriminatory.dehumanising" in _flagged(text)


@pytest.mark.parametrize("text", [
    "Vote SDLP on Thursday.",
    "The UUP will sort this town out.",
    "People Before Profit are the only ones who listen.",
    "The TUV are the only ones who listen.",
    "Ulster Unionists are the only ones who listen.",
])
def test_uk_parties_are_flagged(text):
    assert "political.party" in _flagged(text)


@pytest.mark.parametrize("text", [
    "The alliance between the two clubs has been great for local kids.",
    "We met the union of residents' groups on Monday.",
    "The new cycle path opens on Saturday.",
])
def test_party_like_words_are_not_parties(text):
    assert "political.party" not in _flagged(text)


@pytest.mark.parametrize("text", [
    "Our MSP is useless and should resign.",
    "The MLA for this area has done nothing for us.",
    "The Home Office is a shambles.",
    "Scrapping the winter fuel payment was cruel.",
    "Tuition fees are a disgrace.",
    "Two-tier policing is a disgrace.",
])
def test_offices_and_policy_areas_with_a_stance_are_political(text):
    assert "political.stance" in _flagged(text)


@pytest.mark.parametrize("text", [
    "Our MSP joined us at the beat surgery on Friday.",
    "The Home Office has published this year's figures.",
    "Winter fuel advice: check your boiler and keep warm.",
])
def test_offices_and_policy_areas_without_a_stance_are_not(text):
    assert "political.stance" not in _flagged(text)


def test_canvassing_for_a_candidate_is_campaigning():
    assert "political.campaigning" in _flagged("We're out canvassing for our candidate on Saturday, come along.")


@pytest.mark.parametrize("text", [
    "Her mum lives at 4 Rose Fold on her own.",
    "Her nan's house, 12 Heol Las, was burgled.",
    "Her nan's house, 3 Ffordd y Parc, was burgled.",
    "Their house at 7 Castle Brae was burgled.",
    "Her nan's house, 5 Bell Twitten, was burgled.",
])
def test_scots_welsh_and_regional_thoroughfares_are_addresses(text):
    assert "personal.home_address" in _flagged(text)


@pytest.mark.parametrize("text", [
    "Her mum lives at The Old Rectory on her own.",
    "The couple who live at Rose Cottage are away.",
])
def test_a_house_known_by_its_name_is_an_address(text):
    assert "personal.home_address" in _flagged(text)


@pytest.mark.parametrize("text", [
    "The fete is at Hill Farm on Saturday.",
    "Teas at Rose Cottage tearooms on Sunday, all welcome.",
    "Our beat surgery moves to the Old Mill community room.",
    "Open day at 5 Heol y Coleg library, all welcome.",
    "The Stryd Fawr fair is on Saturday.",
])
def test_house_names_for_public_places_are_not_homes(text):
    assert "personal.home_address" not in _flagged(text)


@pytest.mark.parametrize("text", [
    "Her DoB is 1979-06-01 if that helps.",
    "dob 010679 for the lad",
    "date of birth 3rd March '85",
    "Birthdate: June 3rd 85",
])
def test_more_date_of_birth_forms(text):
    assert "personal.date_of_birth" in _flagged(text)


@pytest.mark.parametrize("text", [
    "The club was founded on 1 June 1979.",
    "Call 101 and quote 010679 as the reference.",
    "Happy birthday to our PCSO, 30 today!",
])
def test_dates_that_are_not_birth_dates(text):
    assert "personal.date_of_birth" not in _flagged(text)


@pytest.mark.parametrize("text", [
    "Gurpreet was burgled again last night.",
    "Saoirse had her bike stolen from outside the shop.",
    "Mateusz got his car keyed on Friday.",
])
def test_first_names_of_many_origins_are_found(text):
    assert _flagged(text) & {"personal.name_with_offence", "personal.named_person"}


@pytest.mark.parametrize("text", [
    "The number 12 bus no longer stops on Fern Close.",
    "The Hazel Grove surgery has moved.",
    "June is a busy month for bike thefts.",
])
def test_word_names_left_out_stay_clean(text):
    assert not _flagged(text) & {"personal.name_with_offence", "personal.named_person"}


def test_grouped_phrase_regex_keeps_longest_phrase_case_and_endings():
    from portal.guidance.detectors.base import phrase_regex

    pattern = phrase_regex(["asylum", "asylum seekers", "a", "arab*", "-ish", "Bo"])
    assert [m.group() for m in pattern.finditer("Asylum  seekers, an Arabic sign, a -ish")] == [
        "Asylum  seekers", "Arabic", "a", "-ish"]
    assert phrase_regex(["Bo", "bob"], case_sensitive=True).findall("bo Bo bob Bob") == ["Bo", "bob"]


@pytest.mark.parametrize(("text", "rule", "expected"), [
    ("She gave her DOB as twenty-first of May 1970.", "personal.date_of_birth", True),
    ("born on the third of june 85", "personal.date_of_birth", True),
    ("His birthday is the second of March, come along!", "personal.date_of_birth", False),
    ("Her nan's house, 9 The Strand, was burgled.", "personal.home_address", True),
    ("Mrs Dunn who runs the B&B at 12 Esplanade has had her tills done twice.", "personal.home_address", True),
    ("10 Drive safely this winter.", "personal.home_address", False),
    ("Top 5 Walk routes for the summer.", "personal.home_address", False),
])
def test_day_in_words_and_street_by_its_type_alone(text, rule, expected):
    assert (rule in _flagged(text)) is expected


@pytest.mark.parametrize(("text", "expected"), [
    ("the lads off the high rise, total scroungers the lot", True),
    ("people from the asylum hotel nicking from the co-op", True),
    ("The lads from the high rise raised 500 pounds for the hospice.", False),
])
def test_people_named_by_the_housing_they_come_from(text, expected):
    assert ("discriminatory.group_generalisation" in _flagged(text)) is expected
