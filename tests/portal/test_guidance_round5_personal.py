"""Round 5's personal-data changes (general shapes, not sentences), each with the near misses it must leave alone."""
from __future__ import annotations

import pytest

from tests.portal.guidance_support import flagged as _flagged


@pytest.mark.parametrize("text", [
    "NI number on the letter was QQ 12 34 56 C, is that a scam?",
    "his national insurance is dq123456a",
])
def test_a_number_given_as_an_ni_number_is_one_whatever_its_prefix(text):
    assert "personal.ni_number" in _flagged(text)


@pytest.mark.parametrize("text", [
    "Room QQ 12 is at the back of the hall.",
    "Our code for the session is DQ 12 34 56 A, quote it when you book.",
])
def test_ni_shaped_codes_without_the_cue_or_a_valid_prefix_are_left_alone(text):
    assert "personal.ni_number" not in _flagged(text)


def test_a_number_given_as_an_nhs_number_is_one_even_if_mistyped():
    assert "personal.nhs_number" in _flagged("nhs no. 485 777 3456 - does the surgery need this?")
    assert "personal.nhs_number" not in _flagged("Ring 485 777 3456 for the order line, NHS approved.")


@pytest.mark.parametrize("text", [
    "reg was something like YD68 or YD69 then KWP",
    "plate started KP19, silver Corsa",
])
def test_half_a_registration_after_reg_or_plate_is_personal(text):
    assert "personal.vehicle_registration" in _flagged(text)


@pytest.mark.parametrize("text", [
    "Number plates stolen from cars in LS12 this week.",
    "The X64 and the LS12 bus both stop outside the station.",
])
def test_postcode_districts_and_bus_numbers_are_not_registrations(text):
    assert "personal.vehicle_registration" not in _flagged(text)


def test_e_mail_at_a_police_or_council_domain_is_official_wherever_the_label_stands():
    assert "personal.email" not in _flagged("Contact us at neighbourhood.north@police.example.uk or ring 101.")
    assert "personal.email" not in _flagged("Write to parking@leeds.council.example")
    assert "personal.email" in _flagged("email me at kayleigh.b92@hotmail.co.uk and ill send u the video")
    assert "personal.email" in _flagged("send it to policefan99@gmail.com")


def test_postcode_of_a_domestic_incident_is_a_home():
    text = "Officers attended a domestic incident at a property on Cromwell Terrace, HU3 2PL, in the early hours."
    assert "personal.postcode_at_home" in _flagged(text)
    assert "personal.postcode_at_home" not in _flagged("Domestic abuse support at the Hub, Bank Street, LS1 4DY.")


@pytest.mark.parametrize("text", [
    "Winston Churchill's statue in the square has been cleaned after the graffiti.",
    "The statue of Captain Cook was vandalised overnight.",
    "The Grace Darling memorial was damaged by vandals.",
])
def test_a_monument_named_after_someone_is_not_a_named_person(text):
    assert not {"personal.named_person", "personal.name_with_offence"} & _flagged(text)


def test_a_person_with_a_statue_word_elsewhere_is_still_named():
    assert "personal.name_with_offence" in _flagged("Winston Smith was assaulted by the statue in the square.")


def test_an_address_followed_by_its_venue_is_the_venues():
    assert "personal.home_address" not in _flagged(
        "The defibrillator at 2 High Street (the pharmacy) has been checked and is working.")
    assert "personal.home_address" not in _flagged("Bike marking at 12 Market Place, the library, Thursday.")


@pytest.mark.parametrize("text", [
    "She lives at 2 High Street (above the pharmacy).",
    "Man assaulted at 4 Mill Road, above the shop.",
    "Windows smashed at 2 High Street (above the pharmacy) overnight.",
    "Please get in touch if you saw anything near Flat 12, Beacon House, Marine Parade late last night.",
])
def test_a_home_beside_a_venue_is_still_a_home(text):
    assert "personal.home_address" in _flagged(text)


def test_an_age_after_where_someone_lives_goes_with_their_name():
    assert "personal.age_with_name" in _flagged("Mrs Hughes at the end cottage is 90 and on her own")
    assert "personal.age_with_name" not in _flagged("Mr Jones in the corner shop is 10 minutes away")


def test_it_was_number_47_is_a_home():
    assert "personal.home_address" in _flagged("it was number 47 that got turned over, the couple are devastated")
    assert "personal.home_address" not in _flagged("its number 10 on the list of top parks")
    assert "personal.home_address" not in _flagged("The raffle winner was number 47!")


def test_an_age_with_the_street_of_her_home():
    text = "A woman in her 70s was robbed of her handbag outside her home on Lowther Street yesterday."
    assert "personal.age_with_street" in _flagged(text)
    assert "personal.age_with_street" not in _flagged("The 100 year old house on Elm Street is for sale")


def test_the_last_letters_of_a_registration():
    assert "personal.vehicle_registration" in _flagged("white van, reg ends in ZRK, been hanging round the school")
    assert "personal.vehicle_registration" not in _flagged("Our RSPCA van ends in ABC, look out for us")
    assert "personal.vehicle_registration" not in _flagged("The BBC plate was on the news")
    assert "personal.vehicle_registration" not in _flagged("Private plates for sale at ABC Motors on the retail park")


@pytest.mark.parametrize("text", [
    "The couple at 14 were burgled",
    "that'll be the lad at 31, he's always on that quad bike",
    "He's at 22b now, Clifton Rd, moved out of his mum's.",
    "She lives above the bakery on King St",
    "They live in the blue house opposite the school",
])
def test_homes_told_by_a_bare_number_or_what_is_around_them(text):
    assert "personal.home_address" in _flagged(text)


@pytest.mark.parametrize("text", [
    "the kids at 10 went home",
    "I'll be the one at 10, holding a sign",
    "She's at 5 today for the fun run",
    "We live in a lovely village",
    "he lives next door to them.",
    "She lives over the road from me",
    "They're at 12 now, just past the church.",
])
def test_bare_number_and_lives_near_misses(text):
    assert "personal.home_address" not in _flagged(text)


@pytest.mark.parametrize("text", [
    "woman, 34, from Acre Lane assaulted",
    "The driver, 19, from Mill Lane was hurt",
])
def test_age_forms_with_a_street(text):
    assert "personal.age_with_street" in _flagged(text)


@pytest.mark.parametrize("text", [
    "The Wilsons at the end of Church Lane had their shed done",
    "That's the Kowalski family's car that got torched",
    "The one doing the burglaries is the tall lad from the Hendersons' house",
    "The Thompsons are in Florida till March so the farmhouse is empty.",
    "Our neighbour Barry is away till Monday so the house is empty",
])
def test_households_by_surname_and_named_people_away_from_home(text):
    assert "personal.named_person" in _flagged(text)


@pytest.mark.parametrize("text", [
    "Thanks to the Brownies for the cakes at their home match",
    "The Rovers won 3-1 at home",
    "Jamie's car is lovely",
    "Sarah is away on a course so the team is short",
    "The Albanians won the match on Saturday at home",
    "The Jacksons helped us clear the towpath, thank you!",
    "The Spurs fans saw a great game",
    "Officers visited the Fishers at home to return the lost dog",
])
def test_household_near_misses(text):
    assert "personal.named_person" not in _flagged(text)


@pytest.mark.parametrize("text", [
    "Mark Jones from the garage is a paedophile, everyone knows",
    "Kelly on the Ravensthorpe estate sells weed out her back door",
    "Sue Blake's husband hits her, I hear it through the wall",
    "Their kid, Mason, is always the one throwing eggs",
])
def test_a_name_accused_of_something_in_so_many_words(text):
    assert "personal.named_person" in _flagged(text)


@pytest.mark.parametrize("text", [
    "Dave from the garage is a legend",
    "Tom at the market sells cakes",
    "Jo from the Co-op is always the one who helps",
    "Sam is a great officer",
])
def test_accusation_near_misses(text):
    assert "personal.named_person" not in _flagged(text)


def test_an_age_with_the_street_of_a_house_where_it_happened():
    text = "Police were called to a house in Wood Lane where a woman, 45, was assaulted by her partner."
    assert "personal.age_with_street" in _flagged(text)
