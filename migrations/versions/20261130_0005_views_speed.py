"""views speed: measure_evidence (the evidence each status rests on) and measures_current as one join

Revision ID: 0005_views_speed
Revises: 0004_curation
Create Date: 2026-11-30 06:50:00.000000+00:00

``measure_evidence`` records, when periods are computed (``tracker.report.periods``), which
status changes a measure's status rests on and from which day each counts, so that reports select
exactly that evidence in SQL. A database that already holds facts when it is upgraded to this
revision gets it filled here by SQL that follows ``status._usable`` except for one rule (a coarse
date with a finer one of the same kind inside it is not dropped), so run ``tracker db refresh``
once after upgrading to make it exact.

``ix_measure_periods_status`` covers "which measures are in force on D", so that query reads
the index alone.

``measures_current`` counts a measure's changes and sources with one grouped join instead of two
correlated subqueries per row; its columns are unchanged.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005_views_speed'
down_revision: str | None = '0004_curation'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_IN_FORCE = "CASE WHEN p.status = 'in_force' AND p.start_date IS NOT NULL THEN TRUE ELSE FALSE END"
_SUBJECT_COLUMNS = (
    "s.measure_id, s.subject_type, s.subject, s.ocd_id, s.jurisdiction_kind, s.state_code, "
    "s.company_slug, s.kind, s.scope, s.title"
)
_HEAD = f"""
SELECT
    {_SUBJECT_COLUMNS},
    p.status,
    {_IN_FORCE} AS in_force,
    p.since,
    p.until,
    p.uncertain,
    p.since_date,
    p.until_date,"""
_FROM = """
FROM measure_subjects s
LEFT JOIN measure_periods p ON p.measure_id = s.measure_id
    AND (p.start_date IS NULL OR p.start_date <= CURRENT_DATE)
    AND (p.end_date IS NULL OR CURRENT_DATE < p.end_date)"""

CURRENT_FAST = _HEAD + """
    COALESCE(n.changes, 0) AS changes,
    COALESCE(n.sources, 0) AS sources""" + _FROM + """
LEFT JOIN (
    SELECT measure_id, COUNT(*) AS changes, COUNT(DISTINCT source_id) AS sources
    FROM status_changes GROUP BY measure_id
) n ON n.measure_id = s.measure_id"""

CURRENT_0003 = _HEAD + """
    (SELECT COUNT(*) FROM status_changes sc WHERE sc.measure_id = s.measure_id) AS changes,
    (SELECT COUNT(DISTINCT sc.source_id) FROM status_changes sc
      WHERE sc.measure_id = s.measure_id) AS sources""" + _FROM

def _group(status: str) -> str:
    """``tracker.report.status._group``: which changes a dated one makes an undated one moot."""
    return (
        f"CASE WHEN {status} = 'extended' THEN 'extension' "
        f"WHEN {status} IN ('enacted', 'in_force') THEN 'start' "
        f"WHEN {status} IN ('expired', 'failed', 'repealed', 'suspended') THEN 'end' "
        "ELSE 'proposal' END"
    )


COUNTS_FROM = f"""
CASE WHEN sc.effective_date IS NOT NULL THEN sc.effective_date
     WHEN NOT EXISTS (
         SELECT 1 FROM status_changes o
         WHERE o.measure_id = sc.measure_id AND o.effective_date IS NOT NULL
           AND {_group('o.status')} = {_group('sc.status')}
     ) THEN sc.known_by
END"""
FILL_DATED = f"""
INSERT INTO measure_evidence (measure_id, change_id, counts_from)
SELECT measure_id, id, counts_from FROM (
    SELECT sc.measure_id, sc.id, {COUNTS_FROM} AS counts_from FROM status_changes sc
) placed WHERE counts_from IS NOT NULL"""
FILL_UNDATED = """
INSERT INTO measure_evidence (measure_id, change_id, counts_from)
SELECT sc.measure_id, sc.id, NULL FROM status_changes sc
WHERE NOT EXISTS (SELECT 1 FROM measure_evidence e WHERE e.measure_id = sc.measure_id)"""

COMMENT = (
    "one row per measure: its subject, kind, scope and its status today "
    "(NULL when nothing is known of it yet) (docs/schema.md)"
)


def _replace_current(select: str) -> None:
    # measures_in_force_today does not read measures_current: only this view is replaced
    op.execute("DROP VIEW IF EXISTS measures_current")
    op.execute(f"CREATE VIEW measures_current AS{select}")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"COMMENT ON VIEW measures_current IS '{COMMENT}'")


def upgrade() -> None:
    op.create_table('measure_evidence',
    sa.Column('measure_id', sa.Integer(), nullable=False),
    sa.Column('change_id', sa.Integer(), nullable=False),
    sa.Column('counts_from', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['change_id'], ['status_changes.id'], name=op.f('fk_measure_evidence_change_id_status_changes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['measure_id'], ['measures.id'], name=op.f('fk_measure_evidence_measure_id_measures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('measure_id', 'change_id', name=op.f('pk_measure_evidence'))
    )
    op.execute(FILL_DATED)
    op.execute(FILL_UNDATED)
    # "in force on D": the in-force periods read from the index alone
    op.create_index('ix_measure_periods_status', 'measure_periods',
                    ['status', 'end_date', 'start_date', 'measure_id'], unique=False)
    _replace_current(CURRENT_FAST)


def downgrade() -> None:
    _replace_current(CURRENT_0003)
    op.drop_index('ix_measure_periods_status', table_name='measure_periods')
    op.drop_table('measure_evidence')
