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
    "She was detained under the Mental Health Act pending an assessment.",
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
