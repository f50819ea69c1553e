"""A realistic large data set, fast: ``flask demo --scale N``.

N communities spread over 50 areas, each with ~10 outreach contacts and ~20 stage
changes and activity samples, plus officers, tags, feeds and assessments, written
with bulk inserts: PostgreSQL COPY (psycopg) on PostgreSQL, executemany batches of
SQLAlchemy Core inserts elsewhere. Deterministic for a given seed. Every address is
under the reserved .example domain; no name belongs to a real group or person.
"""
from __future__ import annotations

import json
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import groupby
from typing import Any

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.engine import Connection

from portal import stage_tallies
from portal.extensions import db
from portal.models import (
    CHANNELS, OUTCOMES, PLATFORMS, PURPOSES, STAGE_PATH, ActivitySample, Area, Assessment, Community,
    CommunityTag, Feed, OutreachContact, StageChange, User, user_areas, utcnow,
)
from portal.models.communities import search_text_of

AREAS = 50
FEED_SHARE = 0.7
CHUNK = 2000  # communities generated and written per round (bounded memory)
PLACES = ("Ashcombe", "Barrow Hill", "Castleford", "Dunmere", "Eastgate", "Fairlight", "Greystone",
          "Harbourside", "Ivydene", "Juniper Vale", "Kingsmead", "Longbridge", "Millbrook", "Northfield",
          "Oakhurst", "Pinewood", "Queensway", "Riverside", "Southview", "Thornbury", "Upton Park",
          "Valley End", "Westcliff", "Yew Tree", "Zion Hill")
KINDS = ("Residents' Forum", "Community Noticeboard", "Parents Group", "Allotment Society", "Neighbours",
         "Traders Association", "Running Club", "Youth Club", "Book Club", "Church Hall Users",
         "Mosque Community", "Food Bank Volunteers", "Dog Walkers", "Cycle Club", "History Society",
         "Gardening Club", "Tenants Association", "Friends of the Park", "Litter Pickers", "Mums and Tots")
TAGS = ("residents", "families", "traders", "faith", "youth", "older-people", "sport", "environment",
        "housing", "village", "town", "volunteers")
MESSAGES = ("Hello from your neighbourhood policing team. We'd like to hear what matters to you.",
            "Our next beat surgery is on Saturday at the library, 10am to midday. Come and say hello.",
            "Thanks for having us at your meeting. Here is the summary of what we agreed.",
            "A reminder about bike marking at the station car park this week.")


@dataclass
class ScaleResult:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


class _Writer:
    """Bulk-write dict rows to a table: COPY on PostgreSQL, executemany batches elsewhere."""

    def __init__(self, conn: Connection, batch: int = 5000) -> None:
        self.conn, self.batch = conn, batch
        self.postgres = conn.dialect.name == "postgresql"
        self.counts: dict[str, int] = {}

    def write(self, table: Table, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)
        if not self.postgres:
            for start in range(0, len(rows), self.batch):
                self.conn.execute(insert(table), rows[start:start + self.batch])
            return
        columns = list(rows[0])
        json_columns = {c.name for c in table.columns if c.type.__class__.__name__ == "JSON"}
        cursor = stage_tallies.copy_cursor(self.conn)
        quoted = ", ".join(f'"{c}"' for c in columns)
        with cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([json.dumps(row[c]) if c in json_columns else row[c] for c in columns])


def _next_id(conn: Connection, table: Table) -> int:
    return (conn.scalar(select(func.max(table.c.id))) or 0) + 1


def generate(communities: int, *, areas: int = AREAS, contacts_per: int = 10, events_per: int = 20,
             seed: int = 1, progress: Callable[[str], None] | None = None) -> ScaleResult:
    """Add ``communities`` communities (and their history) across ``areas`` scale areas."""
    started = time.perf_counter()
    rng = random.Random(seed)
    say = progress or (lambda _msg: None)
    area_ids, officers = _areas_and_officers(areas)
    conn = db.session.connection()
    writer = _Writer(conn)
    ids = {t: _next_id(conn, t.__table__) for t in (Community, OutreachContact, StageChange, Feed,
                                                     ActivitySample, Assessment)}
    now = utcnow().replace(microsecond=0)
    done = 0
    with stage_tallies.bulk(conn) as add_tallies:
        while done < communities:
            size = min(CHUNK, communities - done)
            rows = _chunk(rng, size, ids, area_ids, officers, now, contacts_per, events_per)
            for model, chunk_rows in rows:
                writer.write(model if isinstance(model, Table) else model.__table__, chunk_rows)
            add_tallies(_tallies(dict(rows)))
            done += size
            say(f"{done} / {communities} communities")
    if writer.postgres:
        for model in ids:
            name = model.__tablename__
            # Table names come from our models, never from input.
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608
                              f"(SELECT COALESCE(MAX(id), 1) FROM \"{name}\"))"))
    db.session.commit()
    if writer.postgres:  # fresh statistics, or the planner guesses from an empty table
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as auto:
            # Chunk by chunk the tallies' rows were scattered over the table; a funnel reads one key range.
            auto.execute(text("CLUSTER stage_tallies USING pk_stage_tallies"))
            for name in ("communities", "community_tags", "outreach_contacts", "stage_changes",
                         "activity_samples", "feeds", "assessments", "users", "user_areas", "areas",
                         "stage_tallies", "area_tags"):  # area_tags: one update per tag inserted (its trigger)
                # VACUUM as well: autovacuum would soon, and until then no index-only scan is possible.
                auto.execute(text(f'VACUUM ANALYZE "{name}"'))
    return ScaleResult(counts=writer.counts, seconds=time.perf_counter() - started)


def _tallies(rows: dict) -> Counter:
    """The research funnel's tallies for a chunk's communities (written with COPY, so no flush keeps them)."""
    communities = {c["id"]: (c["area_id"], c["platform"]) for c in rows[Community] if c["status"] != "merged"}
    out: Counter = Counter()
    ordered = sorted(rows[StageChange], key=lambda r: (r["community_id"], r["changed_at"], r["id"]))
    for cid, group in groupby(ordered, key=lambda r: r["community_id"]):
        if cid in communities:
            out.update(stage_tallies.community_tallies(*communities[cid], ((r["changed_at"], r["to_stage"])
                                                                           for r in group)))
    return out


def _areas_and_officers(count: int) -> tuple[list[int], dict[int, list[int]]]:
    """Get or create the scale areas and three officers and a supervisor for each."""
    area_ids: list[int] = []
    officers: dict[int, list[int]] = {}
    for number in range(1, count + 1):
        slug = f"scale-{number:02d}"
        area = Area.by_slug(slug)
        if area is None:
            place = PLACES[(number - 1) % len(PLACES)]
            area = Area(slug=slug, name=f"{place} sector {number:02d} (scale data)",
                        profile={"name": f"{place} sector {number:02d}", "places": [{"name": place}]})
            db.session.add(area)
            db.session.flush()
            for suffix, role in (("a", "officer"), ("b", "officer"), ("c", "officer"), ("s", "supervisor")):
                # No password: these accounts exist to own records; an admin can invite them.
                user = User(email=f"{slug}-{suffix}@scale.example", role=role,
                            display_name=f"{role.title()} {number:02d}{suffix}")
                user.areas.append(area)
                db.session.add(user)
            db.session.flush()
        area_ids.append(area.id)
        officers[area.id] = list(db.session.scalars(
            select(User.id).join(user_areas).where(user_areas.c.area_id == area.id, User.role == "officer")
            .order_by(User.id))) or [_any_user_id()]
    return area_ids, officers


def _any_user_id() -> int:
    return db.session.execute(select(User.id).order_by(User.id).limit(1)).scalar_one()  # a scale run needs a user


def _take(ids: dict, model) -> int:
    value = ids[model]
    ids[model] = value + 1
    return value


def _chunk(rng: random.Random, size: int, ids: dict, area_ids: list[int], officers: dict[int, list[int]],
           now: datetime, contacts_per: int, events_per: int) -> list[tuple[Any, list[dict]]]:
    out: dict[Any, list[dict]] = {m: [] for m in (Community, CommunityTag, Feed, OutreachContact,
                                                  StageChange, ActivitySample, Assessment)}
    for _ in range(size):
        cid = _take(ids, Community)
        area_id = area_ids[cid % len(area_ids)]
        officer = rng.choice(officers[area_id])
        created = now - timedelta(days=rng.randint(30, 900), minutes=rng.randint(0, 1440))
        name = f"{rng.choice(PLACES)} {rng.choice(KINDS)} {cid}"
        url = f"https://c{cid}.{name.split()[0].lower()}.example/"
        platform = rng.choice(PLATFORMS)
        # Stage history: a walk along the main path, sometimes ending on a branch.
        reached = rng.choices(range(len(STAGE_PATH)), weights=(30, 25, 20, 15, 10))[0]
        path = list(STAGE_PATH[:reached + 1])
        if rng.random() < 0.15:
            path.append(rng.choice(("declined", "dormant", "hostile")))
        n_contacts = max(1, contacts_per + rng.randint(-contacts_per // 2, contacts_per // 2))
        times = sorted(created + timedelta(days=rng.uniform(1, max(2, (now - created).days)))
                       for _ in range(n_contacts))
        times = [t.replace(microsecond=0) for t in times]
        contact_ids = []
        for index, when in enumerate(times):
            contact_id = _take(ids, OutreachContact)
            contact_ids.append(contact_id)
            last = index == len(times) - 1
            follow = (when + timedelta(days=14)).date() if rng.random() < 0.4 else None
            out[OutreachContact].append({
                "id": contact_id, "community_id": cid, "officer_id": officer, "occurred_at": when,
                "channel": rng.choice(CHANNELS), "direction": "inbound" if rng.random() < 0.2 else "outbound",
                "purpose": rng.choice(PURPOSES), "message_text": rng.choice(MESSAGES), "link": None,
                "outcome": rng.choice(OUTCOMES), "reach_views": rng.randint(0, 800) if rng.random() < 0.5 else None,
                "reach_replies": None, "reach_reactions": None, "follow_up_on": follow,
                "follow_up_closed_at": None if last or follow is None else times[index + 1],
                "review_status": "none", "template_id": None, "created_at": when, "updated_at": when,
            })
        stage_times = [created] + sorted(rng.sample(times, min(len(path) - 1, len(times))))
        previous = None
        for stage, when in zip(path, stage_times, strict=False):
            out[StageChange].append({
                "id": _take(ids, StageChange), "community_id": cid, "from_stage": previous, "to_stage": stage,
                "changed_at": when, "changed_by_id": officer, "evidence_contact_id": None, "note": None,
            })
            previous = stage
        stage_at = stage_times[min(len(path), len(stage_times)) - 1]
        # ~70% publish a feed; those carry the rest of the ~events_per history as weekly samples.
        samples = max(0, round((events_per - len(path)) / FEED_SHARE))
        rate = round(rng.uniform(0.2, 30), 1)
        feed_id = None
        if samples and rng.random() < FEED_SHARE:
            feed_id = _take(ids, Feed)
            out[Feed].append({
                "id": feed_id, "community_id": cid, "url": url + "feed/", "kind": "rss", "title": name,
                "is_primary": True, "etag": None, "last_modified": None, "last_polled_at": now,
                "next_poll_at": now + timedelta(hours=rng.randint(1, 48)), "last_error": None,
                "items": rng.randint(10, 2000), "last_item_at": now - timedelta(days=rng.randint(0, 30)),
                "items_per_week": rate, "created_at": created, "updated_at": now,
            })
        for week in range(samples if feed_id else 0):
            out[ActivitySample].append({
                "id": _take(ids, ActivitySample), "community_id": cid, "feed_id": feed_id,
                "sampled_at": now - timedelta(weeks=samples - week), "items_per_week": round(rate * rng.uniform(0.5, 1.5), 1),
                "items_total": None, "last_item_at": None,
            })
        if path[-1] in {"acknowledged", "two_way", "partner"}:
            out[Assessment].append({
                "id": _take(ids, Assessment), "community_id": cid, "assessed_by_id": officer,
                "assessed_at": times[-1], "trust": rng.randint(1, 5), "reciprocity": rng.randint(1, 5),
                "reach": rng.randint(1, 5), "note": None,
            })
        for tag in rng.sample(TAGS, rng.randint(0, 3)):
            out[CommunityTag].append({"community_id": cid, "tag": tag})
        out[Community].append({
            "id": cid, "area_id": area_id, "name": name, "url": url, "url_key": url[8:-1],
            "search_text": search_text_of(name, url),
            "platform": platform, "description": f"Scale data: {name}.", "access": "public",
            "gatekeeper_role": None, "house_rules": None, "police_welcome": rng.choice(("unknown", "yes", "no")),
            "audience_size": rng.randint(20, 20000), "status": "archived" if rng.random() < 0.03 else "active",
            "merged_into_id": None, "provenance": rng.choice(("officer", "crawl")), "crawl_run_id": None,
            "created_by_id": officer, "owner_id": officer, "stage": path[-1], "stage_changed_at": stage_at,
            "last_contact_at": times[-1], "stay_in_touch_days": rng.choice((None, 30, 60, 90)),
            "items_per_week": rate if feed_id else None, "last_item_at": None, "locality_score": None,
            "archived_at": None, "created_at": created, "updated_at": times[-1],
        })
    # Parents before children (foreign keys are checked row by row on SQLite).
    return [(Community, out[Community]), (CommunityTag, out[CommunityTag]), (Feed, out[Feed]),
            (OutreachContact, out[OutreachContact]), (StageChange, out[StageChange]),
            (ActivitySample, out[ActivitySample]), (Assessment, out[Assessment])]

