"""The portal plus a bare Flask "ceiling" page, served by the same gunicorn processes.

``gunicorn -c gunicorn.conf.py benchmarks.bench_wsgi:app``: /_ceiling/ renders a 50-row
table from a Jinja template with no database, no session and no security hooks, i.e.
the fastest a page can be on this server with these settings. With BENCH_REPLAY_FILE set,
/_replay/<path> runs the SQL a portal page ran (captured by sql_replay.py) on raw psycopg and
renders the same template: the fastest that page can be. Everything else is the portal
itself. Used by benchmarks/web_load.py; never deploy it.
"""
from __future__ import annotations

import os

from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from wsgi import app as portal_app

ceiling = Flask("ceiling")
ROWS = [{"id": n, "name": f"Community {n}", "platform": "forum", "stage": "two_way",
         "last": f"2026-01-{n % 28 + 1:02d}"} for n in range(50)]
PAGE = ceiling.jinja_env.from_string("""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Ceiling</title></head><body>
<table><thead><tr><th>Name</th><th>Platform</th><th>Stage</th><th>Last contact</th></tr></thead><tbody>
{% for row in rows %}<tr><td><a href="/communities/{{ row.id }}">{{ row.name }}</a></td><td>{{ row.platform }}</td>
<td>{{ row.stage }}</td><td>{{ row.last }}</td></tr>
{% endfor %}</tbody></table></body></html>""")


@ceiling.get("/")
def page():
    return PAGE.render(rows=ROWS)


mounts = {"/_ceiling": ceiling}
if os.environ.get("BENCH_REPLAY_FILE"):
    from benchmarks.sql_replay import make_app

    mounts["/_replay"] = make_app(os.environ["BENCH_REPLAY_FILE"], PAGE, ROWS)
app = DispatcherMiddleware(portal_app, mounts)
