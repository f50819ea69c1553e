"""The demo copy each research test gets (tests/demo_snapshot.py) is the demo as loaded, whatever a test did to it."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Community, CommunityTag, User
from tests.demo_snapshot import provide, restore


def _everything() -> dict[str, object]:
    """Every row of every table in key order, the search index and the sequences' positions."""
    with db.engine.connect() as conn:
        seen: dict[str, object] = {table.name: conn.execute(select(table).order_by(*table.primary_key.columns)).all()
                                   for table in db.metadata.sorted_tables}
        if conn.dialect.name == "sqlite":
            seen["search"] = conn.exec_driver_sql(
                "SELECT rowid FROM communities_search WHERE communities_search MATCH 'Lew' ORDER BY rowid").all()
        else:
            seen["sequences"] = conn.exec_driver_sql(
                "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = current_schema() "
                "ORDER BY sequencename").all()
    return seen


def _change_the_demo() -> None:
    """What a test might do: add a user, rename a community (its search entry too), drop a tag."""
    db.session.add(User(email="extra@tests.example.org", display_name="Extra", role="officer"))
    community = db.session.scalars(select(Community).where(Community.name.like("Lewes%"))).first()
    community.name = "Renamed by a test"
    db.session.delete(db.session.scalars(select(CommunityTag)).first())
    db.session.commit()


def test_a_copy_written_over_a_changed_demo_gives_back_the_demo_as_loaded(app, users):
    kept: dict = {}
    provide(db, users, kept)  # loads the demo for real and keeps a copy
    loaded = _everything()
    assert loaded["communities"], "the demo loaded nothing"

    _change_the_demo()
    assert _everything() != loaded
    restore(db, kept[str(db.engine.url)])  # what the next test's `demo` does
    db.session.expire_all()
    assert _everything() == loaded


def test_a_database_not_as_the_fixtures_left_it_is_refused_and_kept(app, users):
    """A fixture that wrote before `demo` would lose its rows to the copy: the copy refuses instead."""
    kept: dict = {}
    provide(db, users, kept)
    db.session.add(User(email="early@tests.example.org", display_name="Early", role="officer"))
    db.session.commit()
    written = _everything()

    with pytest.raises(AssertionError, match="before `demo`"):
        provide(db, users, kept)
    assert _everything() == written
