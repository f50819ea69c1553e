"""Benchmark the daily digest: queue and send one digest to each of N officers through a real SMTP server.

    .venv/bin/python benchmarks/notices_digest_bench.py [--officers 300] [--follow-ups 3]

Builds a fresh SQLite database in a temporary folder (migrated), N officers with their due and
overdue follow-ups, and an aiosmtpd server on loopback; then times `queue_digests` (finding each
officer's due follow-ups and recording the notices) and the delivery of every notice (one SMTP
session each, jobs run inline). Prints the figures; asserts nothing about time.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--officers", type=int, default=300)
    parser.add_argument("--follow-ups", type=int, default=3)
    args = parser.parse_args()

    from flask_migrate import upgrade

    from portal import create_app
    from portal.areas import import_area
    from portal.extensions import db
    from portal.models import Community, Notification, OutreachContact, User
    from portal.notices.digest import queue_digests
    from portal.notices.services import dispatch_queued
    from tests.conftest import base_config
    from tests.notices_support import SmtpSink

    smtp = SmtpSink()
    with tempfile.TemporaryDirectory() as folder:
        config = base_config(f"sqlite:///{Path(folder) / 'bench.sqlite'}", Path(folder))
        config.update(NOTIFY_BACKEND="smtp", MAIL_HOST="127.0.0.1", MAIL_PORT=smtp.port,
                      PUBLIC_URL="https://reach.example.police.uk", TESTING=False)
        app = create_app(config)
        today = date.today()
        with app.app_context():
            upgrade(directory=app.extensions["migrate"].directory)
            area, _ = import_area({"name": "Bench Town", "places": ["Lewes"]}, slug="bench-town")
            db.session.flush()
            community = Community(area_id=area.id, name="Bench Forum", platform="forum")
            db.session.add(community)
            db.session.flush()
            for n in range(args.officers):
                officer = User(email=f"pc{n}@bench.example", display_name=f"PC {n}", role="officer")
                db.session.add(officer)
                db.session.flush()
                db.session.add_all(OutreachContact(community_id=community.id, officer_id=officer.id,
                                                   channel="comment", purpose="inform",
                                                   follow_up_on=today - timedelta(days=k))
                                   for k in range(args.follow_ups))
            db.session.commit()
            started = time.perf_counter()
            queued = queue_digests(today)
            queue_seconds = time.perf_counter() - started
            started = time.perf_counter()
            dispatch_queued()
            send_seconds = time.perf_counter() - started
            sent = db.session.query(Notification).filter_by(status="sent").count()
        smtp.stop()
    print(f"officers: {args.officers}, follow-ups each: {args.follow_ups}")
    print(f"queue_digests: {queued} digests in {queue_seconds:.2f} s ({1000 * queue_seconds / max(queued, 1):.1f} ms each)")
    print(f"delivery (inline jobs, one SMTP session each): {sent} sent in {send_seconds:.2f} s "
          f"({1000 * send_seconds / max(sent, 1):.1f} ms each); SMTP server received {len(smtp.messages)}")


if __name__ == "__main__":
    main()
