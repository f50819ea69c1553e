"""Round 5's changes to live proceedings, discriminatory, political and operational rules, with their near misses.

The personal-data changes are in test_guidance_round5_personal.py.
"""
from __future__ import annotations

import pytest

from tests.portal.guidance_support import flagged as _flagged


@pytest.mark.parametrize("text", [
    "He's obviously guilty, the CCTV shows it clear as day",
    "shes defo guilty",
    "The police have got the wrong man, he never did it",
    "theyve lifted someone for the post office job",
    "they pulled him in for questioning",
    "my brother got lifted last night",
])
def test_prejudging_guilt_and_arrest_slang_are_live_proceedings(text):
    assert "proceedings.court_process" in _flagged(text)


@pytest.mark.parametrize("text", [
    "I feel guilty for not calling my nan.",
    "Everyone is innocent until proven guilty, so please do not speculate.",
    "The road closure on Western Road has now been lifted.",
    "The old fella was lifted into the ambulance by the crew.",
    "We were lifted by all the support at the fun day.",
    "Mum took her in to see the horses.",
])
def test_guilt_and_lifted_near_misses(text):
    assert "proceedings.court_process" not in _flagged(text)


@pytest.mark.parametrize("text", [
    "there's no one on at the station after 10pm on weekdays so dont bother ringing",
    "so no one's on patrol Saturday night",
    "Our patrol car will be in Kirkby on Tuesdays only from next month.",
])
def test_nobody_on_duty_or_cover_only_at_times_is_a_gap(text):
    assert "operational.resource_gap" in _flagged(text)


@pytest.mark.parametrize("text", [
    "No one on the estate saw anything, sadly.",
    "Nobody in the street heard anything last night.",
    "Our surgery is on Tuesdays only, 2-4pm at the library.",
    "Bin collections are every other week.",
])
def test_nobody_and_only_near_misses(text):
    assert "operational.resource_gap" not in _flagged(text)


def test_a_farm_left_empty_while_the_owners_are_away():
    assert "operational.empty_home" in _flagged("the farm on Crook Lane is empty over Christmas, owners are away")
    assert "operational.empty_home" not in _flagged("The owners are away so please keep off the field.")


def test_a_campaign_to_do_a_job_of_work_is_not_political():
    assert "political.campaigning" not in _flagged(
        "The campaign to tidy up the canal towpath needs volunteers this Saturday.")
    assert "political.campaigning" in _flagged("Join the campaign to stop the closure of the library")
    assert "political.campaigning" in _flagged("Support our campaign to save the library")


def test_voting_in_a_bloom_competition_is_not_political():
    assert not {"political.campaigning", "political.party"} & _flagged(
        "Voting for the village in bloom ends Friday - get your votes in!")


def test_a_politician_who_has_done_nothing_is_a_stance():
    assert "political.stance" in _flagged("Starmer's done nothing for places like ours")
    assert "political.stance" not in _flagged("The new chippy does nothing for my waistline")


@pytest.mark.parametrize("text", [
    "you cant trust a Jew with money",
    "Never trust a Romanian",
    "Moroccans are all thieves",
])
def test_one_member_for_the_group_and_peoples_not_in_the_tables(text):
    assert "discriminatory.group_generalisation" in _flagged(text)


@pytest.mark.parametrize("text", [
    "I bought cheese from a Pole at the market, always lovely",
    "Librarians are always lovely to us.",
    "Eritreans held a festival in the park.",
    "Moroccans are always welcome at our cafe.",
    "cant trust the buses round here",
])
def test_singular_and_bare_people_near_misses(text):
    assert "discriminatory.group_generalisation" not in _flagged(text)


@pytest.mark.parametrize("text", [
    "bet he gets off, they always do",
    "She's been held overnight and they're questioning her now",
    "court's next month, I'll be there to see him squirm",
    "he'll walk free, mark my words",
])
def test_outcomes_questioning_and_court_dates_in_speech(text):
    assert {"proceedings.court_process", "proceedings.court_date"} & _flagged(text)


@pytest.mark.parametrize("text", [
    "He got off the bus at the stop",
    "Enjoy the free walk free of charge",
    "The council is questioning them about the bins",
    "The event was held overnight at the hall",
    "Women's self defence class at the leisure centre, Thursdays 7pm.",
])
def test_outcome_and_questioning_near_misses(text):
    assert not {"proceedings.court_process", "proceedings.court_date"} & _flagged(text)


def test_cameras_that_do_not_record_and_stop_checks_to_come():
    assert "operational.resource_gap" in _flagged(
        "the cameras on the high street don't record at night, just so you know")
    assert "operational.planned_tactic" in _flagged("We'll be doing stop checks on the A1 from 6am tomorrow")
    assert "operational.planned_tactic" not in _flagged("We did stop checks on the A1 last week and seized two cars.")
    assert "operational.resource_gap" in _flagged("station's shut at weekends now so nobody's there")


@pytest.mark.parametrize("text", [
    "Net zero will cost us all a fortune, madness",
    "The new immigration rules are cruel",
])
def test_common_judgements_about_policy_are_stances(text):
    assert "political.stance" in _flagged(text)


def test_a_judgement_without_a_policy_is_not_a_stance():
    assert "political.stance" not in _flagged("The queue at the tip was madness on Saturday")


def test_the_travelling_community_lumped_together():
    assert "discriminatory.group_generalisation" in _flagged(
        "the travelling community leave rubbish wherever they go")
    assert "discriminatory.group_generalisation" not in _flagged(
        "The travelling community invited us to their summer fair.")


@pytest.mark.parametrize("text", [
    "The Chinese Community Centre is running a scam awareness session in Mandarin.",
    "Polish Saturday School open day: lost property and scam advice for parents.",
])
def test_a_group_word_that_begins_an_organisations_name_is_not_the_group(text):
    assert "discriminatory.group_generalisation" not in _flagged(text)


def test_the_group_itself_is_still_lumped_beside_an_organisation():
    assert "discriminatory.group_generalisation" in _flagged("Typical Poles, always drunk at the Polish Club")
    assert "discriminatory.group_generalisation" in _flagged("The Chinese are all thieves")


def test_a_society_or_club_named_after_a_party_is_not_the_party():
    assert "political.party" not in _flagged("Thanks to the Greens' allotment society for the flowers at the station.")
    assert "political.party" in _flagged("Vote Green, the Greens are the only ones who care")


def test_a_politician_presenting_awards_is_not_taking_a_side():
    assert "political.stance" not in _flagged("The Mayor will be presenting the Community Champion awards on Friday.")
    assert "political.stance" not in _flagged("Our MP opened the brilliant new fete on Saturday")
    assert "political.stance" in _flagged("The government's award scheme is a disgrace")
    assert "political.stance" in _flagged("The Mayor is useless and should resign")


@pytest.mark.parametrize("text", [
    "Reeves has hammered pensioners",
    "Sunak was better than this lot",
    "Farmers are being crushed by the inheritance tax, shameful",
    "The winter fuel cut is killing pensioners",
    "The two child cap should go",
    "Immigration is out of control",
    "The government's housing policy is a joke",
])
def test_policies_by_their_kind_and_politicians_by_surname_with_a_judgement(text):
    assert "political.stance" in _flagged(text)


@pytest.mark.parametrize("text", [
    "Council tax bills are out this week",
    "Your car tax is due, do it online",
    "Mrs Reeves at number 4 is lovely",
    "This cake is better than the last one",
    "The speeding is out of control on Main St",
    "Caught in the act, brilliant work by the team",
    "The new anti-social behaviour policy is brilliant - report it to us",
    "The bike marking scheme is brilliant",
])
def test_policy_and_surname_near_misses(text):
    assert "political.stance" not in _flagged(text)


@pytest.mark.parametrize(("text", "rule"), [
    ("We're only running one car tonight for the whole of Selby", "operational.resource_gap"),
    ("Most of the team are at the football on Saturday so the town centre will be quiet", "operational.resource_gap"),
    ("Our car's in for repair, so it's foot patrols only till Friday", "operational.resource_gap"),
    ("Our response time out here is about an hour", "operational.resource_gap"),
    ("Nobody patrols the riverside after dark", "operational.resource_gap"),
    ("Keep it quiet but we're going through doors on the estate Thursday", "operational.planned_tactic"),
    ("Operation starts at 5am Tuesday, three addresses in Ferrybridge", "operational.planned_tactic"),
    ("We've got a camera hidden in the bird box by the bins", "operational.covert_method"),
    ("Mrs Jones at number 3 is blind and alone, keys under the plant pot", "operational.empty_home"),
    ("Mrs Jones at number 3 is blind and alone, keys under the plant pot", "operational.vulnerable_alone"),
])
def test_more_shapes_of_operational_detail(text, rule):
    assert rule in _flagged(text)


@pytest.mark.parametrize("text", [
    "Most of the team are at the fun day on Saturday, come and say hi!",
    "Never leave a spare key under the mat",
    "Response to our survey took about 5 minutes each",
    "My car is in for repair, any lifts to the meeting?",
    "She is not alone, lots of people feel this way",
    "We're only running one coffee morning this month",
])
def test_operational_near_misses_of_round_5(text):
    assert not {r for r in _flagged(text) if r.startswith("operational.")}


def test_he_never_did_it_on_its_own_prejudges_the_case():
    assert "proceedings.court_process" in _flagged("he never did it, he was at home with me")
