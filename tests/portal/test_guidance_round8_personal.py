"""Round 8's shapes of personal data and operational detail, each with near misses that must stay clean.

Personal data: registrations typed with spaces anywhere; a first name with an age after '??' or inside an aside; a
name with a house name, a school or year group, or news of bail or court; an age with a workplace on a named street
or a numbered caravan; a static caravan at the end of a named row. Not personal: the reader named in passing ('...,
Karen.', 'Trust me, Jackie, ...'), 'no that was ...' read as a greeting, a councillor by title, a month that is also
a first name, the 'Ask for Angela' scheme, places such as 'Gull Point'.

Operational: nobody from the team on late turns, cameras out since a date, checks on hold, cover on 'Thurs/Fri only',
no operator overnight, no police today, a service not running because of staffing, a vulnerable person alone with
where they are said in the sentence before or as a house name or street, a household away until a month. Not
operational: another body's officers beside something broken, an empty flat in advice, yearly results that mention
warrants, a word in quotation marks.
"""
from __future__ import annotations

import pytest

from tests.portal.guidance_support import flagged


# --- registrations with spaces anywhere -------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "The blue Ford Focus, reg LM 21 XKP, was seen at the garages again.",
    "Silver van, B D 5 1  K Y T, parked on the verge for a week now.",
    "Anyone recognise the Audi index N X 70 R R A? It has been there since Sunday.",
    "The car was clocked doing 60, plate HJ 68 0DF, driver spoken to.",
])
def test_a_registration_typed_with_spaces_is_flagged(text):
    assert "personal.vehicle_registration" in flagged(text)


@pytest.mark.parametrize("text", [
    "SHOP OPEN ON 12 DEC FROM 9AM",
    "Meet at the hall; the door code is A B 1 2 C D E this week.",
    "PARKING FREE ON 24 DEC for shoppers.",
])
def test_capitals_and_numbers_that_are_not_a_vehicle_stay_clean(text):
    assert "personal.vehicle_registration" not in flagged(text)


# --- the reader named in passing, greetings, titles and months ----------------------------------------------------

@pytest.mark.parametrize("text", [
    "We have all read the report, Sandra. It is a hurtful case of abuse and the footage is clear.",
    "Believe me, Trevor, the doorbell video will be seen by the right people.",
    "Hiya Gavin, the council's licensing team is on their website.",
    "Morning all. Panel priorities for Jan were chosen by residents: 1) speeding, 2) burglary.",
    "The walkabout with Cllr Tunde Bakare went well - 4 broken street lights reported.",
    "Mayor Alan Dunn opened the fete and thanked everyone who reported the stolen bunting.",
    "Ask for Angela at any bar on the strip if you feel unsafe or are being harassed.",
    "The gate at Heron Point was left open after the storm damage was reported.",
])
def test_readers_councillors_months_and_schemes_are_not_named_subjects(text):
    assert not {code for code in flagged(text) if code.startswith("personal.")}


@pytest.mark.parametrize("text", [
    "no it was Liam Carter, not his cousin, who had the phone stolen.",
    "Their kid, Mason, is always the one throwing eggs.",
    "The purse was taken from a local woman, Sandra.",
    "Jan Kowalski had his bike stolen from the shed.",
])
def test_a_named_subject_is_still_flagged(text):
    assert {code for code in flagged(text) if code.startswith("personal.")}


# --- a first name with an age, a house name, a school, bail or court --------------------------------------------

@pytest.mark.parametrize("text, rule", [
    ("Has anyone seen the lad in the red hoodie, Tyler?? 14, we want to check he is ok.", "personal.age_with_name"),
    ("Do you know the girl with the pink bag, Kiyana?? 13, she saw what happened.", "personal.age_with_name"),
    ("Sean Ruddock (the one with the limp, 44, from the flats) is barred from the Crown.", "personal.age_with_name"),
    ("Could someone tell Brenda from Laurel House that her cat is in our garden?", "personal.named_person"),
    ("Mr Okafor at the Old Mill has had his tools taken again.", "personal.named_person"),
    ("It was Ellie Grant, year 8 at St Cuthbert's, who found the wallet.", "personal.named_person"),
    ("That lad Kieran goes to St Joseph's, can someone ask his mum to call us.", "personal.named_person"),
    ("Yes it was Darren Pike from the garage, he's been bailed till March.", "personal.name_with_offence"),
    ("Yes that was Darren Pike, they kept him in overnight.", "personal.named_person"),
    ("That was Gemma Hale, she's up in court next month for it.", "personal.named_person"),
    ("The cashier, a 52-year-old woman who works at the bakery on Mill Street, was threatened.", "personal.age_with_street"),
    ("The owner of caravan 14, a 67-year-old man, was spoken to about the gas bottles.", "personal.age_with_street"),
    ("Keep an eye on the static at the end of Shore Row, the green one.", "personal.home_address"),
])
def test_a_person_pinned_down_by_a_house_school_age_or_case_is_flagged(text, rule):
    assert rule in flagged(text)


@pytest.mark.parametrize("text", [
    "Thanks to Brenda from the Village Hall for the teas and cakes.",
    "Sue from the Community Hall has the keys for the meeting on Friday.",
    "Our school team will be at St Joseph's for the assembly on Tuesday.",
    "Year 8 at St Cuthbert's did a brilliant project on online safety.",
    "A 52-year-old man has been appointed manager of the new leisure centre.",
    "Caravan 14 is the park's information point this summer.",
    "The static caravans at the end of the site are for hire from May.",
    "Darren from the council said bins will be collected on Tuesday.",
])
def test_places_schools_and_ages_without_a_person_to_pin_stay_clean(text):
    assert not {code for code in flagged(text) if code.startswith("personal.")}


# --- operational gaps --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "There's no one from the team on late turns until the 14th, sorry.",
    "The stairwell cameras in Ashby Tower have been out since the 2nd, don't count on them.",
    "Officers will be at the market Sat/Sun only.",
    "Speed checks on the bypass are on hold.",
    "No CCTV operator overnight on Saturdays now, the cameras just record.",
    "There'll be no police in the stand today after the second half starts.",
    "The outreach van won't run Mon-Wed this month due to staffing.",
    "It's just us two on the Tuesday session and nothing at weekends till spring.",
])
def test_a_gap_in_cover_is_flagged(text):
    assert {"operational.resource_gap", "operational.staffing", "operational.few_officers"} & flagged(text)


@pytest.mark.parametrize("text", [
    "Walkabout with the housing officer done: 3 broken benches reported to the council.",
    "Got an empty flat next door? Report squatters or forced entry to the council.",
    "2 abandoned cars on Oak Road are broken into most weeks; we've asked the council to remove them.",
    "Cameras are a great deterrent; ask us about a free survey today.",
])
def test_things_broken_or_empty_that_are_not_police_cover_stay_clean(text):
    assert not {code for code in flagged(text) if code.startswith("operational.")}


@pytest.mark.parametrize("text", [
    "Results this year: 31 arrests, 4 of them wanted on warrant, and 200 bikes marked.",
    "The drug dealers from the spring warrants have now all been sentenced.",
    "Ha, the \"raid\" on the Plough was the darts team raiding the sandwiches.",
])
def test_results_and_words_in_quotation_marks_are_not_plans(text):
    assert "operational.planned" not in flagged(text)


def test_a_raid_still_planned_is_flagged():
    assert "operational.planned" in flagged("We're doing a raid on the flat above the bookies next week.")


@pytest.mark.parametrize("text", [
    "Can someone pop in on Mr Dunn at Ivy Cottage? He is 88 and on his own this week.",
    "Has anyone seen Mrs Rowe from Flat 3, Elm Court? She has dementia and lives alone.",
    "The pensioner on Abbey Walk (Mr Frank Hale, no. 12) lives alone and is very frail.",
    "The widow on Abbey Walk lives alone and is very frail.",
    "Mrs Lowe at the Old Forge is 90 and on her own this week.",
    "The frail gent (Mr Hale, no. 12) lives alone.",
])
def test_a_vulnerable_person_alone_with_where_they_are_is_flagged(text):
    assert "operational.vulnerable_alone" in flagged(text)


@pytest.mark.parametrize("text", [
    "Many older people live alone; a weekly call can make all the difference.",
    "Our coffee morning at the Village Hall is for anyone who is 80 or over and on their own.",
    "Has anyone seen the cat from the Old Mill? She is 14 and on her own now.",
])
def test_loneliness_advice_without_a_home_stays_clean(text):
    assert "operational.vulnerable_alone" not in flagged(text)


@pytest.mark.parametrize("text", [
    "The Pattersons at Holly Cottage are in Canada till April, so shout if you see anyone there.",
    "Our neighbours' house is empty, they are away until the end of the month.",
])
def test_a_home_empty_until_a_date_is_flagged(text):
    assert "operational.empty_home" in flagged(text)


@pytest.mark.parametrize("text", [
    "Going away till August? Tell a trusted neighbour and cancel the milk.",
    "The library is in Canada Street until April while the hall is repaired.",
])
def test_advice_about_going_away_stays_clean(text):
    assert "operational.empty_home" not in flagged(text)


# --- second pass: shapes from the earlier training probes ---------------------------------------------------------

@pytest.mark.parametrize("text, rule", [
    ("The girl hit by the bike is Milly, 9, she goes to Oakfield Primary.", "personal.age_with_name"),
    ("Do you know Rhiannon Vale? She was last seen near the canal on Friday.", "personal.named_person"),
    ("A 79-year-old woman fell on Kings Road and her husband, who lives at the same address on Ash Close, is with her.",
     "personal.age_with_street"),
])
def test_a_person_told_of_across_two_sentences_or_at_the_same_address_is_flagged(text, rule):
    assert rule in flagged(text)


@pytest.mark.parametrize("text", [
    "Lost: a tabby cat, answers to Bella, last seen near the park.",
    "Thanks Rhiannon. She was lovely to work with at the fete.",
    "Do you know Rhiannon Vale? She runs the craft stall at the market.",
])
def test_pets_and_people_with_nothing_happening_to_them_stay_clean(text):
    assert not {code for code in flagged(text) if code.startswith("personal.")}


@pytest.mark.parametrize("text", [
    "Only the sergeant and one PCSO on duty this Saturday.",
    "The CCTV control room isn't staffed after 1am.",
    "Patrols will not cover Northfield next weekend because of the match.",
])
def test_thin_cover_said_other_ways_is_flagged(text):
    assert {code for code in flagged(text) if code.startswith("operational.")}


@pytest.mark.parametrize("text", [
    "Three people were held after the cannabis farm raid on Mill Lane last month.",
    "Two men held overnight after the cannabis farm raid on Mill Lane.",
    "He is in custody for the jewellers raid.",
    "It's number 14, the one with the broken gate.",
])
def test_a_raid_already_over_and_a_house_by_its_look_are_not_operational(text):
    assert not {code for code in flagged(text) if code.startswith("operational.")}


def test_a_raid_still_to_come_after_a_meeting_is_flagged():
    assert "operational.planned" in flagged("After the briefing we will raid the flats tomorrow at 6am.")
