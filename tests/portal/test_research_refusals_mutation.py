"""The research refusals, each rule and its boundary (written against mutmut's survivors, docs/MUTATION.md).

A researcher asks for a view the protected tables do not hold (an area with a grouping or filter
that is for every area together, three dimensions at once, a platform beside a channel on the
contacts page): the page, its HTMX fragment and each table's CSV say why, in the same words, and
give no figures; a supervisor or admin gets the figures. The functions are read one by one first
(`responses.refusal`, `engagement.contacts_refusal`, `engagement.researchers_see`, and the filter
rules they rest on: `filters.one_calendar_year`, `contact_family`, `read_slice`, `contact_slices`),
then through the pages.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal.extensions import db
from portal.models import Community, OutreachContact, utcnow
from portal.research.engagement import contacts_refusal, researchers_see
from portal.research.filters import (
    ALL_AREAS, ANY_CONTACT, Selection, contact_family, contact_slices, one_calendar_year, read_slice,
)
from portal.research.responses import fixed_of, published, refusal
from tests.portal.research_support import areas_and_officers

AREA = 7  # an area id, for the functions read on their own

IN_ONE_AREA = ("In one area, figures are by platform; by {by}, they are for every area together. "
               "Choose “Any” area, or group by platform.")
NOT_BOTH = ("Choose an area or a {fixed}, not both: with it chosen, figures by {by} are for every area together.")
THREE = ("Choose at most one of platform, channel and purpose besides the grouping: figures for a combination "
         "of three could be worked out against the figures for each pair. Set one to “Any”.")
CONTACTS_ONE_OF = ("Choose at most one of platform, channel and purpose here: figures for a combination could be "
                   "worked out against the figures for each one. Set the others to “Any”.")
CONTACTS_NOT_BOTH = ("Choose an area or a platform, not both: with a platform chosen, contacts per week are for "
                     "every area together.")
ONE_YEAR = "Choose dates in one calendar year: figures are for whole years"


# responses.refusal and the margins it reads (published, fixed_of)

@pytest.mark.parametrize(("selection", "reason"), [
    # Every area together: up to two dimensions (the grouping and one filter).
    (Selection(by="platform"), None),
    (Selection(by="channel"), None),
    (Selection(by="purpose", platform="forum"), None),
    (Selection(by="platform", channel="email"), None),
    (Selection(by="channel", channel="email"), None),  # a filter on the grouping is still one dimension
    (Selection(by="channel", platform="forum", channel="email"), None),
    (Selection(by="platform", channel="email", purpose="inform"), THREE),
    (Selection(by="purpose", platform="forum", channel="email"), THREE),
    (Selection(by="platform", platform="forum", channel="email", purpose="inform"), THREE),
    # One area: the platforms only, with or without a platform filter.
    (Selection(by="platform", area_id=AREA), None),
    (Selection(by="platform", platform="forum", area_id=AREA), None),
    (Selection(by="channel", area_id=AREA), IN_ONE_AREA.format(by="channel")),
    (Selection(by="purpose", area_id=AREA), IN_ONE_AREA.format(by="purpose")),
    (Selection(by="channel", channel="email", area_id=AREA), IN_ONE_AREA.format(by="channel")),
    (Selection(by="channel", platform="forum", area_id=AREA), NOT_BOTH.format(fixed="platform", by="channel")),
    (Selection(by="platform", purpose="inform", area_id=AREA), NOT_BOTH.format(fixed="purpose", by="platform")),
    (Selection(by="platform", purpose="inform", channel="email", area_id=AREA),
     NOT_BOTH.format(fixed="channel and a purpose", by="platform")),
    (Selection(by="purpose", purpose="inform", channel="email", area_id=AREA),
     NOT_BOTH.format(fixed="channel", by="purpose")),
    (Selection(by="platform", area_id=0), None),  # an area's id is never mistaken for "no area"
    (Selection(by="channel", area_id=0), IN_ONE_AREA.format(by="channel")),
])
def test_the_responses_page_refuses_a_researcher_what_its_protected_table_does_not_hold(selection, reason):
    assert refusal(selection) == reason  # a researcher's view unless told otherwise
    assert refusal(selection, True) == reason
    assert refusal(selection, False) is None  # supervisors and admins read any margin


def test_the_responses_margins_researchers_may_see():
    assert published(ALL_AREAS, ())
    assert published(ALL_AREAS, (("channel", ""), ("platform", "")))
    assert not published(ALL_AREAS, (("channel", ""), ("platform", ""), ("purpose", "")))
    assert published(AREA, ())
    assert published(AREA, (("platform", "forum"),))
    assert not published(AREA, (("channel", "email"),))
    assert not published(AREA, (("channel", "email"), ("platform", "forum")))
    assert fixed_of(Selection(purpose="inform", platform="forum", channel="email", by="channel")) == (
        ("channel", "email"), ("platform", "forum"), ("purpose", "inform"))
    assert fixed_of(Selection(by="purpose")) == ()


# engagement.contacts_refusal and researchers_see

@pytest.mark.parametrize(("selection", "reason"), [
    (Selection(), None),
    (Selection(platform="forum"), None),
    (Selection(channel="email"), None),  # a contact filter alone is the common refusals' business
    (Selection(channel="email", area_id=AREA), None),
    (Selection(platform="forum", channel="email"), CONTACTS_ONE_OF),
    (Selection(platform="forum", purpose="inform"), CONTACTS_ONE_OF),
    (Selection(platform="forum", channel="email", area_id=AREA), CONTACTS_ONE_OF),
    (Selection(platform="forum", area_id=AREA), CONTACTS_NOT_BOTH),
    (Selection(platform="forum", area_id=0), CONTACTS_NOT_BOTH),
])
def test_the_contacts_page_refuses_a_platform_beside_an_area_or_a_contact_filter(selection, reason):
    assert contacts_refusal(selection) == reason
    assert contacts_refusal(selection, True) == reason
    assert contacts_refusal(selection, False) is None


def test_researchers_see_every_contact_anywhere_and_a_slice_for_every_area_together():
    assert researchers_see(ANY_CONTACT, AREA)
    assert researchers_see(ANY_CONTACT, ALL_AREAS)
    assert researchers_see(("channel", "email"), ALL_AREAS)
    assert not researchers_see(("channel", "email"), AREA)
    assert not researchers_see(("platform", "forum"), None)
    assert not researchers_see(("any", "x"), AREA)


# filters: one calendar year, and the contact family a page's figures are protected in

TODAY = date(2026, 6, 15)
MONTH_END = date(2026, 5, 31)  # researchers' current year stops at the last completed month-end


@pytest.mark.parametrize(("since", "until", "expected"), [
    (None, None, (date(2026, 1, 1), MONTH_END)),
    (date(2026, 3, 1), None, (date(2026, 1, 1), MONTH_END)),
    (None, date(2026, 2, 1), (date(2026, 1, 1), MONTH_END)),
    (date(2025, 3, 1), date(2025, 3, 31), (date(2025, 1, 1), date(2025, 12, 31))),
    (None, date(2024, 7, 1), (date(2024, 1, 1), date(2024, 12, 31))),
])
def test_researchers_dates_become_one_whole_calendar_year(since, until, expected):
    widened = one_calendar_year(Selection(since=since, until=until, area="a"), TODAY)
    assert (widened.since, widened.until) == expected
    assert widened.area == "a"
    assert not widened.errors
    assert not widened.impossible


def test_a_year_none_of_whose_months_has_ended_is_an_error():
    ahead = one_calendar_year(Selection(since=date(2027, 2, 1), area="a"), TODAY)
    assert ahead.impossible
    assert "No month of 2027 has ended yet" in ahead.errors["until"]
    assert (ahead.since, ahead.until) == (None, None)


def test_on_the_first_of_january_the_year_is_last_year_whole():
    widened = one_calendar_year(Selection(), date(2026, 1, 1))
    assert (widened.since, widened.until) == (date(2025, 1, 1), date(2025, 12, 31))
    assert not widened.errors


def test_dates_in_two_years_are_an_error_and_match_nothing():
    across = one_calendar_year(Selection(since=date(2025, 12, 1), until=date(2026, 1, 31)), TODAY)
    assert across.errors == {"until": ONE_YEAR}
    assert across.impossible
    assert (across.since, across.until) == (date(2025, 12, 1), date(2026, 1, 31))


def test_a_selection_with_errors_is_left_as_the_form_gave_it():
    asked = Selection(since=date(2025, 12, 1), until=date(2026, 1, 31), errors={"platform": "Choose a platform"},
                      impossible=True)
    assert one_calendar_year(asked, TODAY) is asked


@pytest.mark.parametrize(("selection", "family", "slice_"), [
    (Selection(), Selection(), ANY_CONTACT),
    (Selection(area="a", area_id=AREA), Selection(), ANY_CONTACT),
    (Selection(channel="email", area="a", area_id=AREA), Selection(), ("channel", "email")),
    (Selection(purpose="inform"), Selection(), ("purpose", "inform")),
    (Selection(platform="forum"), Selection(), ("platform", "forum")),
    # Two of platform, channel and purpose, or an officer: no family, the selection's own contacts.
    (Selection(platform="forum", channel="email"), Selection(platform="forum", channel="email"), ANY_CONTACT),
    (Selection(channel="email", purpose="inform", area_id=AREA),
     Selection(channel="email", purpose="inform"), ANY_CONTACT),
    (Selection(officer="o", officer_id=3), Selection(officer="o", officer_id=3), ANY_CONTACT),
    (Selection(officer="o", officer_id=3, channel="email"), Selection(officer="o", officer_id=3, channel="email"),
     ANY_CONTACT),
])
def test_the_contact_family_and_the_slice_a_page_reads_from_it(selection, family, slice_):
    assert contact_family(selection) == family
    assert read_slice(selection) == slice_


def test_a_family_counts_every_contact_and_each_partition_unless_it_keeps_its_filters():
    slicings = contact_slices(Selection())
    assert [name for name, _ in slicings] == ["any", "channel", "purpose", "platform"]
    columns = [column for _, column in slicings]
    assert columns[0] is None
    assert columns[1] is OutreachContact.channel
    assert columns[2] is OutreachContact.purpose
    assert columns[3] is Community.platform
    for kept in (Selection(officer="o"), Selection(channel="email"), Selection(purpose="inform"),
                 Selection(platform="forum")):
        assert contact_slices(kept) == [("any", None)]


def test_the_contact_filters_chosen_in_their_order():
    assert Selection(officer="o", purpose="p", channel="c").contact_filters == ["channel", "purpose", "officer"]
    assert Selection(platform="forum").contact_filters == []
    assert not Selection(platform="forum").contact_filtered
    for name in ("channel", "purpose", "officer"):
        assert Selection(**{name: "x"}).contact_filtered


# Through the pages: a refused view says so in the page, the fragment and each CSV; an allowed one shows figures.

@pytest.fixture
def forums(app, users, live_research_figures):
    """One area, 12 forums contacted by comment an hour ago (enough for every figure to be shown), 10 officers;
    researchers' figures run to today here (the refusals, not the dates, are under test)."""
    (area,), officers = areas_and_officers(1, 10)
    when = utcnow() - timedelta(hours=1)
    for i in range(12):
        community = Community(area_id=area.id, name=f"Forum {i}", platform="forum",
                              created_at=when - timedelta(days=3))
        db.session.add(community)
        db.session.flush()
        db.session.add(OutreachContact(community_id=community.id, officer_id=officers[i % 10].id, occurred_at=when,
                                       channel="comment", purpose="introduce", outcome="positive"))
    db.session.commit()
    return area


def _refused_everywhere(client, path: str, words: str) -> None:
    page = client.get(path).get_data(as_text=True)
    assert 'data-testid="refused"' in page
    assert words in page
    assert "<table" not in page
    fragment = client.get(path, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert words in fragment
    assert "<html" not in fragment
    download = client.get(path.replace("?", "/tables/1.csv?", 1))
    assert download.status_code == 403
    assert words in download.get_data(as_text=True)


def _shown_everywhere(client, path: str, figure: str) -> None:
    page = client.get(path).get_data(as_text=True)
    assert 'data-testid="refused"' not in page
    assert figure in page
    fragment = client.get(path, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert figure in fragment
    download = client.get(path.replace("?", "/tables/1.csv?", 1))
    assert download.status_code == 200
    assert figure in download.get_data(as_text=True)


def test_a_researcher_is_told_why_in_page_fragment_and_csv_and_an_admin_sees_the_figures(client, auth, forums):
    slug = forums.slug
    cases = [  # (path, the researcher's words)
        (f"/research/responses?area={slug}&by=channel", IN_ONE_AREA.format(by="channel")),
        (f"/research/responses?area={slug}&by=channel&platform=forum", NOT_BOTH.format(fixed="platform", by="channel")),
        ("/research/responses?by=purpose&platform=forum&channel=comment", THREE),
        (f"/research/responses?area={slug}&by=platform&purpose=introduce",  # the common refusal comes first
         "Choose an area or a purpose, not both: with a purpose chosen, figures are for every area together."),
        (f"/research/contacts?area={slug}&platform=forum", CONTACTS_NOT_BOTH),
        ("/research/contacts?platform=forum&purpose=introduce", CONTACTS_ONE_OF),
    ]
    auth.login("researcher")
    for path, words in cases:
        _refused_everywhere(client, path, words)
    auth.logout()
    auth.login("admin")
    for path, _ in cases:
        page = client.get(path).get_data(as_text=True)
        assert 'data-testid="refused"' not in page
        assert "<table" in page


def test_a_researcher_sees_the_views_the_protected_tables_hold(client, auth, forums):
    slug = forums.slug
    auth.login("researcher")
    _shown_everywhere(client, "/research/responses?by=platform", "12")
    _shown_everywhere(client, f"/research/responses?area={slug}&by=platform&platform=forum", "12")
    _shown_everywhere(client, "/research/responses?by=channel&platform=forum", "12")
    _shown_everywhere(client, "/research/contacts?platform=forum", "12")
    _shown_everywhere(client, f"/research/contacts?area={slug}", "12")


def test_on_the_contacts_page_a_researcher_sees_areas_for_every_contact_and_one_line_for_a_slice(client, auth, forums):
    """`researchers_see` through the page: every contact by area; a channel's contacts for every area together."""
    every_area = "With a platform, channel, purpose or officer chosen, researchers see every area together."

    def header(path: str) -> str:
        return client.get(path.replace("?", "/tables/1.csv?", 1)).get_data(as_text=True).splitlines()[0]

    auth.login("researcher")
    assert every_area not in client.get("/research/contacts?").get_data(as_text=True)
    assert header("/research/contacts?") == f"Week beginning,{forums.name},Total"
    assert every_area in client.get("/research/contacts?channel=comment").get_data(as_text=True)
    assert header("/research/contacts?channel=comment") == "Week beginning,Total"
    auth.logout()
    auth.login("admin")
    assert header("/research/contacts?channel=comment") == f"Week beginning,{forums.name},Total"
