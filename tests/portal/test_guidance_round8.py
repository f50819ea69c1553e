"""Round 8's shapes of language, each with near misses that must stay clean.

Live proceedings told without the words arrest, charge or court: someone held or let go while enquiries go on, a
hearing of someone's to come, and a judgement on someone's guilt or on the evidence.
"""
from __future__ import annotations

import pytest

from tests.portal.guidance_support import flagged


@pytest.mark.parametrize("text", [
    "He was released pending further enquiries last night.",
    "The driver has been let go while enquiries continue.",
    "Both were freed until the outcome of the forensic tests.",
    "The lad was kept in overnight at the station.",
    "Woman, 34, helping us with our enquiries after last night's stabbing.",
    "A 19-year-old is assisting police with their enquiries.",
    "The youth is helping with enquiries.",
])
def test_someone_held_or_let_go_while_the_case_goes_on_is_live(text):
    assert "proceedings.court_process" in flagged(text)


@pytest.mark.parametrize("text", [
    "The two lads from Tuesday's fight have a hearing on 14 March.",
    "His hearing is set for next Thursday.",
    "Her sentencing has been put back to June.",
    "He's up before the bench on Monday.",
])
def test_someones_hearing_to_come_is_live(text):
    assert "proceedings.court_process" in flagged(text)


@pytest.mark.parametrize("text", [
    "Everyone knows it was him.",
    "It was definitely them, no doubt.",
    "The evidence is overwhelming, he has no chance.",
    "They caught her red-handed with the tools.",
    "The footage proves it, so why isn't he locked up?",
])
def test_a_judgement_on_guilt_or_evidence_is_live(text):
    assert "proceedings.court_process" in flagged(text)


@pytest.mark.parametrize("text", [
    "Thank you for helping us with our enquiries.",
    "Can you help with our enquiries? Call 101.",
    "Anyone helping with enquiries should call 101 quoting ref 123.",
    "She was kept in hospital overnight.",
    "He was kept in hospital pending more scans.",
    "Dave was kept in at school for detention.",
    "The licensing hearing for the Red Lion is on 14 March.",
    "Our planning appeal hearing is next week.",
    "Two of the lads on our team have a hearing test next week.",
    "He's got a hearing aid now.",
    "Her case is being dealt with by the housing team.",
    "It was her birthday yesterday.",
    "It was him who rang us, and we're grateful.",
    "The evidence is clear: lock your car.",
    "Shed was left open until the results came back from the vet.",
])
def test_near_misses_of_a_live_case_in_other_words_stay_clean(text):
    assert not {code for code in flagged(text) if code.startswith("proceedings.")}


def test_held_under_the_mental_health_act_is_not_held_pending_enquiries():
    # Detention under the Act may still be labelled live by the status rule (dev d263); this branch does not add it.
    text = "She was detained under the Mental Health Act pending an assessment."
    assert "proceedings.court_process" not in flagged(text)


@pytest.mark.parametrize("text", [
    "The worst was a white Transit, G K 6 8  V X N, at 52mph.",
    "Anyone know who owns the silver Volvo reg. W R 7 0 D U B?",
    "Black Civic, KX 19 TRE, seen racing on the ring road.",
    "The van was a grey Berlingo, WK 66 0HJ.",
])
def test_a_registration_mark_spaced_out_or_with_a_zero_for_an_o_is_personal(text):
    assert "personal.vehicle_registration" in flagged(text)


@pytest.mark.parametrize("text", [
    "SEE YOU ON 14 MAR AT THE HALL",
    "Meet at J 10 on the A 38.",
    "Room AB 12 000 is booked.",
    "Call 0800 555 0100 for advice.",
])
def test_capitals_and_numbers_that_are_not_a_mark_stay_clean(text):
    assert "personal.vehicle_registration" not in flagged(text)


@pytest.mark.parametrize("text", [
    "Some stats for the season so far: 41 arrests across the three holiday parks, 9 drug seizures, 2 drink drivers.",
    "Matchday: 18,400 fans, 4 arrests (2 pitch incursion, 1 pyro, 1 drunk & disorderly), 1 ejection.",
    "Figures for the year in the borough: 2,412 arrests, 61% charged or cautioned. Shoplifting arrests up 30%.",
    "Roads policing stats: the campaign stopped 212 drivers in two weeks, 14 arrested for drink or drug driving.",
    "Stats for the month: 12 arrests (7 drugs, 3 robbery, 2 wanted on warrant), 38 stop & searches.",
    "The beach car park thefts were solved, he got 14 months at Crown Court in March.",
    "9 arrests for drug supply in halls this term, now all sentenced.",
])
def test_tallies_of_arrests_and_finished_cases_are_not_live(text):
    assert not {code for code in flagged(text) if code.startswith("proceedings.")}


@pytest.mark.parametrize("text", [
    "Two men, aged 23 and 25, were arrested on 14 March after the fight.",
    "3 arrests after disorder in the town centre last night.",
    "Results of last night's op: two men arrested and one bailed.",
    "He got arrested last night and he's looking at 14 months.",
    "His hearing is on Monday and he got 3 months last time.",
])
def test_a_case_among_few_numbers_or_a_past_sentence_elsewhere_is_still_live(text):
    assert {code for code in flagged(text) if code.startswith("proceedings.")}


@pytest.mark.parametrize("text", [
    "Travellers' horses on the verges again. Wherever that community goes the mess follows.",
    "The Roma families on Wright Street are lovely but where they go the fly-tipping follows.",
    "The Caribbean gents at the domino club are lovely, they're all the same, salt of the earth.",
    "We all know which nationality runs the nail bars and the car washes.",
    "No prizes for guessing which religion is behind it.",
    "That's Catholics for you, they forgive anything.",
    "Eastern European men gathering at the car wash. In fairness they're all drinkers.",
    "The Albanians have taken over every cannabis farm in the county.",
    "The autistic ones you just can't reason with.",
])
def test_groups_lumped_together_by_implication_are_discriminatory(text):
    assert "discriminatory.group_generalisation" in flagged(text)


@pytest.mark.parametrize("text", [
    "Which nationality is the new officer? She's Polish.",
    "Does anyone know which country the scam calls come from?",
    "That's the British weather for you!",
    "Where they go after school is up to their parents.",
    "The new PCSOs started Monday. They're all the same age as my kids!",
    "Residents on Elm Road met us last night, they're all the same view: speeding is the issue.",
    "Our two cats? They're all the same to me.",
    "Our Neighbourhood Watch crowd are brilliant, that crowd all pull together.",
])
def test_near_misses_of_lumping_by_implication_stay_clean(text):
    assert "discriminatory.group_generalisation" not in flagged(text)


def test_that_crowd_or_mob_lumps_a_group_named_before():
    from portal.guidance.check import check_message
    findings = check_message("Travellers are back on the rec. That mob just close ranks whenever we ask.")
    assert any(f.rule_code == "discriminatory.group_generalisation" and f.matched_text == "That mob" for f in findings)


@pytest.mark.parametrize("text", [
    "Sorry but anyone who voted for Brexit can't moan now about the lorry queues.",
    "Proud that our town voted to stay in the EU.",
    "Won't be shedding any tears if the council leader loses his seat in May.",
    "The parish council have got it completely wrong on the new estate.",
    "The councillors who voted for it should be ashamed.",
    "Members discussed the mayor's decision to shut the front counter. For what it's worth I think it's a terrible decision.",
    "Listening to the Home Secretary on the radio this morning... absolutely clueless about frontline policing.",
    "Happy to see the climate protesters got moved on, the sooner that group is banned the better.",
])
def test_a_side_taken_on_votes_councils_and_protests_is_political(text):
    assert "political.stance" in flagged(text)


@pytest.mark.parametrize("text", [
    "Huge thanks to everyone who voted for our Watch in the Pride of Sussex awards.",
    "Anyone who voted for the bake-off winner can collect a slice at the hall.",
    "The council have got the date wrong on the bin leaflet, collections are Tuesday.",
    "Our PCSO lost her seat on the bus to a pensioner and didn't mind one bit.",
    "The mayor opened the fete. For what it's worth I think the cakes were the best yet.",
    "Listening to the radio this morning... lovely song about the seaside.",
    "Happy to see so many at the beach clean, the sooner we finish the better.",
])
def test_near_misses_of_a_side_taken_stay_clean(text):
    assert not {code for code in flagged(text) if code.startswith("political.")}


@pytest.mark.parametrize("text", [
    "Hiya Dean, the licensing team number for the council is on their website.",
    "Walkabout done with the housing officer and Cllr Bisi Adeyemi, six broken lights reported.",
    "Panel priorities for Jan voted for by 212 residents: 1) speeding, 2) burglary.",
])
def test_the_reader_a_councillor_and_a_month_are_not_a_named_subject(text):
    assert not {code for code in flagged(text) if code.startswith("personal.")}


@pytest.mark.parametrize("text", [
    "Hiya Dean, Sharon Platt at 14 Elm Road was burgled last night.",
    "Jan from the Co-op was assaulted last night.",
    "Dean Hollis was burgled last night.",
])
def test_a_named_subject_beside_a_greeting_or_a_month_name_is_still_personal(text):
    assert {code for code in flagged(text) if code.startswith("personal.")}


def test_whoever_you_vote_for_takes_no_side_but_vote_for_a_party_does():
    assert not {c for c in flagged("Everyone welcome whoever you vote for.") if c.startswith("political.")}
    assert "political.campaigning" in flagged("Vote for Labour on Thursday.")


def test_volunteers_wanted_is_not_a_wanted_person():
    assert not {c for c in flagged("Speed Watch volunteers wanted for Little Haddon!") if c.startswith("proceedings.")}
    assert "proceedings.court_process" in flagged("Man wanted for the Elm Road robbery, do you know him?")


@pytest.mark.parametrize("text", [
    "Stats for the month: 12 arrests (7 drugs, 3 robbery, 2 wanted on warrant), 38 stop & searches, 9 positive.",
    "Results so far: 23 bikes returned, 9 arrests from the September warrants, 400+ freshers signed up.",
])
def test_warrants_counted_in_a_tally_are_not_a_planned_operation(text):
    assert "operational.planned" not in flagged(text)


def test_a_warrant_to_come_is_still_a_planned_operation():
    assert "operational.planned" in flagged("We'll be executing a warrant on Elm Road tomorrow morning.")


@pytest.mark.parametrize("text", [
    "Yeah it was Jake Price, they kept him in overnight and he's been bailed till December.",
    "Lee Dawson from Heaton Moor has been charged.",
    "That was Shane Wilkes, he's up at the Crown Court for it in the spring.",
    "Marc Doyle has a banning order from all Pubwatch venues as of today.",
])
def test_a_name_beside_an_arrest_charge_or_court_is_personal_too(text):
    assert "personal.name_with_offence" in flagged(text)


@pytest.mark.parametrize("text", [
    "Yes Denise the man has been to court and pleaded not guilty.",
    "@Graham the man jailed for the Hadley Road robberies is serving 8 years.",
    "Case against the landlord continues at the Old Bailey on Monday.",
])
def test_the_reader_or_a_court_named_beside_a_case_is_not_personal(text):
    assert "personal.name_with_offence" not in flagged(text)


@pytest.mark.parametrize("text", [
    "No that was Josh Malik, Year 9 at St Bede's, who got his bike taken.",
    "Do you know Chloe, she goes to St Anne's?",
    "If anyone sees Karen from Wisteria House tell her her dog's in the church porch.",
    "Could someone check on Mrs Hodges at the Old Forge this week?",
])
def test_a_name_with_a_school_or_a_house_name_is_personal(text):
    assert "personal.named_person" in flagged(text)


@pytest.mark.parametrize("text", [
    "Karen from the Village Hall committee has the keys.",
    "Ask Dave at the Old Bell about the quiz.",
    "Mrs Hodges, head of St Anne's School, thanks everyone for the donations.",
    "Year 9 at St Bede's did a brilliant assembly on bike safety.",
])
def test_a_public_hall_a_pub_or_a_school_alone_is_not_a_home_or_a_pupil(text):
    assert "personal.named_person" not in flagged(text)


@pytest.mark.parametrize("text", [
    "Thanks to Mrs Green, the head teacher at Western Road Primary, for inviting us.",
    "Thanks to Mr Hughes, the caretaker at Chailey School, for letting us use the hall.",
])
def test_staff_named_with_their_school_are_not_a_pupil(text):
    assert "personal.named_person" not in flagged(text)


@pytest.mark.parametrize("text", [
    "The man from the farm has been kept in overnight and we expect him to go before the court.",
    "It's the chap from the chippy, they let him out pending enquiries this afternoon.",
    "The lad who ran on the pitch is on a bang-to-rights charge really.",
    "From the footage I'd expect a guilty plea when he comes up.",
])
def test_more_live_cases_in_other_words(text):
    assert "proceedings.court_process" in flagged(text)


@pytest.mark.parametrize("text", [
    "Kids are going before the court of public opinion on social media.",
    "Do go before the judges at the dog show, they're lovely.",
    "Let the dog out before you go to work.",
])
def test_near_misses_of_going_before_a_court_stay_clean(text):
    assert not {code for code in flagged(text) if code.startswith("proceedings.")}


def test_a_group_arriving_with_advice_to_lock_things_up_is_discriminatory():
    assert "discriminatory.group_generalisation" in flagged(
        "We've got the Scousers in town on Saturday so lock up anything you want to keep.")
    assert "discriminatory.group_generalisation" not in flagged(
        "Lock up anything you want to keep in your shed, there's been a spate of thefts.")


@pytest.mark.parametrize("text", [
    "Thanks to the venues for the plastic glasses trial.",
    "The e-scooter trial ends in March.",
])
def test_a_thing_tried_out_is_not_a_trial_in_court(text):
    assert not {code for code in flagged(text) if code.startswith("proceedings.")}


@pytest.mark.parametrize("text", [
    "The murder trial starts on Monday.",
    "His trial is next week.",
    "The Smith trial has been moved to May.",
])
def test_a_trial_of_a_case_is_still_live(text):
    assert "proceedings.court_process" in flagged(text)
