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


@pytest.mark.parametrize("text", [
    "They're all on benefits in that part of town.",
    "Every one of them off the estate is a thief.",
    "They're all the same on that estate, bone idle.",
    "Every last one of them down Gipsy Lane is on the take.",
    "Travellers have pulled onto the rec. They always leave a mess.",
    "The new lot at the flats moved in on Monday. Half of them can't speak English.",
])
def test_a_group_or_place_lumped_together_through_a_pronoun_is_flagged(text):
    assert "discriminatory.group_generalisation" in flagged(text)


@pytest.mark.parametrize("text", [
    "They're all in bed by ten in that part of town, so keep the noise down.",
    "Every one of them off the estate turned out for the litter pick.",
    "They are all welcome at the estate's fun day.",
    "The kids on the estate were brilliant at the litter pick; they all helped.",
    "Residents on the Ashfield estate met us last night. They're all sick of the drug dealing.",
    "We visited the caravan site today. They all said thefts from their vans had stopped.",
    "The scouts camped at the site. All of them had a great time despite the mess.",
    "Whoever keeps dumping the tyres, they're always leaving a mess.",  # no group or place named
])
def test_pronouns_about_a_group_that_run_no_one_down_are_left_alone(text):
    assert "discriminatory.group_generalisation" not in flagged(text)


@pytest.mark.parametrize("text", [
    "Closing the library to save money is a disgrace.",
    "Cutting the bus service to the village is shameful.",
    "About time they brought back the 30mph limit on the bypass.",
    "Selling off the playing fields is criminal.",
    "Proud of our town for rejecting the new mosque plans.",
    "Good on the junior doctors for walking out, they deserve every penny.",
    "Another 20mph zone nobody asked for.",
    "The Home Secretary has left us with half the officers we need.",
    "Why is the PCC cutting our PCSOs while his own office grows?",
    "Westminster has forgotten towns like ours.",
])
def test_a_verdict_on_a_public_decision_or_blame_on_a_politician_is_flagged(text):
    assert "political.stance" in flagged(text)


@pytest.mark.parametrize("text", [
    "The library is closing early on Friday for staff training.",
    "The lost property office is closing at 5 today.",
    "The litter on the beach after the weekend was a disgrace.",
    "The parking on the pavement outside the school is a disgrace.",
    "The planning committee approved the plans for the new sports hall on Tuesday.",
    "The bus drivers were brilliant during the snow, thank you.",
    "The mayor is cutting the ribbon at the new library.",
    "Thanks to the councillor for opening the new play park.",
    "Our MP is the only one who turned up to the litter pick.",
    "The councillor forgot about the meeting, so we rescheduled.",
])
def test_public_services_and_politicians_without_a_side_taken_are_left_alone(text):
    assert "political.stance" not in flagged(text)


def test_a_demo_urged_is_campaigning_but_a_product_demo_is_not():
    assert "political.campaigning" in flagged("See you all at the demo outside the town hall on Saturday.")
    assert "political.campaigning" not in flagged("Come and see a demo of the new bike marking kit at the station.")


# --- shapes found by the round's training probe (probe_f7.jsonl), in other words than the probe's -----------------

@pytest.mark.parametrize("text", [
    "The youth who smashed the bus shelter is being reported to the Procurator Fiscal.",
    "Tam Hughes is up at the sheriff court next month.",
])
def test_scottish_live_cases_are_flagged(text):
    # Round 9: "up at the ... court" is now a court date too, and wins the overlap with status at equal severity.
    assert flagged(text) & {"proceedings.status", "proceedings.named_person", "proceedings.court_date"}


@pytest.mark.parametrize("text", [
    "Reminder that anyone under 18 who is arrested must have an appropriate adult with them.",
    "You don't have to go to court for your report to count.",
    "If you've been a witness at Lewes Crown Court this year, the court service wants your views.",
])
def test_arrest_and_court_said_to_anyone_are_left_alone(text):
    assert not {code for code in flagged(text) if code.startswith("proceedings.")}


@pytest.mark.parametrize("text", [
    "The lads from the top end are all the same, always looking for a fight.",
    "Look at him, they all carry knives where he's from.",
    "He's from that estate. Every one of them would rob you blind.",
    "Round here they're all on the take.",
])
def test_more_groups_lumped_together_through_a_pronoun_are_flagged(text):
    assert "discriminatory.group_generalisation" in flagged(text)


@pytest.mark.parametrize("text", [
    "Leaflets in Urdu and Punjabi are at the front desk.",
    "Scam warning in Polish - please share with family.",
    "We had a great time round Eastfield, they all helped with the clean-up.",
])
def test_languages_and_kind_words_about_a_place_are_left_alone(text):
    assert "discriminatory.group_generalisation" not in flagged(text)


@pytest.mark.parametrize("text", [
    "Youth clubs in this county have been gutted by the current council leadership.",
    "We're down to two PCSOs for the ward thanks to this government's cuts.",
    "Lovely to see Cllr Patel at the fun day - a true champion for this ward.",
    "The Mayor's new night buses have made the town centre safer. Best decision in years.",
    "This government lets everyone in and then wonders why the hospitals are full.",
])
def test_blame_and_praise_for_those_in_power_are_flagged(text):
    assert "political.stance" in flagged(text)


@pytest.mark.parametrize("text", [
    "Thanks to the council for fixing the street lights on Elm Road.",
    "Candidates for the school council have been announced - well done to all of them!",
    "Lovely to see Cllr Patel at the fun day. The cakes were brilliant.",
])
def test_thanks_and_congratulations_near_those_in_power_are_left_alone(text):
    assert not {code for code in flagged(text) if code.startswith("political.")}


def test_officers_standing_with_the_public_are_not_campaigning():
    assert "political.campaigning" not in flagged("Officers at the vigil are there to stand with you, not to police it.")
    assert "political.campaigning" in flagged("We stand with the strikers at the hospital.")


@pytest.mark.parametrize("text", [
    "We think the flat above the chip shop on Market Row is being used by dealers.",
    "Yeah that's the lad from the bungalow on the corner of Birch Grove.",
    "Most houses on Elm Road are empty at Christmas, including ours at no. 19 - keep an eye.",
    "The Okafors have moved into Rose Cottage, Church Lane.",
])
def test_homes_told_by_landmark_number_or_house_name_are_flagged(text):
    assert "personal.home_address" in flagged(text)


@pytest.mark.parametrize("text", [
    "We're keeping an eye on the flat above the barbers.",
    "The road is closed from number 2 - 40 for resurfacing.",
])
def test_homes_with_no_place_named_and_ranges_of_numbers_are_left_alone(text):
    assert "personal.home_address" not in flagged(text)


@pytest.mark.parametrize("text", [
    "The CCTV at the back of St Peter's church has been fixed.",
    "Retail Crime Partnership: thefts in the town centre fell this quarter.",
    'Our officers ran "No Knives Better Lives" sessions at three schools.',
])
def test_saints_bodies_and_quoted_titles_are_not_people(text):
    assert "personal.named_person" not in flagged(text)


@pytest.mark.parametrize("text", [
    "New families have moved into the hotel. They should all be deported.",
    "Go back to your own country.",
    "If you're from the estate you've probably got a record.",
    "Anyone with that accent round here is up to no good.",
])
def test_groups_told_to_leave_or_judged_by_origin_or_look_are_flagged(text):
    assert "discriminatory.group_generalisation" in flagged(text)


@pytest.mark.parametrize("text", [
    "We'll send them all back to the depot after the parade.",
    "If you're from the estate and want to join the football team, come along.",
    "They should all be proud of the garden they built at the estate.",
    "Anyone with information about the theft on the estate, please call 101.",
])
def test_origin_and_send_back_in_ordinary_sentences_are_left_alone(text):
    assert "discriminatory.group_generalisation" not in flagged(text)


@pytest.mark.parametrize("text", [
    "Interesting how the police budget gets cut every year under this lot.",
    "The council spent £2m on a bike lane nobody uses while the library shuts.",
    "The council wasted £4m on a vanity project nobody needs.",
    "Pleased to see the government finally listening on knife crime.",
    "Can't wait to see the back of this council in May.",
    "Those protesters outside the town hall want locking up.",
])
def test_sarcasm_spending_and_protest_verdicts_are_flagged(text):
    assert "political.stance" in flagged(text)


@pytest.mark.parametrize("text", [
    "The library is closed on Monday for the bank holiday.",
    "The council spent £20,000 on new CCTV for the park.",
    "The march through town on Sunday was brilliant, well done to the Scouts.",
    "The mayor finally arrived at the fete at 3pm.",
    "Our budget gets cut back in April so we'll have fewer events.",
])
def test_services_spending_and_parades_without_a_side_are_left_alone(text):
    assert "political.stance" not in flagged(text)


@pytest.mark.parametrize("text", [
    "There will be no police cover in the villages this weekend.",
    "Our camera van will not be there next week.",
    "Police are not patrolling the park at night anymore.",
    "Nights are uncovered Mon to Thu.",
])
def test_police_absent_with_a_time_is_a_gap(text):
    assert "operational.resource_gap" in flagged(text)


@pytest.mark.parametrize("text", [
    "No cover charge at the community disco on Friday.",
    "No officers were hurt during Saturday's match.",
    "We're not there to spoil anyone's fun this weekend.",
])
def test_absence_words_that_leave_no_gap_are_left_alone(text):
    assert "operational.resource_gap" not in flagged(text)


def test_homes_empty_over_a_holiday_but_not_the_advice_question():
    assert "operational.empty_home" in flagged("Most of the houses on Elm Road are empty over Christmas.")
    assert "operational.empty_home" not in flagged("Home empty over Christmas? Leave a light on a timer.")


@pytest.mark.parametrize("text", [
    "Put a mosque up and watch the crime go up.",
    "Ever since the hostel opened the town's gone downhill.",
    "They come over here and take our jobs.",
])
def test_a_group_blamed_for_arriving_is_flagged(text):
    assert "discriminatory.group_generalisation" in flagged(text)


@pytest.mark.parametrize("text", [
    "Since they moved in next door the noise has been nothing but trouble.",
    "Ever since the new cafe opened the high street has been busier.",
    "Since the hostel opened we've had great support from its staff.",
    "Build a school up and watch the kids thrive.",
])
def test_arrivals_that_blame_no_group_are_left_alone(text):
    assert "discriminatory.group_generalisation" not in flagged(text)


def test_an_event_named_in_capitals_is_not_a_person():
    assert not flagged("We visited a mosque and a temple as part of Hate Crime Awareness Week.")
