"""guidance_rule_set: a stamp that changes with every write to guidance_rules

The message check read all of guidance_rules (49 rows, 5,000 characters of patterns) for every
message it checked: every quick-log POST, every live check while an officer types. A web worker
now keeps the rules it read and reuses them while this one-row table's stamp is unchanged; a
trigger gives the stamp a new random value in the same transaction as any INSERT, UPDATE or
DELETE of guidance_rules (whatever writes it: the rules pages, `flask guidance seed`, a
migration, SQL by hand), so a rule edit takes effect in every worker at its next check.

The stamp is random, not a counter: a counter would come back to a value a worker has cached
after a rolled-back edit, a restored backup or a table emptied by the tests, with other rules
behind it. The row is written by an upsert, so a missing row (the tests' cleanup deletes every
table's rows) comes back with the first write.

Revision ID: 0038_guidance_rule_set_stamp
Revises: 0037_research_releases
Create Date: 2026-12-08 01:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0038_guidance_rule_set_stamp'
down_revision = '0037_research_releases'
branch_labels = None
depends_on = None

# 2**53 - 1: the stamp stays exact wherever it is read (JSON, JavaScript) should anyone show it.
PG_FUNCTION = """
CREATE OR REPLACE FUNCTION guidance_rules_stamp() RETURNS trigger AS $$
BEGIN
    INSERT INTO guidance_rule_set (id, stamp) VALUES (1, floor(random() * 9007199254740991)::bigint)
    ON CONFLICT (id) DO UPDATE SET stamp = EXCLUDED.stamp;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""
PG_TRIGGER = ("CREATE TRIGGER guidance_rules_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON guidance_rules "
              "FOR EACH STATEMENT EXECUTE FUNCTION guidance_rules_stamp()")
SQLITE_UPSERT = ("INSERT INTO guidance_rule_set (id, stamp) VALUES (1, random()) "
                 "ON CONFLICT (id) DO UPDATE SET stamp = excluded.stamp;")
SQLITE_TRIGGERS = tuple(
    f"CREATE TRIGGER guidance_rules_stamp_{event.lower()} AFTER {event} ON guidance_rules\nBEGIN\n{SQLITE_UPSERT}\nEND"
    for event in ("INSERT", "UPDATE", "DELETE"))


def upgrade():
    op.create_table(
        'guidance_rule_set',
        sa.Column('id', sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column('stamp', sa.BigInteger(), nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        op.execute(PG_TRIGGER)
        op.execute("INSERT INTO guidance_rule_set (id, stamp) VALUES (1, floor(random() * 9007199254740991)::bigint)")
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)
        op.execute("INSERT INTO guidance_rule_set (id, stamp) VALUES (1, random())")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS guidance_rules_stamp ON guidance_rules")
        op.execute("DROP FUNCTION IF EXISTS guidance_rules_stamp()")
    else:
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS guidance_rules_stamp_{event}")
    op.drop_table('guidance_rule_set')
