"""Indexes for scale, declared apart from the models they serve (see docs/DEPLOY.md, tests/portal/test_query_plans.py).

- A trigram (pg_trgm) GIN index on search_text (name and address, lower-cased) makes the
  catalogue's "contains…" search an index lookup across a whole force (LIKE '%q%' cannot
  use a b-tree). On SQLite it is an ordinary index on the same column.
- An officer's latest contacts (start page, "recent communities") read
  (officer_id, occurred_at) newest first instead of sorting all of the officer's contacts.
- The community list reads an area's communities from (area_id, status, name, id) with stage
  and search_text included: its per-stage counts (which are also its total) and its page's
  ids, in name order, come from an index-only scan instead of a visit to every community's
  row; only the page's own rows are read. On SQLite the included columns are left out
  (SQLite has no INCLUDE). (The tags in use come from area_tags, kept by triggers.)
- A force-wide search for a common word walks the active communities in name order, with the
  area, stage and search text in the index, and stops at its page's last match instead of
  reading and sorting every match (migration 0035; ``queries.catalogue_keys`` with ``many``).
"""
from sqlalchemy import Index, text

from portal.models.communities import Community
from portal.models.outreach import OutreachContact

TRIGRAM_INDEXES = (
    Index("ix_communities_search_trgm", Community.search_text,
          postgresql_using="gin", postgresql_ops={"search_text": "gin_trgm_ops"}),
)
ix_communities_area_listing = Index(
    "ix_communities_area_listing", Community.area_id, Community.status, Community.name, Community.id,
    postgresql_include=["stage", "search_text"])
ix_communities_active_by_name = Index(
    "ix_communities_active_by_name", Community.name, Community.id, Community.area_id, Community.stage,
    Community.search_text, Community.status,
    postgresql_where=text("status = 'active' AND (search_text || '') IS NOT NULL"),
    sqlite_where=text("status = 'active' AND (search_text || '') IS NOT NULL"))
ix_contacts_officer_time = Index("ix_contacts_officer_time", OutreachContact.officer_id, OutreachContact.occurred_at)
