"""The third round's changes, one table per detector: what each now finds, and the near misses it leaves alone.

Written in wording of its own, not copied from any evaluation part (the held-out parts are
never read while rules are tuned), so the cases test the structures, not remembered sentences.
"""
from __future__ import annotations

import pytest

from portal.guidance.check import BUILTIN_DETECTORS, CheckContext, check_message, default_rules

FLAGS = {"needs_supervisor", "do_not_send"}

CASES = {
    "vulnerable_alone": (
        ["Frail Mr Hope at no. 4 has no family and never goes out."],
        ["Frail neighbours with no family nearby can ask Age UK for a befriender."],
    ),
    "empty_home": (
        ["The Parkers are off to Spain for a fortnight, so watch number 6 for us."],
        ["Off to Spain for a fortnight? Ask a neighbour to park on your drive."],
    ),
    "date_of_birth": (
        ["Please confirm your DOB (for example 2 May 1984).", "her date of birth is the 1st of June 1990",
         "dob = 09/10/1975", "birthday's 3rd feb 2004, for the form", "DOB please - 03/08/1969?"],
        ["The birthday party is on the 1st of June.", "born on the 4th of July weekend",
         "Dated 12/03/2024 and signed."],
    ),
    "vehicle_registration": (
        ["the reg is ky21 xpo", "reg was wd70 abc apparently", "plate reads lm19 zzt"],
        ["the reg is on the paperwork", "plate reads 'welcome'", "use code ab12cde at the till"],
    ),
    "postcode_at_home": (
        ["They live at PE7 3QX now.", "he's in NN1 4BD, above the bakery"],
        ["The depot is at PE7 3QX.", "Parcels go to NN1 4BD.", "Our office, NN1 4BD, opens at 9."],
    ),
    "uk_address": (
        ["Could someone go to 14 the sidings, her door's been kicked in?", "she lives at 2 The Orchards.",
         "she's staying at 5 larch cl for now", "the family on Hazel Road (house number 31)",
         "so you're at 19 brook view?", "APARTMENT 4, Canal House - the victim's flat",
         "the flat on Tanner Street, number 12a", "she lives at number seven", "They moved to 8 Heron Court."],
        ["At 10 the kids went in for lunch.", "Tickets go up to 5 the pounds.",
         "Talk at the Quaker Meeting House, 8 Friar Lane, with residents from the flats.",
         "Carols at St Mary's, 4 Church Walk, with the residents' choir.", "We're 2 minutes close to town.",
         "The pub is 5 miles up the road.", "It's a 10 minute walk from the station.", "a 3 way junction",
         "Resurfacing on Tanner Street from number 2 to 40.", "Carnival parade at 2pm, 1 Castle Square.",
         "The library has moved to 8 Heron Court."],
    ),
    "operational.few_officers": (
        ["There's only a PCSO on in the town on Mondays.", "we only have a single officer for the whole valley"],
        ["Only a PCSO can issue that kind of notice.", "Only one in ten bikes is ever marked."],
    ),
    "age_with_name": (
        ["Jordan Kemp he's only 12", "Aimee Fox, just 16, was hurt", "A 15-year-old boy, Rory Platt, was hurt.",
         "its liam hurst, hes 14"],
        ["Only 12 people came.", "PC Ravi Shah, just 30, leads the team", "the bus, hes 15 minutes late"],
    ),
    "named_person": (
        ["The dashcam filmed Nick Tanner pulling off the wing mirror.", "we reckon dean mosley did the windows",
         "its kelly stott nicking from the garden centre", "Our doorbell camera caught Sonia Ball at the gate.",
         "Everyone knows Lenny Banks is the one behind it.", "Rosa Lind is the girl in the photo.",
         "The man from the garage, Vic Harte, gave a description.",
         "Grandmother Edie Platt, of Mill Terrace, was conned.", "The complainant, Mr Hale, asked us not to say.", "The boy in the video is Ollie Hart, year 8.",
         "i think its jodie wren who did the car", "mrs o'hara is the one who keeps calling about it"],
        ["Operation Silver Birch: thanks to all who took part.", "we think the kids did the windows",
         "we reckon it was someone from out of town", "Our doorbell camera advice is on the website.",
         "A spaniel called Bella is missing near the golf course.", "Thanks to Banks Road residents for the tea.",
         "i think its the weather that did the damage"],
    ),
    "court_process": (
        ["with what we've got he's going down for years", "it's open and shut, she'll be convicted"],
        ["The lift is going down for repairs.", "The sun is going down earlier now."],
    ),
    "group_generalisation": (
        ["What would you expect from a load of Hungarians?", "Kenyans control the taxi ranks round here.",
         "Every time the shop's robbed it turns out to be someone from the hostel.",
         "Residents from the high-rise flats are nothing but bother, nothing but trouble.",
         "The Czechs came and wrecked the pub.", "Foreign van drivers cause every jam on the bypass.",
         "Latvian roofers rip everyone off.", "Old codgers can't drive, every one of them.",
         "Scousers, eh? Always on the rob.", "I wouldn't let a Romanian near my car.",
         "Folk from the Westgate end are thick.", "Czech car washes sell stolen parts.",
         "Can't stand the Yanks, every one of them.", "The Roma girls are trained to steal.",
         "The Irish travellers are a law unto themselves."],
        ["Kenyans in the choir won the regional prize.", "A bunch of volunteers cleared the canal.",
         "It will be someone from the council who replies.", "Residents from the flats joined the walk.",
         "The pub was wrecked by the storm, say Czech owners.", "Latvian roofers fixed the church for free.",
         "Older drivers can book a free eyesight check.",
         "Eid Mubarak to all Muslim families in the ward!", "Students, remember to lock up over the break."],
    ),
    "political_stance": (
        ["Welsh independence can't come soon enough.", "The council's plans for the bus station are a disgrace.",
         "The teachers' strike is fully justified.", "The Chancellor has let the country down.",
         "The Chancellor's budget has hammered pensioners.", "That minister should be sacked.",
         "Whatever you think of the Mayor, at least she's trying."],
        ["The council's plans are on its website.", "Welsh classes start soon enough for beginners.",
         "The fine was justified, the court said.", "The rain has let the fete down.",
         "The hail hammered the allotments.", "The Mayor's office hosts the awards."],
    ),
    "resource_gap": (
        ["the station is shut overnight till spring", "That camera is just for show.",
         "The CCTV goes off at 1am.", "The camera by the garages has been smashed for weeks.",
         "There won't be anyone at the enquiry desk on Monday.", "The ANPR camera hasn't worked since May.",
         "The station's only staffed till 4 on Sundays.", "No dog handler available over Easter.",
         "The new CCTV doesn't cover the bike racks.", "Our beat team is just me until June."],
        ["Officers closed the road after the crash.", "The new station opens at 8am.",
         "The show at the station was a success.", "Officers smashed a county line last month.",
         "The station is staffed 8 till 8.", "Our dog handler won an award."],
    ),
    "political_campaigning": (
        ["Protest at the Town Hall on Monday against the cuts!", "Can't wait to get this council out in May."],
        ["Vote for your lollipop lady of the year!", "Kick off is at 3pm - come and get them out of the relegation zone!"],
    ),
    "covert_method": (
        ["Don't say anything, but the lock-ups on Mill Lane are being watched.",
         "We're keeping obs on the garage for a few nights."],
        ["Friendly neighbours watching out are the best protection for an empty home."],
    ),
    "planned_tactic": (
        ["Sniffer dogs at the bus station this Saturday to catch dealers.",
         "Early morning visits to addresses in the village planned for next week.",
         "Traffic officers will be at the services tomorrow from 6am checking vans.",
         "We'll be searching the lock-ups at first light."],
        ["Sniffer dogs found drugs at the bus station last Saturday.", "We searched the lock-ups yesterday.",
         "Early morning visits to addresses last week led to two arrests."],
    ),
}


def _found(detector: str, text: str) -> list[str]:
    if "." in detector:  # a shipped rule that is not a built-in detector (a regex or word list)
        rule = next(r for r in default_rules() if r.code == detector)
        return [f.matched_text for f in check_message(text, [rule])]
    function, _ = BUILTIN_DETECTORS[detector]
    return [text[m.start:m.end] for m in function(text, "", CheckContext())]


@pytest.mark.parametrize(("detector", "text"), [(d, t) for d, (hits, _) in CASES.items() for t in hits])
def test_round3_detector_finds(detector, text):
    assert _found(detector, text), f"{detector} missed {text!r}"


@pytest.mark.parametrize(("detector", "text"), [(d, t) for d, (_, misses) in CASES.items() for t in misses])
def test_round3_detector_leaves_near_misses_alone(detector, text):
    assert _found(detector, text) == [], f"{detector} wrongly matched {text!r}"


@pytest.mark.parametrize(("text", "category"), [
    ("Mr Dunn at no 9 is disabled and on his own since his wife died.", "operational"),
    ("The Okafors are in Lagos for a month and their house is empty.", "operational"),
    ("We'll ring you back, your NHS no. 401 023 2137 is on file.", "personal_data"),
])
def test_the_shipped_rules_flag_them(text, category):
    flagged = {f.category for f in check_message(text) if f.severity in FLAGS}
    assert category in flagged


def test_an_abbreviation_does_not_end_a_sentence():
    from portal.guidance.detectors.base import sentence_spans
    text = "Mrs. Hill at no. 4 is fine. Thanks to St. Anne's."
    assert [text[a:b] for a, b in sentence_spans(text)] == ["Mrs. Hill at no. 4 is fine.", "Thanks to St. Anne's."]


def test_custody_as_a_building_is_not_live_proceedings():
    for text in ("The custody suite refurbishment finished on time.", "Tours of the custody suite for cadets."):
        assert "live_proceedings" not in {f.category for f in check_message(text) if f.severity in FLAGS}
    assert "live_proceedings" in {f.category for f in check_message("He's in the custody suite now.")
                                  if f.severity in FLAGS}


def test_a_vote_for_a_favourite_is_not_political():
    assert not check_message("Vote for your favourite scarecrow in the village trail!")


def test_a_venue_named_just_before_its_address_wins_over_residents():
    findings = check_message("Residents' forum at the Friends Meeting House, 22 Grove Road, 7pm.")
    assert not [f for f in findings if f.severity in FLAGS]
    assert any(f.rule_code == "personal.venue_address" for f in findings)
