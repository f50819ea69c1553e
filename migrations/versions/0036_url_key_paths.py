"""communities.url_key: paths normalised as portal.urlkeys.url_key now reads them

url_key used to keep a path's dot segments, empty segments and percent-escapes as typed, so one
page typed two ways ("/a/./b/../c" and "/a/c", "café" and "caf%C3%A9") had two keys and the
catalogue's duplicate check and the "share a link" look-up missed it. url_key now removes dot
segments (RFC 3986 §5.2.4) and empty ones, and normalises escapes (an escaped letter, digit or
"-._~" is decoded, other escapes keep upper-case hex, other characters are escaped as UTF-8).

Each stored key is recomputed here from the key itself: its host part (already folded and, for
the demo's sample web, aliased) is kept, and its path is normalised by a copy of
portal.urlkeys.normal_path (a migration must not change with the app). The stored path was
lower-cased, which changes only the case of hex digits and letters, so the result is the key the
application now computes from the address (a key cut at 1,000 characters is normalised as cut).
Keys without a path, and keys already normal, are not written.

Downgrade keeps the normalised keys: the earlier code reads them as it reads any stored key, and
the form they were typed in is not kept anywhere but in communities.url.

Revision ID: 0036_url_key_paths
Revises: 0034_reviews_author_unseen
Create Date: 2026-12-07 22:30:00

"""
import re
from urllib.parse import quote

import sqlalchemy as sa
from alembic import op

revision = '0036_url_key_paths'
down_revision = '0035_communities_active_by_name'
branch_labels = None
depends_on = None

BATCH = 5000
MAX_KEY_CHARS = 1000
# A copy of portal.urlkeys' path normalisation as of this revision.
_ESCAPES = re.compile(r"(?:%[0-9A-Fa-f]{2})+|%")
_RESERVED = frozenset(":/?#[]@!$&'()*+,;=%")
_PATH_SAFE = "/:@!$&'()*+,;=%"
_LOWER_ESCAPE = re.compile(r"%[0-9a-f]{2}")
_CUT_ESCAPE = re.compile(r"%[0-9A-F]?$")


def _escape(byte):
    return f"%{byte:02X}"


def _decode(match):
    run = match.group()
    if run == "%":
        return "%25"
    text = bytes.fromhex(run.replace("%", "")).decode("utf-8", "surrogateescape")
    return "".join(_escape(ord(c) - 0xDC00) if "\udc80" <= c <= "\udcff" else _escape(ord(c)) if c in _RESERVED
                   else c for c in text)


def _remove_dot_segments(path):
    kept = []
    for segment in path.split("/"):
        if segment == "..":
            if kept:
                kept.pop()
        elif segment != ".":
            kept.append(segment)
    return "".join("/" + segment for segment in kept if segment)


def normal_key(key):
    """The stored key with its path normalised (the host part as stored)."""
    host, slash, path = key.partition("/")
    if not slash:
        return key
    decoded = _ESCAPES.sub(_decode, "/" + path).lower()
    quoted = quote(_remove_dot_segments(decoded), safe=_PATH_SAFE, errors="surrogatepass")
    normal = _LOWER_ESCAPE.sub(lambda m: m.group().upper(), quoted)
    return _CUT_ESCAPE.sub("", f"{host}{normal}"[:MAX_KEY_CHARS]).rstrip("/")


def upgrade():
    conn = op.get_bind()
    communities = sa.table('communities', sa.column('id'), sa.column('url_key'))
    last = 0
    while True:
        rows = conn.execute(sa.select(communities.c.id, communities.c.url_key)
                            .where(communities.c.id > last, communities.c.url_key.like('%/%'))
                            .order_by(communities.c.id).limit(BATCH)).all()
        if not rows:
            break
        changed = [{"row_id": i, "key": normal_key(key)} for i, key in rows if normal_key(key) != key]
        if changed:
            conn.execute(communities.update().where(communities.c.id == sa.bindparam('row_id'))
                         .values(url_key=sa.bindparam('key')), changed)
        last = rows[-1][0]


def downgrade():
    pass
