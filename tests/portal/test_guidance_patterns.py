"""The second round's patterns, one table per detector: what each new structure finds, and its near misses.

Written in wording of its own (not copied from any evaluation part), so these cases test
the structure rather than remembered sentences.
"""
from __future__ import annotations

import pytest

from portal.guidance.check import BUILTIN_DETECTORS, CheckContext, check_message

FLAGS = {"needs_supervisor", "do_not_send"}

CASES = {
    "group_generalisation": (
        [
            "Latvian builders always leave the job half done.",         # adjective + people noun, generated list
            "Sikh taxi drivers are all over the place on the ring road.",  # described group + 'are all'
            "Lads from the Grange estate are feral.",                    # people from a place + predicate
            "Kids off that estate are a menace.",
            "Typical teenagers, no manners.",                            # frame before a weak group
            "What do you expect from students?",
            "Teenagers these days don't mix, they just stare at phones.",  # weak group + predicate after
            "Bangladeshis and their late-night shops again.",           # 'and their'
            "Why are Nepalese neighbours so noisy?",                     # frame + described group
            "Never trust a Brummie.",
        ],
        [
            "Latvian builders were targeted by a rogue agency.",        # defended
            "Sikh taxi drivers raised money for the hospice.",           # no claim at all
            "Lads from the Grange estate helped clear the snow.",
            "Teenagers can join the cadets on Wednesdays.",
            "Students: lock your bikes in the racks.",                   # spoken to, not about
            "Two teenagers were seen near the garages again.",           # 'again' not right after the group
            "Our Nepalese liaison officer starts on Monday.",
            "Romanian-speaking volunteers are helping at the drop-in.",
        ],
    ),
    "named_person": (
        [
            "We spoke to the lad, Callan Frew, about the graffiti.",     # apposition after a person word
            "Her name is Rosalind and she saw the van.",                 # introduced as a name
            "a bloke called Dennis Hoyle was threatened at the bus stop",
            "Mo from the corner shop was threatened again.",            # first name + trade place
            "Brenda the lollipop lady saw it all.",                      # first name + trade
            "the one you mean is Orla, she's the witness",               # taken up by a pronoun
        ],
        [
            "We met the staff at the Red Lion about the fight.",         # 'the' + capitalised run: a place
            "Officers used the Mental Health Act to keep her safe.",
            "A dog called Biscuit was found on the common.",             # 'called' after an animal
            "Hi Marcus, thanks for reporting it.",                       # the reader
            "Ask at the Spice Garden about the lost phone.",
        ],
    ),
    "age_with_name": (
        ["Nadia Farouk, born in 1987, may have seen the car.", "the lad is Reuben Clay, he's 16",
         "Mrs Ida Crane is 91 and lives alone", "looking for tamsin, 14 - last seen at the park"],
        ["Born in 1950? Your free bus pass letter is genuine.", "The Rotary Club was founded in 1921.",
         "Hi Carl, 3 of us will come."],
    ),
    "uk_address": (
        ["the noise is from number 6 beech grove", "a car was set alight outside 12 the avenue",
         "both homes at 5 & 7 Orchard Road were burgled"],
        ["a 2 mile walk along the canal", "we won 3 in a row", "there are 4 main roads into town"],
    ),
    "venue_address": (
        ["Victim Support has an office at 23 Kings Road.", "Citizens Advice has moved to 8 Market Place."],
        ["The victim lives at 23 Kings Road."],
    ),
    "uk_phone": (
        ["ring him on 01632 960 982 if you saw it", "the victim's daughter is on 07700 900 555"],
        ["Ring the council's housing team on 01632 960 321.", "The dog warden is on 01632 960 777."],
    ),
    "postcode_at_home": (
        ["Postcode LS6 2QT - a resident there had her car keyed."],
        ["Postcode LS6 2QT is the library's, for the drop-in."],
    ),
    "political_stance": (
        ["Honestly the new immigration bill is a disgrace.", "Starmer hasn't a clue about rural crime.",
         "The mayor has been a disaster for the buses.", "Brexit has made the border checks harder, make no mistake."],
        ["The mayor opened the new fire station today.", "Trump card: our new bike marking kit!",
         "Strike a light, what a night at the quiz.", "The Chancellor's statement is on the gov.uk website."],
    ),
    "political_campaigning": (
        ["Please support the Save Our Park campaign!", "We're backing the bus drivers' strike, join us at the depot.",
         "Remember who cut your bus route when you vote."],
        ["The march on Sunday closes the high street from noon.", "A petition was handed in to the council.",
         "Vote for your favourite float in the carnival competition."],
    ),
    "political_party": (
        ["The anti-Reform demo is on Saturday."],
        ["The Conservative Club has lent us its hall.", "Labour ward visiting hours have changed."],
    ),
}


def _found(detector: str, text: str) -> list[str]:
    function, _ = BUILTIN_DETECTORS[detector]
    return [text[m.start:m.end] for m in function(text, "", CheckContext())]


@pytest.mark.parametrize(("detector", "text"), [(d, t) for d, (hits, _) in CASES.items() for t in hits])
def test_pattern_finds(detector, text):
    assert _found(detector, text), f"{detector} missed {text!r}"


@pytest.mark.parametrize(("detector", "text"), [(d, t) for d, (_, misses) in CASES.items() for t in misses])
def test_pattern_leaves_near_misses_alone(detector, text):
    assert _found(detector, text) == [], f"{detector} wrongly matched {text!r}"


@pytest.mark.parametrize(("text", "category"), [
    ("The panic alarm at the chemist has been faulty for a week.", "operational"),
    ("We'll be at the retail park at 11pm tomorrow to catch the car meet.", "operational"),
    ("Our source inside the crew says the bikes are in a garage.", "operational"),
    ("Only the one response car covers the coast road overnight, no cover between 2 and 6.", "operational"),
    ("The jury in the Millbrook case retires tomorrow.", "live_proceedings"),
    ("Wanted: Ashley Turnbull, 33, for breaching his bail.", "live_proceedings"),
    ("A 27-year-old woman from Kestrel Avenue was robbed.", "personal_data"),
    ("Abolish the council tax!", "political"),
    ("You know the sort, always hanging round the cash machine.", "discriminatory"),
])
def test_whole_check_flags(text, category):
    flagged = {f.category for f in check_message(text) if f.severity in FLAGS}
    assert category in flagged, f"{category} not flagged in {text!r}"


@pytest.mark.parametrize("text", [
    "We carried out a warrant on Tuesday and recovered the stolen tools.",   # past: news, not a plan
    "You may see more officers in the park this week after your reports.",  # reassurance names no tactic
    "The new CCTV at the car park is working and monitored.",
    "Bradford Crown Court jailed the burglar for five years last week.",     # a finished case
    "Fake jury service letters are going round - the court never asks for money.",
    "Polling stations close at 10pm; the count is at the leisure centre.",
    "Cllr Dev Patel will present the Neighbourhood Watch awards.",
    "Asylum seekers at the hotel are welcome at our football session.",
])
def test_whole_check_leaves_look_alikes_clean(text):
    held = [(f.rule_code, f.matched_text) for f in check_message(text) if f.severity in FLAGS]
    assert held == []
