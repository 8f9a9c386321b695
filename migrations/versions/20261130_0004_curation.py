"""curation: people's decisions about facts, manual sources, what a period knows

Revision ID: 0004_curation
Revises: 0003_analyst_views
Create Date: 2026-11-30 07:00:00+00:00

- ``decisions``: every confirm, reject, correct and add a person makes, with who, when and why
  (tracker.curate). A decision names the fact it is about by its source, subject, status and
  evidence, so that it can be applied again when re-extraction replaces the fact's row.
- ``status_changes.review``: the decision in force on the row (confirmed, rejected, corrected);
  NULL while nobody has looked at it.
- ``sources.origin``: ``manual`` for a source a person cited with ``tracker facts add``.
- ``measure_periods.known_by`` and ``effective_assumed``: a period that starts from an undated
  fact says by when it was known; one that starts from an adoption with no effective date says
  that the effective date is assumed.
- the view ``status_change_reviews``: one row per status change with its review and the last
  decision about it (docs/schema.md); join it to ``status_change_evidence`` on ``change_id``.

Self-contained: it adds columns (plain ALTER TABLE on SQLite too, so the views of 0003 stay)
and one table.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0004_curation'
down_revision: str | None = '0003_analyst_views'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('change_id', sa.Integer(), nullable=True),
    sa.Column('new_change_id', sa.Integer(), nullable=True),
    sa.Column('measure_id', sa.Integer(), nullable=True),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('subject', sa.String(length=200), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=True),
    sa.Column('scope', sa.String(length=100), nullable=True),
    sa.Column('evidence_hash', sa.String(length=64), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('details', sa.Text(), nullable=True),
    sa.Column('made_by', sa.String(length=100), nullable=False),
    sa.Column('made_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['change_id'], ['status_changes.id'], name=op.f('fk_decisions_change_id_status_changes'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['new_change_id'], ['status_changes.id'], name=op.f('fk_decisions_new_change_id_status_changes'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['measure_id'], ['measures.id'], name=op.f('fk_decisions_measure_id_measures'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_decisions_source_id_sources'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decisions'))
    )
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decisions_made_at'), ['made_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_decisions_source_id'), ['source_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decisions_change_id'), ['change_id'], unique=False)
    # plain ALTER TABLE ADD COLUMN: SQLite supports it, and no table is rebuilt (0003's views)
    op.add_column('status_changes', sa.Column('review', sa.String(length=10), nullable=True))
    op.add_column('sources', sa.Column('origin', sa.String(length=10), server_default='ingested', nullable=False))
    op.add_column('measure_periods', sa.Column('known_by', sa.Date(), nullable=True))
    op.add_column('measure_periods', sa.Column('effective_assumed', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_index(op.f('ix_status_changes_created_at'), 'status_changes', ['created_at'], unique=False)
    op.execute(f"CREATE VIEW status_change_reviews AS{REVIEWS_VIEW}")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "COMMENT ON VIEW status_change_reviews IS 'one row per status change: the review in "
            "force on it and the last decision about it (docs/schema.md)'"
        )


REVIEWS_VIEW = """
SELECT
    sc.id AS change_id,
    sc.measure_id,
    sc.origin,
    sc.review,
    CASE WHEN sc.review IN ('rejected', 'corrected') THEN FALSE ELSE TRUE END AS counts,
    CASE WHEN sc.origin = 'manual' OR sc.review = 'confirmed' THEN TRUE ELSE FALSE END AS reviewed,
    d.id AS decision_id,
    d.action AS decision,
    d.made_by,
    d.made_at,
    d.reason
FROM status_changes sc
LEFT JOIN decisions d ON d.id = (
    SELECT MAX(x.id) FROM decisions x WHERE x.change_id = sc.id OR x.new_change_id = sc.id
)"""


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS status_change_reviews")
    # plain ALTER TABLE DROP COLUMN (SQLite >= 3.35): none of these columns is in a view
    op.drop_index(op.f('ix_status_changes_created_at'), table_name='status_changes')
    op.drop_column('measure_periods', 'effective_assumed')
    op.drop_column('measure_periods', 'known_by')
    op.drop_column('sources', 'origin')
    op.drop_column('status_changes', 'review')
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decisions_change_id'))
        batch_op.drop_index(batch_op.f('ix_decisions_source_id'))
        batch_op.drop_index(batch_op.f('ix_decisions_made_at'))
    op.drop_table('decisions')
