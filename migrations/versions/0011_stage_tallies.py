"""stage_tallies: pre-aggregated stage counts for the research funnel, filled from the stage changes

Revision ID: 0011_stage_tallies
Revises: 0010_task_note
Create Date: 2026-12-01 23:00:00

"""
from collections import Counter
from itertools import groupby

from alembic import op
import sqlalchemy as sa


revision = '0011_stage_tallies'
down_revision = '0010_task_note'
branch_labels = None
depends_on = None

# Frozen copy of the rules in portal/stage_tallies.py as of this revision (migrations do not import the app).
STAGE_PATH = ("identified", "approached", "acknowledged", "two_way", "partner")
KEY_COLUMNS = ("span", "platform", "starts", "area_id", "stage", "measure")
BATCH = 5000


def _community_tallies(area_id, platform, changes):
    out = Counter()
    previous = furthest = None
    for when, stage in changes:
        moves = [(stage, "at", 1)] + ([(previous, "at", -1)] if previous is not None else [])
        level = STAGE_PATH.index(stage) if stage in STAGE_PATH else None
        if level is not None and (furthest is None or level > furthest):
            moves.append((stage, "furthest", 1))
            if furthest is not None:
                moves.append((STAGE_PATH[furthest], "furthest", -1))
            furthest = level
        previous = stage
        day = when.date()
        for moved, measure, n in moves:
            for span, starts in (("month", day.replace(day=1)), ("day", day)):
                out[(span, platform, starts, area_id, moved, measure)] += n
                out[(span, "", starts, area_id, moved, measure)] += n
    return out


def _fill(table):
    """Tally every stage history already recorded (merged communities are not counted)."""
    bind = op.get_bind()
    communities = sa.table("communities", sa.column("id"), sa.column("area_id"), sa.column("platform"),
                           sa.column("status"))
    changes = sa.table("stage_changes", sa.column("id"), sa.column("community_id"), sa.column("changed_at", sa.DateTime),
                       sa.column("to_stage"))
    rows = bind.execute(
        sa.select(changes.c.community_id, communities.c.area_id, communities.c.platform, changes.c.changed_at,
                  changes.c.to_stage)
        .join(communities, communities.c.id == changes.c.community_id)
        .where(communities.c.status != "merged")
        .order_by(changes.c.community_id, changes.c.changed_at, changes.c.id))
    tallies = Counter()
    for _, group in groupby(rows, key=lambda r: r[0]):
        group = list(group)
        tallies.update(_community_tallies(group[0][1], group[0][2], ((r[3], r[4]) for r in group)))
    # In key order: a period's rows then sit together on disk (a funnel reads one range of the key).
    values = [dict(zip(KEY_COLUMNS, key), change=n) for key, n in sorted(tallies.items()) if n]
    for start in range(0, len(values), BATCH):
        op.bulk_insert(table, values[start:start + BATCH])


def upgrade():
    table = op.create_table(
        'stage_tallies',
        sa.Column('span', sa.String(length=5), nullable=False),
        sa.Column('platform', sa.String(length=40), nullable=False),
        sa.Column('starts', sa.Date(), nullable=False),
        sa.Column('area_id', sa.Integer(), nullable=False),
        sa.Column('stage', sa.String(length=20), nullable=False),
        sa.Column('measure', sa.String(length=8), nullable=False),
        sa.Column('change', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_stage_tallies_area_id_areas'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('span', 'platform', 'starts', 'area_id', 'stage', 'measure',
                                name=op.f('pk_stage_tallies')),
    )
    _fill(table)


def downgrade():
    op.drop_table('stage_tallies')
