"""The quick contact log: defaults, validation, share-a-link, the follow-up clock, edits with history."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.areas import import_area
from portal.extensions import db
from portal.models import AuditEvent, ContactRevision, OutreachContact
from tests.portal.outreach_factories import make_community, make_contact


def _checked_communities(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'name="community_id" type="radio" value="(\d+)"[^>]*\schecked', page)]


def _post(client, **data):
    return client.post("/contacts/new", data=data)


def test_form_lists_recent_and_owned_communities_first(client, auth, users, area, db_session):
    owned = make_community(area, "Owned Group", owner=users["officer"])
    recent = make_community(area, "Recently Contacted")
    make_contact(recent, users["officer"], days_ago=1)
    make_community(area, "Someone Else's")
    auth.login("officer")
    page = client.get("/contacts/new").data.decode()
    assert page.index("Recently Contacted") < page.index("Owned Group")
    assert "Someone Else&#39;s" not in page
    assert "Someone Else's" not in page
    assert f'value="{owned.id}"' in page


def test_owned_communities_keep_shortcut_slots_when_many_were_contacted_recently(client, auth, users, area):
    for n in range(3):
        make_community(area, f"Owned {n}", owner=users["officer"])
    for n in range(8):
        make_contact(make_community(area, f"Busy {n}"), users["officer"], days_ago=n)
    auth.login("officer")
    page = client.get("/contacts/new").data.decode()
    shortcuts = page[page.index('data-testid="recent-communities"'):page.index('id="channel"')]
    assert [f"Busy {n}" in shortcuts for n in range(5)] == [True, True, True, True, False]
    assert "Owned 0" in shortcuts
    assert "Owned 1" in shortcuts
    assert "Owned 2" not in shortcuts


@pytest.mark.parametrize("window", [1, 3, 5, 200])
def test_recently_contacted_reads_a_window_of_newest_contacts_and_answers_as_grouping_them_all(
        app, users, area, monkeypatch, window):
    from sqlalchemy import func

    from portal.outreach import queries

    officer = users["officer"]
    days = [9, 1, 7, 2, 2, 5, 8, 3, 4, 6, 1, 0]  # eight communities, several contacted more than once
    communities = [make_community(area, f"Group {n}") for n in range(8)]
    for n, days_ago in enumerate(days):
        make_contact(communities[n % 8], officer, days_ago=days_ago)
    monkeypatch.setattr(queries, "RECENT_WINDOW", window)
    last = func.max(OutreachContact.occurred_at)
    for count in (1, 3, 6, 8, 12):
        everything = db.session.scalars(select(OutreachContact.community_id).where(OutreachContact.officer_id == officer.id)
                                        .group_by(OutreachContact.community_id).order_by(last.desc()).limit(count)).all()
        assert queries.recently_contacted(officer, count) == everything, (window, count)


def test_log_a_contact_with_three_fields_defaults_purpose_and_updates_the_community(client, auth, users, area,
                                                                                    db_session):
    community = make_community(area, "Forum")
    auth.login("officer")
    response = _post(client, community_id=community.id, channel="group_post", outcome="pending")
    assert response.status_code == 303
    assert f"/communities/{community.id}" in response.headers["Location"]
    contact = db_session.scalar(select(OutreachContact))
    assert (contact.purpose, contact.review_status, contact.officer_id) == ("introduce", "none", users["officer"].id)
    db_session.refresh(community)
    assert community.last_contact_at == contact.occurred_at
    assert db_session.scalar(select(AuditEvent).where(AuditEvent.object_type == "OutreachContact"))
    _post(client, community_id=community.id, channel="comment", outcome="positive")
    second = db_session.scalars(select(OutreachContact).order_by(OutreachContact.id.desc())).first()
    assert second.purpose == "inform"


def test_failed_validation_keeps_everything_typed(client, auth, area, db_session):
    auth.login("officer")
    response = _post(client, channel="email", outcome="positive", message_text="Hello <b>neighbours</b>",
                     link="https://example.org/post/1", reach_views="12", follow_up_on="2030-01-02")
    assert response.status_code == 422
    page = response.data.decode()
    assert "Choose the community you contacted" in page
    assert "Hello &lt;b&gt;neighbours&lt;/b&gt;" in page
    assert 'value="https://example.org/post/1"' in page
    assert 'value="12"' in page
    assert "2030-01-02" in page
    assert 'id="channel-email" name="channel" type="radio" value="email" checked' in page
    assert db_session.scalar(select(OutreachContact)) is None


def test_missing_outcome_and_bad_link_are_explained_beside_the_fields(client, auth, area, db_session):
    community = make_community(area)
    auth.login("officer")
    page = _post(client, community_id=community.id, channel="email", link="javascript:alert(1)").data.decode()
    assert "Choose the outcome to save the contact" in page
    assert "Enter a web address starting with http" in page
    assert _checked_communities(page) == [community.id]


def test_detail_errors_are_tied_to_their_fields_for_screen_readers(client, auth, area, db_session):
    """The details loop's lean markup keeps GOV.UK's error pattern: group, message id, describedby, error class."""
    community = make_community(area)
    auth.login("officer")
    page = _post(client, community_id=community.id, channel="email", link="javascript:alert(1)",
                 reach_views="-1", direction="inbound", message_text="x" * 10_001).data.decode()
    for name in ("link", "reach_views"):
        assert re.search(rf'<p id="{name}-error" class="govuk-error-message"><span class="govuk-visually-hidden">'
                         r"Error:</span> ", page), name
        field = re.search(rf'<input id="{name}" name="{name}"[^>]*>', page).group(0)
        assert 'class="govuk-input' in field
        assert "govuk-input--error" in field
        assert f'aria-describedby="{name}-error"' in field
    textarea = re.search(r'<textarea id="message_text"[^>]*>', page).group(0)
    assert 'aria-describedby="message_text-error guidance_findings"' in textarea
    assert 'hx-post="/guidance/check"' in textarea
    assert page.count('govuk-form-group govuk-form-group--error">') >= 3
    assert re.search(r'<details class="govuk-details" open', page)  # the details open on an error
    assert 'id="direction-2" name="direction" type="radio" value="inbound" checked' in page
    assert page.index('id="reach_views"') < page.index('id="reach_replies"') < page.index('id="follow_up_on"')


def test_one_list_of_details_feeds_the_form_the_service_and_the_page():
    from portal.outreach.forms import DETAIL_FIELDS
    from portal.outreach.services import CONTACT_FIELDS

    assert DETAIL_FIELDS == ("purpose", "direction", "message_text", "link", "reach_views", "reach_replies",
                             "reach_reactions", "follow_up_on")
    assert set(DETAIL_FIELDS) < set(CONTACT_FIELDS)


def test_intelligence_is_not_a_purpose(client, auth, area, db_session):
    community = make_community(area)
    auth.login("officer")
    response = _post(client, community_id=community.id, channel="email", outcome="pending", purpose="intelligence")
    assert response.status_code == 422
    assert db_session.scalar(select(OutreachContact)) is None


def test_cannot_log_against_another_areas_community(client, auth, area, db_session):
    other, _ = import_area({"name": "Elsewhere", "places": ["Crawley"]}, slug="elsewhere")
    db_session.commit()
    theirs = make_community(other, "Theirs")
    auth.login("officer")
    response = _post(client, community_id=theirs.id, channel="email", outcome="pending")
    assert response.status_code == 422
    assert b"Choose a community from your areas" in response.data
    assert db_session.scalar(select(OutreachContact)) is None


def test_share_a_link_finds_the_community_by_host_and_path(client, auth, area, db_session):
    group = make_community(area, "Newhaven Notices", "https://www.facebook.com/groups/newhaven-notices",
                           platform="facebook_group")
    make_community(area, "Another Group", "https://www.facebook.com/groups/another")
    auth.login("officer")
    page = client.get("/contacts/new?link=https://m.facebook.com/groups/newhaven-notices/posts/123?ref=x").data.decode()
    assert 'data-testid="share-found"' in page
    assert "Newhaven Notices" in page
    assert _checked_communities(page) == [group.id]
    assert 'value="https://m.facebook.com/groups/newhaven-notices/posts/123?ref=x"' in page  # link pre-filled
    missing = client.get("/contacts/new?link=https://unknown.example/thread/9").data.decode()
    assert 'data-testid="share-missing"' in missing
    assert "/communities/new?url=https" in missing


def test_type_ahead_returns_a_fragment_of_radio_buttons(client, auth, area, db_session):
    make_community(area, "Ringmer Village")
    make_community(area, "Seaford Parents")
    auth.login("officer")
    fragment = client.get("/contacts/communities?community_q=ring", headers={"HX-Request": "true"})
    assert b"<html" not in fragment.data
    assert b"Ringmer Village" in fragment.data
    assert b"Seaford" not in fragment.data
    assert b'name="community_id"' in fragment.data
    assert b"<html" in client.get("/contacts/communities?community_q=ring").data


def _options(client, q: str) -> list[str]:
    fragment = client.get("/contacts/communities", query_string={"community_q": q},
                          headers={"HX-Request": "true"}).data.decode()
    return re.findall(r'radios__label lr-break" for="[^"]+">([^<]+)</label>', fragment)


def test_type_ahead_finds_name_or_address_in_the_officers_active_communities_by_name(
        client, auth, area, db_session):
    other, _ = import_area({"name": "Elsewhere", "places": ["Crawley"]}, slug="elsewhere")
    db_session.commit()
    make_community(other, "Ringmer Elsewhere")  # another area
    make_community(area, "Ringmer Archived", status="archived")
    make_community(area, "Village Hall", "https://RINGMER-hall.example.org/")  # the address matches
    for n in range(10):
        make_community(area, f"Ringmer Group {9 - n}")
    make_community(area, "100% Ringmer")
    auth.login("officer")
    found = _options(client, "  RINGMER ")
    assert found == ["100% Ringmer", *[f"Ringmer Group {n}" for n in range(7)]]  # eight, by name
    assert _options(client, "ringmer-hall") == ["Village Hall"]
    assert _options(client, "0%") == ["100% Ringmer"]  # % is a character, not a wildcard
    assert _options(client, "_") == []
    assert _options(client, "Elsewhere") == []
    assert _options(client, "Archived") == []


def test_follow_up_clock_resets_when_a_new_contact_is_logged(client, auth, users, area, db_session):
    community = make_community(area)
    other = make_community(area, "Other")
    old = make_contact(community, users["officer"], days_ago=10, follow_up_in=3)
    untouched = make_contact(other, users["officer"], days_ago=10, follow_up_in=3)
    auth.login("officer")
    page = client.get("/follow-ups").data.decode()
    assert page.count('data-testid="follow-up"') == 2
    follow_up = (date.today() + timedelta(days=5)).isoformat()
    _post(client, community_id=community.id, channel="email", outcome="pending", follow_up_on=follow_up)
    db_session.refresh(old)
    db_session.refresh(untouched)
    assert old.follow_up_closed_at is not None
    assert untouched.follow_up_closed_at is None
    page = client.get("/follow-ups").data.decode()
    overdue = page.split('data-testid="overdue"')[1].split('data-testid="due-today"')[0]
    assert "Other" in overdue
    assert "Lewes Forum" not in overdue
    assert "Lewes Forum" in page.split('data-testid="upcoming"')[1]


def test_marking_a_follow_up_done(client, auth, users, area, db_session):
    contact = make_contact(make_community(area), users["officer"], days_ago=5, follow_up_in=1)
    auth.login("officer")
    assert client.post(f"/contacts/{contact.id}/follow-up-done").status_code == 303
    db_session.refresh(contact)
    assert contact.follow_up_closed_at is not None


def test_editing_a_contact_keeps_the_history(client, auth, users, area, db_session):
    contact = make_contact(make_community(area), users["officer"], days_ago=2)
    auth.login("officer")
    assert client.get(f"/contacts/{contact.id}/edit").status_code == 200
    response = client.post(f"/contacts/{contact.id}/edit", data={
        "outcome": "positive", "channel": "group_post", "purpose": "inform", "direction": "outbound",
        "reach_replies": "4"})
    assert response.status_code == 303
    db_session.refresh(contact)
    assert contact.outcome == "positive"
    assert contact.reach_replies == 4
    revision = db_session.scalar(select(ContactRevision))
    assert revision.changes["outcome"] == ["pending", "positive"]
    assert revision.changes["reach_replies"] == [None, 4]
    assert b"pending" in client.get(f"/contacts/{contact.id}/edit").data  # history shown


def test_officers_cannot_edit_a_colleagues_contact(client, auth, users, area, db_session):
    contact = make_contact(make_community(area), users["supervisor"])
    auth.login("officer")
    assert client.get(f"/contacts/{contact.id}/edit").status_code == 403


def test_message_needing_a_supervisor_is_held_and_do_not_send_is_refused(client, auth, area, db_session):
    from portal.models import MessageReview

    community = make_community(area)
    auth.login("officer")
    refused = _post(client, community_id=community.id, channel="group_post", outcome="pending",
                    message_text="Gary Hollis was arrested for the burglary.")
    assert refused.status_code == 422
    assert "cannot be sent" in refused.data.decode()
    assert "Gary Hollis was arrested for the burglary." in refused.data.decode()  # what was typed is kept
    assert db_session.scalar(select(OutreachContact)) is None
    held = _post(client, community_id=community.id, channel="group_post", outcome="pending",
                 message_text="A man has been arrested after the burglaries on the seafront.")
    assert held.status_code == 303
    contact = db_session.scalar(select(OutreachContact))
    assert contact.review_status == "held"
    assert db_session.scalar(select(MessageReview)).contact_id == contact.id
    confirmation = client.get(held.headers["Location"]).data.decode()
    assert "held for a supervisor" in confirmation
    assert "(Test supervisor will decide)" in confirmation


def test_a_message_template_prefills_the_form_and_is_recorded(client, auth, area, db_session):
    from portal.models import MessageTemplate

    template = MessageTemplate(purpose="invite", title="Panel invite", body="Come to our neighbourhood panel.")
    db_session.add(template)
    db_session.commit()
    community = make_community(area)
    auth.login("officer")
    page = client.get(f"/contacts/new?template={template.id}").data.decode()
    assert "Come to our neighbourhood panel." in page
    assert 'value="invite" selected' in page.replace(
        'selected value="invite"', 'value="invite" selected')
    _post(client, community_id=community.id, channel="email", outcome="pending", template_id=template.id,
          purpose="invite", message_text="Come to our neighbourhood panel.")
    contact = db_session.scalar(select(OutreachContact))
    assert (contact.template_id, contact.purpose) == (template.id, "invite")
