"""stage_tallies: roll-up rows for every area (area_id 0), so area_id is no foreign key

A funnel over every area summed one tally row per area, month and stage (16,000 rows at
100,000 communities). Each change is now also kept once for all areas, under area_id 0;
no area has that id, so the foreign key to areas goes (tallies are derived data, and
areas are never deleted). The roll-up rows are filled from the per-area rows. An index on
(span, platform, area_id, starts) makes one area's months, or all areas', one index range.

Revision ID: 0015_stage_tallies_all_areas
Revises: 0014_audit_no_truncate
Create Date: 2026-12-02 07:30:00

"""
from alembic import op

revision = '0015_stage_tallies_all_areas'
down_revision = '0014_audit_no_truncate'
branch_labels = None
depends_on = None

ALL_AREAS = 0


def upgrade():
    with op.batch_alter_table('stage_tallies', schema=None) as batch_op:
        batch_op.drop_constraint('fk_stage_tallies_area_id_areas', type_='foreignkey')
        batch_op.create_index('ix_stage_tallies_area_period', ['span', 'platform', 'area_id', 'starts'],
                              unique=False, postgresql_include=['stage', 'measure', 'change'])
    op.execute(
        "INSERT INTO stage_tallies (span, platform, starts, area_id, stage, measure, change) "
        f"SELECT span, platform, starts, {ALL_AREAS}, stage, measure, SUM(change) FROM stage_tallies "  # noqa: S608
        f"WHERE area_id <> {ALL_AREAS} GROUP BY span, platform, starts, stage, measure"
    )


def downgrade():
    op.execute(f"DELETE FROM stage_tallies WHERE area_id = {ALL_AREAS}")  # noqa: S608
    with op.batch_alter_table('stage_tallies', schema=None) as batch_op:
        batch_op.drop_index('ix_stage_tallies_area_period')
        batch_op.create_foreign_key('fk_stage_tallies_area_id_areas', 'areas', ['area_id'], ['id'],
                                    ondelete='CASCADE')
