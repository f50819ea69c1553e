"""Indexes for scale, declared apart from the models they serve (see docs/DEPLOY.md, tests/portal/test_query_plans.py).

- Trigram (pg_trgm) GIN indexes make the catalogue's "name or address contains…"
  search an index lookup across a whole force (ILIKE '%q%' cannot use a b-tree).
  On SQLite they are ordinary indexes on the same columns.
- An officer's latest contacts (start page, "recent communities") read
  (officer_id, occurred_at) newest first instead of sorting all of the officer's contacts.
- The community list's per-stage counts (which are also its total) read an area's
  communities from (area_id, status) with id, stage, name and url included: an index-only
  scan instead of a visit to every community's row. On SQLite the included columns are left
  out (SQLite has no INCLUDE). (The tags in use come from area_tags, kept by triggers.)
"""
from sqlalchemy import Index

from portal.models.communities import Community
from portal.models.outreach import OutreachContact

TRIGRAM_INDEXES = (
    Index("ix_communities_name_trgm", Community.name,
          postgresql_using="gin", postgresql_ops={"name": "gin_trgm_ops"}),
    Index("ix_communities_url_trgm", Community.url,
          postgresql_using="gin", postgresql_ops={"url": "gin_trgm_ops"}),
)
ix_communities_area_listing = Index(
    "ix_communities_area_listing", Community.area_id, Community.status,
    postgresql_include=["id", "stage", "name", "url"])
ix_contacts_officer_time = Index("ix_contacts_officer_time", OutreachContact.officer_id, OutreachContact.occurred_at)
