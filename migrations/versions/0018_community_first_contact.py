"""communities.first_contact_at: each community's first outbound contact that went out, kept by triggers

The research charts that count from a community's first contact (trajectories, activity
around the first contact) found it by reading every outbound contact and taking the
minimum per community: at 100,000 communities that is a million contacts and about half a
second of each chart. first_contact_at holds it on the community. Triggers keep it, so ORM
writes, bulk inserts (COPY) and moves all count: a contact logged, edited (time, direction,
review status) or moved to another community when two are merged, or deleted.

"Went out" is the contact's review status not being held, sent back or refused
(portal.models.outreach.NOT_CLEARED, copied here: a migration must not change with the app).

On PostgreSQL the triggers run once per statement, over its transition tables, so a COPY
of a million contacts costs one UPDATE; on SQLite they run per row.

Revision ID: 0018_community_first_contact
Revises: 0017_community_search_text
Create Date: 2026-12-02 17:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0018_community_first_contact'
down_revision = '0017_community_search_text'
branch_labels = None
depends_on = None

NOT_CLEARED = ("changes_requested", "held", "rejected")
WENT_OUT = "{row}.direction = 'outbound' AND {row}.review_status NOT IN ({statuses})".format(
    row="{row}", statuses=", ".join(f"'{status}'" for status in NOT_CLEARED))
# The first contact of community `{community}`, from its contacts (ix_contacts_community_time).
FIRST_OF = ("(SELECT MIN(o.occurred_at) FROM outreach_contacts o WHERE o.community_id = {community} AND "
            + WENT_OUT.format(row="o") + ")")
RELEVANT = ("community_id", "occurred_at", "direction", "review_status")
# Contacts of an UPDATE whose change can move a first contact: their community before and after.
CHANGED = ("SELECT o.community_id AS old_id, n.community_id AS new_id "
           "FROM old_contacts o JOIN new_contacts n ON n.id = o.id "
           f"WHERE ({', '.join(f'o.{c}' for c in RELEVANT)}) IS DISTINCT FROM ({', '.join(f'n.{c}' for c in RELEVANT)})")
# Recount the communities that `{touched}` (a query of community ids) names, each first contact
# computed once and written only where it changed.
RECOUNT = ("UPDATE communities c SET first_contact_at = f.first FROM (SELECT t.community_id, "
           + FIRST_OF.format(community="t.community_id") + " AS first FROM ({touched}) t (community_id)) f "
           "WHERE c.id = f.community_id AND c.first_contact_at IS DISTINCT FROM f.first")

PG_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION outreach_contacts_first_contact_insert() RETURNS trigger AS $$
BEGIN
    UPDATE communities c SET first_contact_at = n.first
    FROM (SELECT community_id, MIN(occurred_at) AS first FROM new_contacts
          WHERE {WENT_OUT.format(row="new_contacts")} GROUP BY community_id) n
    WHERE c.id = n.community_id AND (c.first_contact_at IS NULL OR c.first_contact_at > n.first);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION outreach_contacts_first_contact_update() RETURNS trigger AS $$
BEGIN
    WITH changed AS ({CHANGED})
    {RECOUNT.format(touched="SELECT old_id FROM changed UNION SELECT new_id FROM changed")};
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION outreach_contacts_first_contact_delete() RETURNS trigger AS $$
BEGIN
    {RECOUNT.format(touched="SELECT DISTINCT community_id FROM old_contacts")};
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""
PG_TRIGGERS = (
    "CREATE TRIGGER outreach_contacts_first_contact_insert AFTER INSERT ON outreach_contacts "
    "REFERENCING NEW TABLE AS new_contacts FOR EACH STATEMENT "
    "EXECUTE FUNCTION outreach_contacts_first_contact_insert()",
    "CREATE TRIGGER outreach_contacts_first_contact_update AFTER UPDATE ON outreach_contacts "
    "REFERENCING OLD TABLE AS old_contacts NEW TABLE AS new_contacts FOR EACH STATEMENT "
    "EXECUTE FUNCTION outreach_contacts_first_contact_update()",
    "CREATE TRIGGER outreach_contacts_first_contact_delete AFTER DELETE ON outreach_contacts "
    "REFERENCING OLD TABLE AS old_contacts FOR EACH STATEMENT "
    "EXECUTE FUNCTION outreach_contacts_first_contact_delete()",
)
PG_NAMES = ("outreach_contacts_first_contact_insert", "outreach_contacts_first_contact_update",
            "outreach_contacts_first_contact_delete")


def _recount(*communities: str) -> str:
    return (f"UPDATE communities SET first_contact_at = {FIRST_OF.format(community='communities.id')} "
            f"WHERE id IN ({', '.join(communities)})")


SQLITE_TRIGGERS = (
    "CREATE TRIGGER outreach_contacts_first_contact_insert AFTER INSERT ON outreach_contacts "
    f"WHEN {WENT_OUT.format(row='NEW')}\nBEGIN\n"
    "UPDATE communities SET first_contact_at = NEW.occurred_at WHERE id = NEW.community_id "
    "AND (first_contact_at IS NULL OR first_contact_at > NEW.occurred_at);\nEND",
    f"CREATE TRIGGER outreach_contacts_first_contact_update AFTER UPDATE OF {', '.join(RELEVANT)} "
    "ON outreach_contacts\nBEGIN\n" + _recount("OLD.community_id", "NEW.community_id") + ";\nEND",
    "CREATE TRIGGER outreach_contacts_first_contact_delete AFTER DELETE ON outreach_contacts\nBEGIN\n"
    + _recount("OLD.community_id") + ";\nEND",
)


def upgrade():
    op.add_column('communities', sa.Column('first_contact_at', sa.DateTime(), nullable=True))
    op.execute(f"UPDATE communities SET first_contact_at = {FIRST_OF.format(community='communities.id')}")
    op.create_index('ix_communities_first_contact', 'communities', ['first_contact_at'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTIONS)
        for statement in PG_TRIGGERS:
            op.execute(statement)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade():
    for name in PG_NAMES:  # the triggers have the same names on both
        op.execute(f"DROP TRIGGER IF EXISTS {name}"
                   + (" ON outreach_contacts" if op.get_bind().dialect.name == "postgresql" else ""))
    if op.get_bind().dialect.name == "postgresql":
        for name in PG_NAMES:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    op.drop_index('ix_communities_first_contact', table_name='communities')
    op.drop_column('communities', 'first_contact_at')
