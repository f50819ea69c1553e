"""Round 10: false alarms on clean messages fixed by cause, each beside the risky messages it must still catch.

Each cause is a class of wording, not one message: an everyday word opening a capitalised pair (a body or a
place, not a person); a public figure named beside their office; 'charged' as a battery or a price; a trial
of a thing; the jury 'out on' something; a crossing patrol and a count after 'patrol … after'; advice to the
reader about their own empty home; a group's name inside an event's; the police's 'safer …' campaigns; a
named place just before its address; people posing as police; a raid on the fridge or a crime's 'ram raid';
a plan said of last year.
"""
from __future__ import annotations

import pytest

from portal.guidance.check import check_message
from portal.guidance.detectors.names import names
from tests.portal.guidance_support import flagged


def categories(text: str) -> set[str]:
    """The categories a message is held for (advice left out)."""
    return {f.category for f in check_message(text) if f.severity != "advice"}


# --- names: an everyday word opening a capitalised pair ---------------------------------------------------------

@pytest.mark.parametrize("text", [
    "The inspector will be on BBC Radio Westshire at 8.10am tomorrow talking about rural crime.",
    "Local charity Safe Haven runs a free helpline for anyone affected by domestic abuse.",
    "Report hate crime to us or through True Vision online.",
    "Thanks to the farmers who helped clear the flooded road at Upper Hatton this morning.",
    "New Horizons youth charity runs free boxing for teenagers who have been in trouble for theft.",
])
def test_a_pair_opening_with_an_everyday_word_is_not_a_person(text):
    assert "personal_data" not in categories(text)


@pytest.mark.parametrize("text, name", [
    ("Big Dave Smith was arrested last night.", "Dave Smith"),
    ("Young Kayden Marsh, 14, has been missing since Monday.", "Kayden Marsh"),
    ("Hope Dawson, 34, was assaulted outside her home.", "Hope Dawson"),  # a given name that is also a word
    ("Zainab Okafor was the victim of the theft.", "Zainab Okafor"),  # a first name the tables do not know
])
def test_people_are_still_named_when_an_everyday_word_stands_beside_them(text, name):
    assert name in [found.text for found in names(text)]
    assert "personal_data" in categories(text)


# --- names: a public figure beside their office -----------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "The new MP for the area, Sarah Lloyd, visited the station today to meet the team and hear about our work.",
    "Our MP, Daniel Hurst, joined the team on a walkabout in the market and visited the victims' charity.",
    "Sarah Lloyd, the local MP, visited the station today.",
    "The Chief Constable, Gemma Lowe, visited the station to thank the team.",
])
def test_a_public_figure_named_beside_their_office_is_not_personal_data(text):
    assert "personal.named_person" not in flagged(text)


@pytest.mark.parametrize("text", [
    "The victim, Sarah Lloyd, visited the station today to give a statement.",
    "Sarah Lloyd, a local mum, was the victim of the theft.",
    "The MP's neighbour, Sarah Lloyd, was burgled last night.",
])
def test_a_person_who_holds_no_office_is_still_named(text):
    assert "personal_data" in categories(text)


# --- live proceedings: 'charged' as a battery or a price --------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Make sure your phone is fully charged before you head out on a long walk on the moors.",
    "Electric bikes being charged overnight in hallways are a fire risk.",
    "Parking charges are going up at the station car park next month.",
    "You will be charged £50 if the bin is left out.",
    "Watch out for texts saying you've been charged a delivery fee - it's a scam.",
    "Don't leave e-scooters charging overnight.",
])
def test_charged_as_power_or_money_is_not_a_case(text):
    assert "live_proceedings" not in categories(text)


@pytest.mark.parametrize("text", [
    "A man has been charged with stealing phones from the shop.",
    "Two men who stole phones were charged yesterday.",
    "The driver was charged overnight and will appear before magistrates today.",
    "The man charged with the theft of batteries from the depot is on bail.",
])
def test_charged_with_an_offence_is_still_a_case(text):
    assert "live_proceedings" in categories(text)


# --- live proceedings: a trial of a thing, the jury 'out on' something, sentencing guidelines --------------------

@pytest.mark.parametrize("text", [
    "Our trial of late-night opening at the front counter ends this month.",
    "The council's trial of new wheelie bins starts on the Brookside estate next week.",
    "A trial of body-worn cameras for door staff starts next week.",
    "The jury is out on the best mince pie at the station - thanks to the WI!",
    "The sentencing guidelines council has published new guidance for people who work with victims.",
    "Pupils took part in a mock trial at the Crown Court as part of Law Week.",
])
def test_a_trial_of_a_thing_or_an_idiom_is_not_a_case(text):
    assert "live_proceedings" not in categories(text)


@pytest.mark.parametrize("text", [
    "The trial of the man accused of the stabbing starts on Monday.",
    "The trial of Kevin Doyle continues this week.",
    "His trial is set for June.",
    "The jury is still out in the trial of the two men.",
    "The jury is out and we expect a verdict tomorrow.",
])
def test_a_person_s_trial_and_a_jury_deciding_are_still_a_case(text):
    assert "live_proceedings" in categories(text)


# --- operational: patrols ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "School crossing patrol: Mrs Evans has retired after 31 years at the gates of Hillside Primary.",
    "Patrols were stepped up after 3 burglaries in the street.",
    "The school crossing patrol outside Hillside Primary works from 8am to 9am.",
])
def test_a_crossing_patrol_or_a_count_after_patrol_is_not_a_patrol_time(text):
    assert "operational.patrol_times" not in flagged(text)


@pytest.mark.parametrize("text", [
    "Patrols will be in the park from 10pm until 2am.",
    "We'll be patrolling after 10 tonight.",
    "Patrols from 9 to 11 every night this week.",
])
def test_patrol_times_are_still_patrol_times(text):
    assert "operational.patrol_times" in flagged(text)


# --- operational: an empty home --------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "If your home will be empty over Christmas, leave a radio on and don't announce it on social media.",
    "When you're away for two weeks, your house will be empty, so cancel the milk.",
])
def test_advice_about_the_reader_s_own_empty_home_is_not_a_home_left_empty(text):
    assert "operational.empty_home" not in flagged(text)


@pytest.mark.parametrize("text", [
    "Number 12 will be empty for two weeks while they're in Spain.",
    "Their house will be empty over Christmas, so keep an eye on it.",
])
def test_a_particular_home_left_empty_is_still_flagged(text):
    assert "operational.empty_home" in flagged(text)


# --- discriminatory: a group's name inside an event's -----------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Trans Day of Visibility: our LGBT+ network is holding a coffee morning open to all staff and residents.",
    "Deaf Awareness Week: our officers have been learning sign language, and the classes are open to all.",
])
def test_a_group_named_in_an_event_s_name_is_not_lumped_together(text):
    assert "discriminatory" not in categories(text)


@pytest.mark.parametrize("text", [
    "Trans people are all attention seekers.",
    "Travellers are all thieves, every one of them.",
])
def test_a_group_spoken_of_as_a_whole_is_still_flagged(text):
    assert "discriminatory" in categories(text)


# --- political: the police's own 'safer …' campaign -------------------------------------------------------------

def test_a_police_campaign_for_safer_driving_is_not_political():
    assert "political" not in categories("We're campaigning for safer driving around schools this term.")


@pytest.mark.parametrize("text", [
    "Join our campaign to keep the police station open - sign the petition.",
    "We're campaigning against the government's cuts to make the streets safer.",
])
def test_a_campaign_about_a_closure_or_government_is_still_political(text):
    assert "political" in categories(text)


# --- personal data: a named place just before its address --------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Shoplifting prevention workshop for small retailers at the Chamber of Commerce, 9 King Street, 8am breakfast.",
    "Join us at the Red Lion, 4 Bridge Street, for the Pubwatch meeting.",
])
def test_an_address_after_a_named_place_is_a_venue_s(text):
    assert "personal.home_address" not in flagged(text)


@pytest.mark.parametrize("text", [
    "The lady at number 42 Elm Grove has been targeted by rogue traders three times now.",
    "Mrs Hughes, 9 King Street, lives alone and has been targeted by cold callers.",
    "At the Smiths' house, 9 King Street, the family lives with their three children.",
])
def test_a_home_s_address_is_still_a_home_s(text):
    assert "personal_data" in categories(text)


# --- operational: fake police, raids that are not the police's, plans of last year -------------------------------

def test_people_posing_as_police_are_not_a_gap_in_cover():
    text = "We've seen a rise in fake police officers calling people. A real officer will never ask for your PIN."
    assert "operational" not in categories(text)


@pytest.mark.parametrize("text", [
    "The CCTV camera in the car park is a fake.",
    "Only one officer on this weekend for the whole valley.",
])
def test_a_fake_camera_and_thin_cover_are_still_gaps(text):
    assert "operational" in categories(text)


@pytest.mark.parametrize("text", [
    "Fridge raid! The cadets raised £340 for the food bank with their bake sale this weekend.",
    "Our plain-clothes cycling officers won an award for their road safety work last year.",
])
def test_a_raid_on_the_fridge_and_last_year_s_work_are_not_plans(text):
    assert "operational.planned" not in flagged(text)


@pytest.mark.parametrize("text", [
    "Drugs raid planned on the Greenfields estate tomorrow.",
    "Plain-clothes officers will be in the shopping centre all week.",
])
def test_police_raids_and_covert_work_to_come_are_still_plans(text):
    assert "operational" in categories(text)


# --- probe_j10's clean look-alikes, by cause, in other words ------------------------------------------------------

@pytest.mark.parametrize("text", [
    "You can text the police text number 07700 900456 if you are deaf or hard of hearing.",
    "The library has a hearing loop; ask the staff to switch it on.",
    "We will come back to the club in March to see how you are getting on.",
    "A man was fined at court last year for the fireworks; that case is finished.",
    "We're campaigning for everyone to keep the pavements clear of bins this week.",
    "Check the employer with the Gangmasters and Labour Abuse Authority before you take the job.",
    "The Polish Social Club is hosting a family safety day at St Anne's Hall, 40 Kings Road.",
    "The bowls team charged to victory in the county final on Saturday.",
    "Polish group: keep your van tools locked away overnight, tool thefts are up across the county.",
    "Someone posted on the page that Somalis never report crime. We've removed the comment.",
])
def test_probe_j10_s_clean_causes_in_other_words_are_not_flagged(text):
    assert not categories(text)


@pytest.mark.parametrize("text, category", [
    ("Ring his mobile 07700 900456 if you see him.", "personal_data"),
    ("He has a hearing at the magistrates on Monday.", "live_proceedings"),
    ("Come and march with us against the council's cuts on Saturday.", "political"),
    ("The case is not over: he's due back at court next week.", "live_proceedings"),
    ("Vote Labour on Thursday.", "political"),
    ("The family at 40 Kings Road were burgled last night.", "personal_data"),
    ("He charged at the officer and is now in custody.", "live_proceedings"),
    ("Polish lads are all drunk drivers.", "discriminatory"),
    ("Somalis never report crime, everyone knows that.", "discriminatory"),
])
def test_their_risky_near_misses_are_still_flagged(text, category):
    assert category in categories(text)


# --- probe_j10's misses, by cause, in other words ----------------------------------------------------------------

@pytest.mark.parametrize("text, category", [
    ("The NHS number of the missing man is 485 777 3456.", "personal_data"),
    ("Mrs Ada Price, the lady whose shed was broken into, thanks you all.", "personal_data"),
    ("The woman held over the fire is out on police bail until June.", "live_proceedings"),
    ("Sign the petition to make catalytic converter theft a separate offence.", "political"),
    ("This new law is a terrible piece of legislation.", "political"),
    ("The striking bus drivers should get back to work, frankly.", "political"),
    ("Officers will pull out of the town centre at 2am on Sunday.", "operational"),
    ("No car on tonight for the villages, sorry.", "operational"),
    ("14 Mill Lane will be empty from Friday for a month.", "operational"),
    ("We'll be using a drone over the fields tonight to find the hare coursers.", "operational"),
    ("We're running stop checks on the bypass on Friday night.", "operational"),
    ("Officers are tracking the phone the threats came from.", "operational"),
    ("People with autism are all unpredictable, they shouldn't be in mainstream schools.", "discriminatory"),
])
def test_probe_j10_s_miss_causes_in_other_words_are_flagged(text, category):
    assert category in categories(text)


@pytest.mark.parametrize("text", [
    "Our drone team is doing a demo at the show at 2pm.",
    "Our campaign against catalytic converter theft continues with free marking on Friday.",
    "If your house will be empty for a month, ask a neighbour to park on the drive.",
    "The police text number is 07700 900456 if you can't make a voice call.",
])
def test_their_clean_near_misses_are_not_flagged(text):
    assert not categories(text)


def test_a_demo_against_a_decision_is_still_a_campaign():
    assert "political" in categories("Come to the demo at the town hall against the cuts on Saturday.")


@pytest.mark.parametrize("text, category", [
    ("Heads up, no van out tonight on the east side.", "operational"),
    ("We'll run a stop check operation at the retail park on Sunday afternoon.", "operational"),
    ("Mr Tom Reeve, the man whose bike was found in the canal, says thank you.", "personal_data"),
    ("The bus drivers' strike has left the depot short this weekend and frankly they should be back at work.", "political"),
    ("Both lads are on police bail until March.", "live_proceedings"),
    ("Anyone with schizophrenia - they're all unpredictable around kids.", "discriminatory"),
])
def test_each_new_word_catches_a_message_of_its_own(text, category):
    assert category in categories(text)
