"""Each built-in detector on its own: what it must find, and the near misses it must leave alone."""
from __future__ import annotations

import pytest

from portal.guidance.check import BUILTIN_DETECTORS, CheckContext, RuleError, Rule, check_message, compile_rule
from portal.guidance.detectors.identifiers import nhs_number_valid
from portal.guidance.detectors.names import names

CASES = {
    "uk_phone": (
        ["Ring him on 07700 900123.", "Text +44 7700 900 456 tonight", "her number is 07723 456 789",
         "call 0208 123 4567 after six", "Tel: +44 (0)1273 456789", "mob 07911123456"],
        ["Call 101, or 999 in an emergency.", "Crimestoppers on 0800 555 111", "quote ref 47250213456",
         "The station front counter is on 01273 470101.", "Call the council's team on 01273 471600",
         "Year 2024 to 2025 figures", "07700 900"],
    ),
    "official_phone": (
        ["The police station is on 01273 470101.", "Crimestoppers: 0800 555 111"],
        ["Ring the owner on 01273 470101.", "Call 101."],
    ),
    "email": (
        ["write to jo.bloggs@gmail.com", "at p.g.norris@btinternet.com."],
        ["lewes.team@sussex.police.uk", "enquiries@eastsussex.gov.uk", "email us at info@nhs.net",
         "an @mention on Twitter"],
    ),
    "uk_address": (
        ["The noise is at 14 Station Road.", "a break-in at 5a Dene Road BN9 0RT", "lives at no. 22",
         "Flat 3, Harbour View Court", "burglary at 6 Gorse Clse last nite", "visit 3 The Crescent today",
         "our friend at number 14 Wellington St"],
        ["Meet us at Seaford Library, 15-17 Sutton Park Road.", "AGM at the Memorial Hall, 42 High Street",
         "between 10 and 12 on Saturday", "2 lanes of the A27 are shut", "meet at 6 by the park",
         "Year 6 at Southover School", "about 30 Road Safety posters"],
    ),
    "venue_address": (
        ["Surgery at Hove Library, 182 Church Road, BN3 2EG.", "Coffee at the cafe, 12 Bell Lane, 10am"],
        ["The victim lives at 182 Church Road.", "At 12 Bell Lane someone's home was burgled."],
    ),
    "postcode_at_home": (
        ["She lives in BN7 2AB.", "the victim's home, BN25 1QT"],
        ["Drop-in at the library, BN3 2EG.", "Items were found near BN7 2AB.", "the A27 near BN7"],
    ),
    "vehicle_registration": (
        ["a silver car AB12 CDE", "plate KX65YTR", "reg gk19 xpt", "registration: WU67 FHA"],
        ["BN3 2EG", "the A259 and A27", "use code ab12cde at the till", "GDPR and CCTV"],
    ),
    "ni_number": (
        ["NI number AB123456C", "national insurance: jg 10 37 23 b", "PW 45 67 89 D"],
        ["QQ 12 34 56 C", "BG123456A", "AB123456", "ab123456c in the code"],
    ),
    "nhs_number": (
        # Given as an NHS number, a number is one even when mistyped (round 5): "NHS number 943 476 5918".
        ["NHS number 943 476 5919", "nhs no 9434765919", "patient 401-023-2137", "NHS number 943 476 5918"],
        ["ref 943 476 5918", "ref 9434765919", "call 0943 476 5919", "order 123 456 7890"],
    ),
    "date_of_birth": (
        ["DOB 03/11/1994", "born on 12.05.1958", "date of birth: 4th July 1990", "d.o.b. 21.9.1972",
         "Born 3rd March 1949, he"],
        ["born and bred in Lewes", "the 3rd of March meeting", "on 12.05.2024 we met"],
    ),
    "age_with_name": (
        ["Kayleigh Morris (17) is safe", "Mark Jones, 34, from Hollingbury", "58-year-old Peter Lowe",
         "Mrs Edna Price, 89, lives", "Mia Roberts 13yrs last seen"],
        ["A man aged 34 was seen", "a 23-year-old man", "PC Sam Ward, 34, joined", "Hi Dave, 2 things"],
    ),
    "named_person": (
        ["Kevin Doyle chased off the shoplifter", "the witness, Dave Kemp, saw the van",
         "Mrs Khan's flat was the one hit", "Emma at 33 Cedar Way has it", "Liam was jumped on Brook Street",
         "Mrs Iris Bell from Southdown Avenue is doing well", "Tasha's flat was broken into",
         "Thanks to Zainab, the lady from the shop, who called it in"],
        ["Thanks to PC Hannah Briggs for her help with the witness", "Hi Sue, was anyone hurt?",
         "Separately, a man was injured.", "Meanwhile, the victim is at home.",
         "Well done to Ringmer FC", "Sorry to hear that Emma.", "The victim was a local man"],
    ),
    "group_generalisation": (
        ["Foreigners are always causing trouble.", "typical travellers, they're all thieves",
         "That lot from the Downs estate are the problem", "Students are all drunk idiots.",
         "these Croatians again", "The Welsh lot next door", "Ghanaians and their dodgy cars"],
        ["Travellers have the same rights as anyone else.", "Thanks to the Polish Club for hosting us.",
         "Students: always lock your bike.", "Hate crime against Muslims has no place here.",
         "Students return to the university next week.", "Pensioners can get a free door chain fitted.",
         "Teenagers from the academy joined our litter pick.", "Polish workers were targeted by a scam."],
    ),
    "political_party": (
        ["The Labour councillors asked us", "vote Green", "the Lib Dems want more patrols", "Reform have a plan"],
        ["Green Lane is closed", "Thanks to Mrs Green", "child labour laws", "police reform is overdue"],
    ),
    "political_campaigning": (
        ["Vote for Jane Smith in the by-election", "Please sign our petition", "join the campaign against it",
         "Lobby the council"],
        ["Vote for our team in the community awards!", "the polling station is open", "We voted on the quiz",
         "You can vote at the scout hut"],
    ),
    "political_stance": (
        ["Our PCC is a disgrace.", "The government doesn't care about rural crime.",
         "The council leader has let us down again"],
        ["Meet your councillors at the PACT meeting.", "The candidates spoke at the hustings."],
    ),
    "court_date": (
        ["He is due to appear at Lewes Crown Court", "the court hearing next week"],
        ["Harbour View Court", "the food court at the mall",
         "She was jailed for five years at Hove Crown Court on Friday."],  # a finished case
    ),
    "court_process": (
        ["The jury went out at lunchtime.", "his retrial starts on the 9th", "the defendant's brother shouted",
         "She pleaded not guilty and was remanded.", "hope the magistrates see sense and he gets sent down",
         "Wanted: Dale Hickson, 41, in connection with the fire", "the inquest opens next month"],
        ["Sign up for a free trial of the alert app.", "Scam letters about jury service are going round.",
         "He was sentenced to 200 hours of unpaid work after the trial.", "Wanted: your views on parking",
         "Our court results page is updated weekly."],
    ),
    "resource_gap": (
        ["The camera by the garages hasn't been working since June, it's broken",
         "radios are down across the district", "we're down to two officers tonight",
         "the custody cells are full so we can't take anyone", "no one on foot in the centre after 10"],
        ["The new camera at the skate park is working well.", "Two officers helped push the car.",
         "Officers are down at the school fete today.", "The cells at the old station are now a museum."],
    ),
    "planned_tactic": (
        ["We'll be stopping vans on the ring road between 7 and 9am.", "Warrants go in early Thursday.",
         "a raid on the flats tomorrow morning"],
        ["We executed two warrants yesterday and seized cannabis.", "Raids last week led to six arrests.",
         "We patrol the park every weekend.", "Bike marking at the station on Friday 10am."],
    ),
    "planned_operation": (
        ["Search warrants go in on Thursday.", "plain clothes officers on the buses this week",
         "We have surveillance on the house."],
        ["Warrants were executed yesterday and drugs seized.", "Officers made two arrests in early-morning raids.",
         "The raid last night led to three arrests."],
    ),
    "covert_method": (
        ["Our informant says the tools are in the lock-ups.", "there's a tracker in that bait bike",
         "we've got a hidden camera on the lamp post", "the investigation is focused on one address"],
        ["Be on the lookout for a silver van.", "Keep an eye on your neighbour's house while they're away.",
         "CCTV is on in the car park, as the signs say."],
    ),
    "political_slogan": (
        ["Free Palestine!", "Scrap the 20mph limit now.", "Save Our Station - share this post",
         "Abolish the monarchy."],
        ["Save the date: fun day on 3 June.", "Stop and think before you share a video.",
         "Free bike marking at the station.", "Ban the bogus callers: put up a no cold calling sign."],
    ),
    "vulnerable_alone": (
        ["Mrs Rowe at number 3 is housebound and lives alone.", "the old man in the corner house is on his own now",
         "He's 88, blind, and living alone on Fern Street."],
        ["Elderly people living alone can get a free pendant alarm.", "Check on older neighbours who live alone.",
         "My nan lives alone in Bristol.", "The frail gentleman at number 3 is doing well with his carers."],
    ),
    "empty_home": (
        ["Their bungalow will be empty until Easter.", "the flat's standing empty while she's in hospital",
         "The house is unoccupied for a fortnight."],
        ["Timer switches stop your home looking empty.", "The empty house was searched last night.",
         "Empty homes can be reported to the council.", "The place was empty when we arrived."],
    ),
    "age_with_street": (
        ["A 34-year-old man from Hollins Way was arrested.", "a woman aged 82 of Orchard Close lost her savings",
         "the 15yo who lives on Mill Road"],
        ["A 34-year-old man from Bexhill was arrested.", "A man aged 40 was assaulted on Station Road.",
         "A 19-year-old woman was seen near Elm Grove."],
    ),
}


def _found(detector: str, text: str) -> list[str]:
    function, needs_argument = BUILTIN_DETECTORS[detector]
    return [text[m.start:m.end] for m in function(text, "", CheckContext())]


@pytest.mark.parametrize(("detector", "text"), [(d, t) for d, (hits, _) in CASES.items() for t in hits])
def test_detector_finds(detector, text):
    assert _found(detector, text), f"{detector} missed {text!r}"


@pytest.mark.parametrize(("detector", "text"), [(d, t) for d, (_, misses) in CASES.items() for t in misses])
def test_detector_leaves_near_misses_alone(detector, text):
    assert _found(detector, text) == [], f"{detector} wrongly matched {text!r}"


def test_every_text_detector_has_cases():
    context_only = {"audience_at_least", "open_access", "name_near", "lexicon_words", "house_and_postcode",
                    "full_postcode", "learned_wording", "live_case"}  # learned_wording: tests/portal/test_guidance_learned.py;
    # live_case: its words are the rule's argument, tests/portal/test_guidance_round7.py
    assert set(BUILTIN_DETECTORS) - context_only <= set(CASES)


@pytest.mark.parametrize(("digits", "valid"), [("9434765919", True), ("4010232137", True),
                                              ("9434765918", False), ("1234567890", False), ("943476591", False)])
def test_nhs_checksum(digits, valid):
    assert nhs_number_valid(digits) is valid


def test_names_leave_out_officers_and_greetings():
    text = "Hi Sue, PCSO Tom Akers and Mr K. Singh met Kevin Doyle."
    assert [n.text for n in names(text)] == ["Mr K. Singh", "Kevin Doyle"]


def test_findings_say_what_matched_and_why():
    finding = next(f for f in check_message("The owner lives at 27 Elmwood Crescent.")
                   if f.rule_code == "personal.home_address")
    assert finding.matched_text == "27 Elmwood Crescent"
    assert "house number and street" in finding.explanation
    assert "home" in finding.explanation


def test_name_near_stays_within_the_sentence():
    matcher = compile_rule(Rule("x", "live_proceedings", "do_not_send", "builtin", "name_near: arrested", "x"))
    assert list(matcher("Kevin Doyle ran the stall. Separately, a man was arrested.", CheckContext())) == []
    assert list(matcher("Kevin Doyle was arrested.", CheckContext()))


def test_lexicon_words_rule_names_a_table():
    assert compile_rule(Rule("x", "discriminatory", "advice", "builtin", "lexicon_words: abusive_words", "x"))
    with pytest.raises(RuleError, match="no word table"):
        compile_rule(Rule("x", "discriminatory", "advice", "builtin", "lexicon_words: nope", "x"))
