"""Round 9's shapes of language, each with near misses that must stay clean.

Live proceedings told by what happened to the person (caught, handed themselves in, going down for it, being quizzed
over something, prosecuted, off the streets); groups lumped together by implication (trouble dated from their
arrival, 'not like us', 'they don't integrate', a town 'taken over', a hint with a wink); and near misses that the
rules used to flag (trials in general, a court's open day, a closure order granted).
"""
from __future__ import annotations

import pytest

from tests.portal.guidance_support import flagged

LIVE = "proceedings.court_process"
GROUPS = "discriminatory.group_generalisation"


@pytest.mark.parametrize("text", [
    "Officers have got someone for the garage break-in, thanks for sharing.",
    "We've caught the lads who smashed the bus shelter.",
    "Police have finally nabbed the thief behind the parcel thefts.",
    "The burglar who targeted Oak Close has been traced.",
    "A man in his forties handed himself in this afternoon.",
    "The driver turned herself in at the front desk.",
    "The woman who hit the cyclist will face justice.",
    "Mark my words, he's going down for it.",
    "Her boyfriend is getting done for the assault.",
    "Three teenagers were quizzed over the fire at the scout hut.",
    "Two men are being questioned about the robbery at the bookies.",
    "Detectives are speaking to a 40-year-old man about the collision.",
    "A lad is in for questioning over the stolen quad.",
    "They've got a woman in for it already.",
    "The landlord is being prosecuted for the fire safety breaches.",
    "The van driver has been reported for summons.",
    "The dealers from the park are now off the streets.",
    "The man who did this is finally behind bars.",
])
def test_a_case_told_by_what_happened_to_the_person_is_live(text):
    assert LIVE in flagged(text)


@pytest.mark.parametrize("text", [
    "We've found the missing dog, thanks everyone!",
    "We caught him on CCTV, do you know him? Call 101.",
    "Anyone caught dumping rubbish will be prosecuted.",
    "Whoever did this will face justice, we promise.",
    "The lad who found the purse handed it in at the desk.",
    "We're going away for the weekend, so the page will be quiet.",
    "We're done for the day, thanks for the cuppas.",
    "Residents were questioned about their views in the survey.",
    "Youth club keeps kids off the streets on a Friday night.",
    "Officers are speaking to residents about parking on the green.",
])
def test_near_misses_of_a_case_told_by_what_happened_stay_clean(text):
    assert LIVE not in flagged(text)


@pytest.mark.parametrize("text", [
    "Please don't share names online; it can prejudice a fair trial.",
    "Speculating on social media could jeopardise any trial.",
    "Come to the magistrates' court open day on Saturday.",
    "The magistrates granted the closure order on the flat yesterday.",
])
def test_trials_in_general_an_open_day_and_a_closure_order_granted_are_not_live(text):
    assert not {code for code in flagged(text) if code.startswith("proceedings.")}


@pytest.mark.parametrize("text", [
    "His trial has been moved; don't post anything that could prejudice it.",
    "He's up before the magistrates next week.",
])
def test_a_case_beside_the_same_words_is_still_live(text):
    assert {code for code in flagged(text) if code.startswith("proceedings.")}


@pytest.mark.parametrize("text", [
    "We never had any of this crime before they moved in.",
    "The thefts started when the new families arrived on the site.",
    "The new lot on the estate aren't like us.",
    "They don't integrate and never will.",
    "People of that background just don't respect the police.",
    "Certain communities need to learn how things work here.",
    "This town has been taken over, it's not the same place.",
    "Overrun by foreigners, that's what the high street is now.",
    "Half the town is foreign now.",
    "He's not from round here, if you know what I mean.",
    "Anyone with a foreign accent who rings you is a scammer.",
    "Women can't park, proven again outside the Co-op.",
    "We all know what those people are like.",
    "Trouble always comes from that end of town.",
    "Wherever they go, trouble follows.",
])
def test_groups_lumped_together_by_implication_are_discriminatory(text):
    assert GROUPS in flagged(text)


@pytest.mark.parametrize("text", [
    "Since the new CCTV went up, thefts have dropped.",
    "Before the new families arrived we held a welcome coffee morning.",
    "Since they moved in, the new neighbourhood team have been brilliant.",
    "The café was taken over by new owners in May.",
    "The park gets overrun with seagulls in summer.",
    "The caller had a foreign accent and asked for bank details.",
    "Women can report anonymously through the online form.",
    "Certain communities find it harder to report crime, so we hold drop-ins.",
    "The new people on the estate were lovely at the fun day.",
    "Older drivers can't book the course online yet; ring us instead.",
])
def test_near_misses_of_lumping_by_implication_stay_clean(text):
    assert GROUPS not in flagged(text)


STANCE = "political.stance"


@pytest.mark.parametrize("text", [
    "Axe the licence fee.",
    "Abolish tuition fees.",
    "Bring back free bus passes for the over 60s.",
    "Renationalise the water companies.",
    "Free prescriptions for all now.",
])
def test_a_demand_about_a_policy_opening_a_sentence_is_political(text):
    assert STANCE in flagged(text)


@pytest.mark.parametrize("text", [
    "Stop the spread of scams: never share your PIN.",
    "Save the date: summer fete on 12 July.",
    "Cut your speed near the school.",
    "Cut your council tax bill with the single person discount.",
    "Free bike marking at the library on Saturday.",
    "Free school meals vouchers can be collected from reception.",
    "Raise the alarm if you see smoke.",
    "Ban the bin fires: report them on 101.",
])
def test_near_misses_of_a_policy_demand_stay_clean(text):
    assert STANCE not in flagged(text)


@pytest.mark.parametrize("text", [
    "The new immigration rules are a shambles.",
    "The benefits system is broken and always has been.",
    "The welfare system rewards people who sit at home.",
    "Votes at 16 is a daft idea.",
    "Whoever dreamt up the new parking charges wants their head testing.",
    "Spend it on our own people first.",
    "The council's new parking charges are daylight robbery.",
    "Funny how there's always money for MPs' pay but not for our schools.",
    "The council can find money for consultants but never for the potholes.",
    "Time for a change at the top come polling day.",
])
def test_a_policy_judged_or_a_vote_steered_is_political(text):
    assert STANCE in flagged(text)


@pytest.mark.parametrize("text", [
    "The new parking rules start on Monday; the signs are up.",
    "The new anti-social behaviour scheme is brilliant, thanks to all who joined.",
    "The benefits system can be confusing; Citizens Advice can help.",
    "The justice system relies on people coming forward.",
    "Tax refund texts are a scam, ignore them.",
    "The council found money for the new CCTV cameras, thank you!",
    "Time for a change of scenery: our beat surgery moves to the library.",
    "Whoever left the gate open wants their head testing, the sheep are out!",
])
def test_near_misses_of_a_policy_judged_stay_clean(text):
    assert STANCE not in flagged(text)


@pytest.mark.parametrize("text", [
    "The people running this country haven't got a clue.",
    "Those in power couldn't care less about towns like ours.",
    "Our MP hasn't lifted a finger for this village.",
    "Keir's lot are no better than the last bunch.",
    "Politicians are all the same, lining their own pockets.",
    "The NHS is being privatised by the back door.",
])
def test_those_in_power_blamed_without_a_party_named_are_political(text):
    assert STANCE in flagged(text)


@pytest.mark.parametrize("text", [
    "Those in charge of the fun run did a brilliant job.",
    "The people running the car boot sale have been brilliant.",
    "Dave's lot won the quiz again, congratulations!",
    "Our MP visited the food bank on Friday.",
])
def test_near_misses_of_those_in_power_blamed_stay_clean(text):
    assert STANCE not in flagged(text)


# --- shapes found in probe_h9's misses, tested in other words ------------------------------------------------

@pytest.mark.parametrize("text", [
    "A 22yo local man is assisting us with our enquiries.",
    "She'll be up at Kirkby court soon enough.",
    "The court will sort him out next week.",
    "We all know she's the one dealing outside the school.",
    "They carted the lad from number 9 off in a police van this morning.",
    "The driver is under police guard in hospital.",
    "The woman will be interviewed once she's discharged.",
])
def test_a_live_case_by_court_to_come_guilt_presumed_or_custody_in_other_words(text):
    assert {code for code in flagged(text) if code.startswith("proceedings.")}


@pytest.mark.parametrize("text", [
    "Last year the burglary team made 48 arrests across the district.",
    "Looking back on last year's festival: 12 arrests and no serious injuries.",
    "Catalytic converter thefts fell by a third last year. The crackdown led to 27 arrests.",
    "Group rule: posts naming people accused of offences will be deleted.",
    "The court will be closed on bank holiday Monday.",
    "We all know it's the one thing that stops thieves: a good lock.",
    "Residents will be interviewed for the council's survey next month.",
])
def test_year_figures_a_rule_about_posts_and_near_misses_are_not_live(text):
    assert not {code for code in flagged(text) if code.startswith("proceedings.")}


def test_a_count_of_arrests_today_is_still_live_in_a_message_about_the_year():
    assert {code for code in flagged("Thefts fell last year. Today's operation led to 3 arrests in Hill Street.")
            if code.startswith("proceedings.")}


@pytest.mark.parametrize("text", [
    "It's always the same lot off Mill Row.",
    "You can tell which flats are the benefit claimants by the state of the balconies.",
    "Nobody from that community will ever give a statement, they keep everything to themselves.",
    "The litter on the prom is all down to the coach parties over from Glasgow.",
    "Travellers have pitched up by the tip, so lock your sheds.",
    "The lad who was caught is one of the Romanians from the car wash, who'd have guessed.",
])
def test_groups_lumped_by_a_wink_a_look_or_a_blame_are_discriminatory(text):
    assert GROUPS in flagged(text)


@pytest.mark.parametrize("text", [
    "Always the same faces at our litter picks, thank you all!",
    "You can tell which bikes are marked by the sticker on the frame.",
    "The mess on the green is down to the wind last night.",
    "Who'd have guessed the sun would come out for the fete!",
    "Lock your sheds: tools are being taken across the valley.",
])
def test_near_misses_of_a_wink_a_look_or_a_blame_stay_clean(text):
    assert GROUPS not in flagged(text)


@pytest.mark.parametrize("text", [
    "Remember who voted to close the library when you're in the polling booth.",
    "Funny how the police commissioner only shows up when there's an election.",
    "Winter fuel payments snatched away while they're all right in Westminster.",
    "Another round of cuts to youth services, cheers Westminster.",
    "Another budget cut for the station, nice one Whitehall.",
    "The posties are right to walk out over the new rotas.",
    "The ferry crews are right to strike.",
    "If the bin men strike again over Christmas – they should be ashamed.",
    "Proud that our neighbourhood team backed the Save Our Pool petition!",
    "The cycle team backed the Safer Lanes petition this week.",
])
def test_sides_taken_by_sarcasm_a_strike_judged_or_a_petition_backed_are_political(text):
    assert {code for code in flagged(text) if code.startswith("political.")}


@pytest.mark.parametrize("text", [
    "Cheers to the council for the new benches by the pond.",
    "Cheers, council, for fixing the lights!",
    "Nice one council, the new bins are great.",
    "Thanks, Home Office, for the funding for the new youth worker.",
    "The bus drivers are right to be proud of their safety record.",
    "The polling station at the school will be closed to pupils on Thursday.",
    "Great to see the team backing the Movember fundraiser this year.",
])
def test_near_misses_of_sarcasm_strikes_and_petitions_stay_clean(text):
    assert not {code for code in flagged(text) if code.startswith("political.")}


# --- clean look-alikes: why clean messages were flagged, fixed by shape ---------------------------------------

@pytest.mark.parametrize("text", [
    'About the "drugs raid" rumour on Elm Road: it was a gas leak, not us.',
    "Undercover officers? No, we'll all be in uniform at the gala.",
    "The scrutiny panel met to go through stop and search figures tonight.",
    "Farmers: the new tracker scheme for quads starts next month, ask us about it.",
    "Fit a tracker to your tractor and mark your tools.",
    "In shared student houses the most common burglary is through an unlocked back door.",
    "Our front counter at 12 High Street is open 9-5.",
    "We're talking to the families and the council is dealing with the Travellers' site planning.",
])
def test_clean_look_alikes_of_operations_addresses_and_groups_stay_clean(text):
    assert not flagged(text)


@pytest.mark.parametrize("text", [
    "The drugs raid on Elm Road is planned for Thursday.",
    "Plain clothes officers will be in the precinct on Saturday.",
    "We've fitted trackers to bikes left around the station.",
    "Our officers have put trackers in the free bikes left by the station.",
    "Stop and search will be in force in the town centre tonight.",
    "The station's back door is unlocked all night.",
])
def test_the_same_words_as_a_plan_or_a_gap_are_still_operational(text):
    assert {code for code in flagged(text) if code.startswith("operational.")}


def test_a_group_dealing_drugs_is_still_lumped_together():
    assert GROUPS in flagged("The Albanians are dealing on every corner.")


# --- tense and inserted words: the same shapes said another way ----------------------------------------------

@pytest.mark.parametrize("text", [
    "The woman who keyed the cars is being dealt with by CID.",
    "The lads who torched the van have been rounded up.",
    "The chap we were after for the shop break-ins is sat in a cell.",
    "We're confident we have the right person for the post office robbery.",
    "Someone's finally been nabbed for the thefts from the allotments.",
    "Her cousin's just been lifted.",
])
def test_a_live_case_in_another_tense_or_with_a_word_inserted(text):
    assert LIVE in flagged(text)


@pytest.mark.parametrize("text", [
    "The fly-tipping on Mill Lane is being dealt with by the council.",
    "The sheep have been rounded up and are back in the field.",
    "Come and see a police cell at the open evening.",
    "We have the right person for the new PCSO job.",
    "The bike's been nabbed from outside the shop, any info please call 101.",
])
def test_near_misses_in_another_tense_stay_clean_of_live_proceedings(text):
    assert LIVE not in flagged(text)


def test_a_trait_said_to_be_in_their_dna_lumps_them_together():
    assert GROUPS in flagged("It's in their DNA to steal.")
    assert GROUPS not in flagged("Helping people is in our DNA.")


@pytest.mark.parametrize("text", [
    "The council have lost the plot with these new bin rules.",
    "Westminster needs a clear out.",
    "Every cut to youth services is coming back to bite us.",
])
def test_contempt_and_a_verdict_in_other_words_are_political(text):
    assert STANCE in flagged(text)


@pytest.mark.parametrize("text", [
    "Our dog lost the plot when the fireworks started.",
    "The station garage needs a clear out, volunteers welcome.",
])
def test_near_misses_of_contempt_stay_clean(text):
    assert STANCE not in flagged(text)
