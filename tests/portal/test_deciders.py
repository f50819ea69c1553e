"""Who may decide a held message: each tier of the rule, its wording, and can_decide's answers.

test_guidance_signoff.py covers the whole sign-off journey; this file pins portal/guidance/
deciders.py and services.can_decide branch by branch (docs/MUTATION.md).
"""
from __future__ import annotations

import pytest

from portal.areas import import_area
from portal.guidance import services
from portal.guidance.deciders import TIER_WORDS, Deciders, deciders, deciders_for
from portal.models import User
from tests.portal.guidance_factories import make_forum, make_held, make_staff



def _person(user_id: int, name: str, role: str = "supervisor") -> User:
    user = User(email=f"{user_id}@tests.example.org", display_name=name, role=role)
    user.id = user_id
    return user


@pytest.mark.parametrize(("names", "sentence"), [
    ([], ""), (["Ann"], "Ann"), (["Ann", "Bo"], "Ann and Bo"), (["Ann", "Bo", "Cy"], "Ann, Bo and Cy"),
])
def test_names_read_as_a_sentence(names, sentence):
    assert Deciders("area", [_person(i + 1, n) for i, n in enumerate(names)]).names == sentence


def test_each_tier_says_why_in_the_review_pages_words():
    assert {tier: Deciders(tier).why for tier in TIER_WORDS} == TIER_WORDS
    assert Deciders("area").why == "a supervisor of this area"
    assert Deciders("none").users == []


def test_membership_is_by_user_id_and_only_for_users():
    who = Deciders("area", [_person(1, "Ann")])
    assert _person(1, "Ann again") in who
    assert _person(2, "Bo") not in who
    assert 1 not in who
    assert "Ann" not in who


@pytest.fixture
def community(db_session, area):
    return make_forum(area)




def _staff_member(db_session, name, role, area=None, active=True):
    return make_staff(f"{name.replace(' ', '.').lower()}@tests.example.org", role, area, active=active, name=name)


def test_the_area_tier_lists_every_other_active_supervisor_of_the_area_in_name_order(
        db_session, users, area, community):
    zed = _staff_member(db_session, "A Zed", "supervisor", area)
    _staff_member(db_session, "B Gone", "supervisor", area, active=False)
    _staff_member(db_session, "C Officer", "officer", area)
    review = make_held(community, users["officer"])
    who = deciders(review)
    assert who.tier == "area"
    assert [u.id for u in who.users] == [zed.id, users["supervisor"].id]  # "A Zed" < "Test supervisor"


def test_the_author_never_decides_and_the_tiers_fall_back_in_order(db_session, users, area, community):
    own = make_held(community, users["supervisor"])
    assert deciders(own).tier == "admin"
    assert [u.id for u in deciders(own).users] == [users["admin"].id]
    elsewhere, _ = import_area({"name": "Elsewhere", "places": ["Hove"]}, slug="elsewhere")
    outsider = _staff_member(db_session, "Sgt Elsewhere", "supervisor", elsewhere)
    assert deciders(own).tier == "any_area"
    assert [u.id for u in deciders(own).users] == [outsider.id]
    outsider.active = False
    users["admin"].active = False
    db_session.commit()
    assert deciders(own).tier == "none"
    assert deciders(own).users == []


def test_deciders_for_answers_each_review_by_id(db_session, users, community):
    mine = make_held(community, users["officer"])
    own = make_held(community, users["supervisor"])
    answers = deciders_for([mine, own])
    assert set(answers) == {mine.id, own.id}
    assert answers[mine.id].tier == "area"
    assert answers[own.id].tier == "admin"
    assert deciders_for(iter([mine]))[mine.id].tier == "area"  # any iterable, read once
    assert deciders_for([]) == {}


def test_can_decide_says_why_not_or_nothing(db_session, users, community):
    review = make_held(community, users["officer"])
    supervisor, officer, admin = users["supervisor"], users["officer"], users["admin"]
    assert services.can_decide(review, supervisor) is None
    assert services.can_decide(review, officer) == (
        "You wrote this message, so you cannot sign it off: Test supervisor (a supervisor of this area) will decide it.")
    assert services.can_decide(review, admin) == (
        "You cannot sign off this message: Test supervisor (a supervisor of this area) will decide it.")
    review.status = "approved"
    db_session.commit()
    assert services.can_decide(review, supervisor) == "This message has already been decided."
    assert services.can_decide(review, officer).startswith("You wrote this message")  # authorship is said first


def test_can_decide_when_nobody_may_decide(db_session, users, community):
    own = make_held(community, users["supervisor"])
    users["admin"].active = False
    db_session.commit()
    assert services.can_decide(own, users["admin"]) == (
        "You cannot sign off this message: Nobody else has an active account that may decide it.")


def _answer(who: Deciders) -> tuple[str, list[int]]:
    return who.tier, [u.id for u in who.users]


def test_the_one_query_for_many_reviews_and_the_query_for_one_give_the_same_answer_in_every_tier(
        db_session, users, area, community):
    """deciders_for (the lists and notices) and deciders (the decision itself) are the same rule asked two
    ways: same tier, same people, same order (by name, then id for two of one name), inactive accounts
    and officers never, whichever tier answers."""
    first = make_staff("sam.one@tests.example.org", "supervisor", area, name="Sam Same")
    second = make_staff("sam.two@tests.example.org", "supervisor", area, name="Sam Same")
    _staff_member(db_session, "A Gone", "supervisor", area, active=False)
    _staff_member(db_session, "A Officer", "officer", area)
    elsewhere, _ = import_area({"name": "Elsewhere", "places": ["Hove"]}, slug="elsewhere")
    outsider = _staff_member(db_session, "Sgt Elsewhere", "supervisor", elsewhere)
    _staff_member(db_session, "A Gone Elsewhere", "supervisor", elsewhere, active=False)
    _staff_member(db_session, "A Gone Admin", "admin", None, active=False)
    review = make_held(community, users["officer"])
    expected = [("area", [first.id, second.id, users["supervisor"].id]),
                ("any_area", [outsider.id]), ("admin", [users["admin"].id]), ("none", [])]
    steps = [[first, second, users["supervisor"]], [outsider], [users["admin"]]]
    for answer, leaving in zip(expected, [*steps, []], strict=True):
        assert _answer(deciders(review)) == answer
        assert _answer(deciders_for([review])[review.id]) == answer
        for user in leaving:  # the tier's people leave: the next tier answers
            user.active = False
        db_session.commit()
