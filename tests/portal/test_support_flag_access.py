"""Who may open a support flag and add a note (docs/PRIVACY.md): its officer, the area's supervisors, admins."""
from __future__ import annotations

import pytest

from portal.models import Area, Community, SupportFlag, SupportNote, User
from tests.conftest import PASSWORD


@pytest.fixture
def people(db_session, users, area):
    """The users of the conftest, plus a second officer of the same area and a supervisor of another."""
    other_area = Area(slug="other-town", name="Other Town", profile={})
    db_session.add(other_area)
    officer2 = User(email="officer2@tests.example.org", display_name="Second officer", role="officer")
    far_supervisor = User(email="far-supervisor@tests.example.org", display_name="Far supervisor",
                          role="supervisor")
    for user in (officer2, far_supervisor):
        user.password_hash = users["officer"].password_hash
        db_session.add(user)
    officer2.areas.append(area)
    far_supervisor.areas.append(other_area)
    db_session.commit()
    return {**users, "officer2": officer2, "far_supervisor": far_supervisor}


@pytest.fixture
def flag(db_session, people, area):
    community = Community(area_id=area.id, name="Cliffe Residents", platform="forum")
    db_session.add(community)
    db_session.flush()
    raised = SupportFlag(community_id=community.id, raised_by_id=people["officer"].id, reason="hostile_thread",
                         note="Replies turning nasty", thread_link="https://forum.example/t/1")
    db_session.add(raised)
    db_session.commit()
    return raised


def _sign_in(client, user: User) -> None:
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


# who, may open, may add a note
CASES = [
    ("officer", 200, 200),          # raised it
    ("officer2", 403, 403),         # works the area, did not raise it
    ("supervisor", 200, 200),       # supervises the area
    ("far_supervisor", 403, 403),   # supervises another area
    ("admin", 200, 403),            # reads every flag; notes are for the people involved
    ("researcher", 403, 403),
    ("auditor", 403, 403),
]


@pytest.mark.parametrize(("who", "opens", "notes"), CASES)
def test_a_support_flag_opens_only_for_its_officer_the_areas_supervisors_and_admins(
        client, db_session, people, flag, who, opens, notes):
    _sign_in(client, people[who])
    page = client.get(f"/guidance/flags/{flag.id}")
    assert page.status_code == opens
    assert (b"Replies turning nasty" in page.data) == (opens == 200)
    fragment = client.get(f"/guidance/flags/{flag.id}", headers={"HX-Request": "true"})
    assert fragment.status_code == opens
    posted = client.post(f"/guidance/flags/{flag.id}/notes", data={"kind": "debrief", "body": f"Note by {who}"})
    assert posted.status_code == notes
    saved = {note.body for note in db_session.query(SupportNote).filter_by(flag_id=flag.id)}
    assert (f"Note by {who}" in saved) == (notes == 200)


def test_an_admin_reads_the_flag_without_a_note_form(client, people, flag):
    _sign_in(client, people["admin"])
    page = client.get(f"/guidance/flags/{flag.id}").data.decode()
    assert "https://forum.example/t/1" in page
    assert 'data-testid="flag-read-only"' in page
    assert "/notes" not in page
