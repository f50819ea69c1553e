"""area_tags: per-area tag counts for the community list's tag choices, kept by triggers

The list offered the tags in use in the officer's areas by reading every tag of every
active community there (3 ms for 2,000 communities). area_tags holds, per area and tag,
how many active communities carry it. Triggers keep it, so ORM writes, bulk inserts and
cascades all count: a tag added, removed or changed; a community moved to another area,
archived, merged, restored or deleted (its tags are taken out before the row goes, and a
tag deleted after its community is gone finds no community to count against).

Revision ID: 0016_area_tags
Revises: 0015_stage_tallies_all_areas
Create Date: 2026-12-02 07:50:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0016_area_tags'
down_revision = '0015_stage_tallies_all_areas'
branch_labels = None
depends_on = None

UPSERT = ("INSERT INTO area_tags (area_id, tag, communities) SELECT {area}, {tag}, {n} FROM {source} "
          "WHERE {where} ON CONFLICT (area_id, tag) DO UPDATE SET communities = area_tags.communities + {n}")

PG_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION community_tags_count_area_tags() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        {UPSERT.format(area="c.area_id", tag="OLD.tag", n=-1, source="communities c",
                       where="c.id = OLD.community_id AND c.status = 'active'")};
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        {UPSERT.format(area="c.area_id", tag="NEW.tag", n=1, source="communities c",
                       where="c.id = NEW.community_id AND c.status = 'active'")};
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION communities_count_area_tags() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'active' THEN
        {UPSERT.format(area="OLD.area_id", tag="t.tag", n=-1, source="community_tags t",
                       where="t.community_id = OLD.id")};
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.status = 'active' THEN
        {UPSERT.format(area="NEW.area_id", tag="t.tag", n=1, source="community_tags t",
                       where="t.community_id = NEW.id")};
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NULL END;
END;
$$ LANGUAGE plpgsql;
"""
PG_TRIGGERS = (
    "CREATE TRIGGER community_tags_count_area_tags AFTER INSERT OR UPDATE OR DELETE ON community_tags "
    "FOR EACH ROW EXECUTE FUNCTION community_tags_count_area_tags()",
    "CREATE TRIGGER communities_count_area_tags_update AFTER UPDATE OF area_id, status ON communities "
    "FOR EACH ROW WHEN (OLD.area_id IS DISTINCT FROM NEW.area_id OR OLD.status IS DISTINCT FROM NEW.status) "
    "EXECUTE FUNCTION communities_count_area_tags()",
    "CREATE TRIGGER communities_count_area_tags_delete BEFORE DELETE ON communities "
    "FOR EACH ROW EXECUTE FUNCTION communities_count_area_tags()",
)


def _sqlite_trigger(name: str, when: str, statements: list[str]) -> str:
    body = "".join(f"{statement};\n" for statement in statements)
    return f"CREATE TRIGGER {name} {when}\nBEGIN\n{body}END"


SQLITE_TRIGGERS = (
    _sqlite_trigger("community_tags_count_area_tags_insert", "AFTER INSERT ON community_tags", [
        UPSERT.format(area="c.area_id", tag="NEW.tag", n=1, source="communities c",
                      where="c.id = NEW.community_id AND c.status = 'active'")]),
    _sqlite_trigger("community_tags_count_area_tags_delete", "AFTER DELETE ON community_tags", [
        UPSERT.format(area="c.area_id", tag="OLD.tag", n=-1, source="communities c",
                      where="c.id = OLD.community_id AND c.status = 'active'")]),
    _sqlite_trigger("community_tags_count_area_tags_update", "AFTER UPDATE ON community_tags", [
        UPSERT.format(area="c.area_id", tag="OLD.tag", n=-1, source="communities c",
                      where="c.id = OLD.community_id AND c.status = 'active'"),
        UPSERT.format(area="c.area_id", tag="NEW.tag", n=1, source="communities c",
                      where="c.id = NEW.community_id AND c.status = 'active'")]),
    _sqlite_trigger("communities_count_area_tags_update", "AFTER UPDATE OF area_id, status ON communities "
                    "WHEN OLD.area_id IS NOT NEW.area_id OR OLD.status IS NOT NEW.status", [
        UPSERT.format(area="OLD.area_id", tag="t.tag", n=-1, source="community_tags t",
                      where="t.community_id = OLD.id AND OLD.status = 'active'"),
        UPSERT.format(area="NEW.area_id", tag="t.tag", n=1, source="community_tags t",
                      where="t.community_id = NEW.id AND NEW.status = 'active'")]),
    _sqlite_trigger("communities_count_area_tags_delete", "BEFORE DELETE ON communities", [
        UPSERT.format(area="OLD.area_id", tag="t.tag", n=-1, source="community_tags t",
                      where="t.community_id = OLD.id AND OLD.status = 'active'")]),
)
SQLITE_TRIGGER_NAMES = ("community_tags_count_area_tags_insert", "community_tags_count_area_tags_delete",
                        "community_tags_count_area_tags_update", "communities_count_area_tags_update",
                        "communities_count_area_tags_delete")


def upgrade():
    op.create_table(
        'area_tags',
        sa.Column('area_id', sa.Integer(), nullable=False),
        sa.Column('tag', sa.String(length=60), nullable=False),
        sa.Column('communities', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_area_tags_area_id_areas')),
        sa.PrimaryKeyConstraint('area_id', 'tag', name=op.f('pk_area_tags')),
    )
    op.execute("INSERT INTO area_tags (area_id, tag, communities) "
               "SELECT c.area_id, t.tag, COUNT(*) FROM community_tags t JOIN communities c ON c.id = t.community_id "
               "WHERE c.status = 'active' GROUP BY c.area_id, t.tag")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTIONS)
        for statement in PG_TRIGGERS:
            op.execute(statement)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS community_tags_count_area_tags ON community_tags")
        op.execute("DROP TRIGGER IF EXISTS communities_count_area_tags_update ON communities")
        op.execute("DROP TRIGGER IF EXISTS communities_count_area_tags_delete ON communities")
        op.execute("DROP FUNCTION IF EXISTS community_tags_count_area_tags()")
        op.execute("DROP FUNCTION IF EXISTS communities_count_area_tags()")
    else:
        for name in SQLITE_TRIGGER_NAMES:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table('area_tags')
