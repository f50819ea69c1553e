"""Indexes for scale, declared apart from the models they serve (see docs/DEPLOY.md, tests/portal/test_query_plans.py).

- Trigram (pg_trgm) GIN indexes make the catalogue's "name or address contains…"
  search an index lookup across a whole force (ILIKE '%q%' cannot use a b-tree).
  On SQLite they are ordinary indexes on the same columns.
- An officer's latest contacts (start page, "recent communities") read
  (officer_id, occurred_at) newest first instead of sorting all of the officer's contacts.
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
ix_contacts_officer_time = Index("ix_contacts_officer_time", OutreachContact.officer_id, OutreachContact.occurred_at)
