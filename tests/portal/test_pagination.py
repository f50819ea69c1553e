"""Capped pagination: the count stops at the cap, the pages stop with it."""
from __future__ import annotations

from sqlalchemy import select


def _communities(db, area, n):
    from portal.models import Community

    db.session.add_all(Community(area_id=area.id, name=f"C{i:02d}", platform="forum") for i in range(n))
    db.session.commit()


def test_below_the_cap_the_total_is_exact(app, area):
    from portal.extensions import db
    from portal.models import Community
    from portal.pagination import paginate

    _communities(db, area, 5)
    listing = paginate(select(Community).order_by(Community.name), page=2, per_page=2, cap=5)
    assert (listing.total, listing.capped, listing.pages) == (5, False, 3)
    assert [c.name for c in listing.items] == ["C02", "C03"]


def test_above_the_cap_the_total_is_capped_and_deep_pages_stop_at_the_last_counted_one(app, area):
    from portal.extensions import db
    from portal.models import Community
    from portal.pagination import paginate

    _communities(db, area, 7)
    listing = paginate(select(Community).order_by(Community.name), page=99, per_page=2, cap=4)
    assert (listing.total, listing.capped, listing.pages, listing.page) == (4, True, 2, 2)
    assert [c.name for c in listing.items] == ["C02", "C03"]


def test_the_list_says_more_than_when_capped(client, auth, area, users, monkeypatch):
    from portal import pagination
    from portal.extensions import db

    _communities(db, area, 4)
    monkeypatch.setattr(pagination, "COUNT_CAP", 3)
    auth.login("officer")
    page = client.get("/communities").get_data(as_text=True)
    assert "More than 3 communities" in page
    monkeypatch.setattr(pagination, "COUNT_CAP", 4)
    exact = client.get("/communities").get_data(as_text=True)
    assert "4 communities" in exact
    assert "More than" not in exact


def test_a_total_counted_by_the_caller_is_used_and_capped(app, area):
    from sqlalchemy import event

    from portal.extensions import db
    from portal.models import Community
    from portal.pagination import paginate

    _communities(db, area, 7)
    statements = []
    event.listen(db.engine, "before_cursor_execute", lambda c, cur, statement, *rest: statements.append(statement))
    listing = paginate(select(Community).order_by(Community.name), page=99, per_page=2, cap=4, total=7)
    assert (listing.total, listing.capped, listing.pages, listing.page) == (4, True, 2, 2)
    assert [c.name for c in listing.items] == ["C02", "C03"]
    assert not any("count(" in s.lower() for s in statements)  # no count query of its own


def test_the_list_total_comes_from_the_stage_counts(client, auth, area, users):
    from portal.extensions import db
    from portal.models import Community

    db.session.add_all(Community(area_id=area.id, name=f"Forum {i}", platform="forum", stage=stage)
                       for i, stage in enumerate(["identified", "identified", "approached", "partner"]))
    db.session.add(Community(area_id=area.id, name="Archived forum", platform="forum", status="archived"))
    db.session.commit()
    auth.login("officer")
    assert "4 communities" in client.get("/communities?q=forum").get_data(as_text=True)
    assert "2 communities" in client.get("/communities?q=forum&stage=identified").get_data(as_text=True)
    assert "0 communities" in client.get("/communities?q=forum&stage=two_way").get_data(as_text=True)
    assert "1 community" in client.get("/communities?q=forum&status=archived").get_data(as_text=True)


def test_page_links_skip_the_middle_of_long_listings():
    from portal.pagination import CappedPage

    listing = CappedPage(items=[], page=10, per_page=10, total=200, capped=False)
    assert list(listing.iter_pages()) == [1, 2, None, 8, 9, 10, 11, 12, 13, 14, None, 19, 20]
    assert (listing.pages, listing.prev_num, listing.next_num) == (20, 9, 11)
    first = CappedPage(items=[], page=1, per_page=10, total=30, capped=False)
    assert list(first.iter_pages()) == [1, 2, 3]
    assert (first.has_prev, first.has_next, first.prev_num, first.next_num) == (False, True, None, 2)
    empty = CappedPage(items=[], page=1, per_page=10, total=0, capped=False)
    assert (empty.pages, empty.has_next, list(empty.iter_pages())) == (0, False, [])
