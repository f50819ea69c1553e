"""Clean notices beside each other: an awards vote with a polling-station notice, a petition's "stop the closure".

The issue names both as clean look-alikes ("vote for our team in the community awards", a polling station's
closure). Each was clean alone; together in one message the awards vote was read as political, because the
message named an election. And "stop the" is a stop by officers only when people or vehicles are stopped.
"""
from __future__ import annotations

import pytest

from tests.portal.guidance_support import flagged

CAMPAIGNING = "political.campaigning"
TACTIC = "operational.planned_tactic"


@pytest.mark.parametrize("text", [
    "Vote for our team in the community awards, and the polling station at the school is closed on Thursday.",
    "Vote for our team in the community awards. The polling station at the school is closed on Thursday.",
    "Community awards: vote for our team, and the polling station at the school is closed on Thursday.",
    "The polling station is at the church hall on Thursday. Please vote for Sam in the bake off too!",
])
def test_an_awards_vote_beside_an_election_notice_is_not_campaigning(text):
    assert CAMPAIGNING not in flagged(text)


@pytest.mark.parametrize("text", [
    "Vote for the candidate who backs the community awards; the election is on Thursday.",
    "Vote for Sarah on Thursday at the polling station; and do enter the bake off.",
    "The community awards are great, but on polling day vote for Sarah.",
    "Vote Conservative, and vote for our team in the community awards.",
])
def test_a_vote_with_an_election_or_a_party_between_it_and_the_award_is_still_campaigning(text):
    assert CAMPAIGNING in flagged(text) or "political.party" in flagged(text)


@pytest.mark.parametrize("text", [
    "Sign the petition to stop the closure of the library before the council meets on Thursday.",
    "Residents are campaigning to stop the development on the green, with a meeting on Friday.",
    "Join the fight to stop them on Saturday at the town hall steps.",
    "Help us stop the spread of scams at the lunch club on Tuesday.",
    "Sign up to stop the cuts to the bus route before Monday.",
])
def test_stopping_a_plan_or_a_cause_is_not_a_planned_stop(text):
    assert TACTIC not in flagged(text)


@pytest.mark.parametrize("text", [
    "We'll stop the vans on the A27 on Friday night.",
    "We will stop them on the bypass on Friday.",
    "We'll put up signs and stop the vans on Friday.",
    "Officers will stop the cars leaving the car park from 10pm tonight.",
])
def test_officers_stopping_vehicles_or_people_at_a_time_is_still_a_planned_stop(text):
    assert TACTIC in flagged(text)
