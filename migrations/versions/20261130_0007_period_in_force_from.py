"""measure_periods.in_force_from_date / in_force_from_precision: when an enacted measure takes effect

Revision ID: 0007_period_in_force_from
Revises: 0006_source_encoding
Create Date: 2026-11-30 08:00:00+00:00

A period in which a measure is ``enacted`` (adopted, waiting for a stated effective date) keeps
that date, so that ``status`` can report "in force from" from the cache without recomputing the
measure's history. Plain ADD/DROP COLUMN (no batch copy on SQLite), so the views stay as they are.

A database that already holds periods gets the date in SQL: the earliest counted, dated
``in_force`` change after the day the enacted period starts (``status.Fold`` takes the first
stated effective date after the adoption's last day; for an adoption dated only to the month or
year the two can differ). ``tracker db refresh`` recomputes the cache exactly.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0007_period_in_force_from'
down_revision: str | None = '0006_source_encoding'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FIRST_EFFECT = """
(SELECT sc.{column} FROM measure_evidence e JOIN status_changes sc ON sc.id = e.change_id
 WHERE e.measure_id = measure_periods.measure_id AND sc.status = 'in_force'
   AND sc.effective_date IS NOT NULL
   AND sc.effective_date > COALESCE(measure_periods.since_date, measure_periods.known_by)
 ORDER BY sc.effective_date, sc.id LIMIT 1)
"""


def upgrade() -> None:
    op.add_column('measure_periods', sa.Column('in_force_from_date', sa.Date(), nullable=True))
    op.add_column('measure_periods', sa.Column('in_force_from_precision', sa.String(length=10), nullable=True))
    op.execute(
        "UPDATE measure_periods SET"
        f" in_force_from_date = {_FIRST_EFFECT.format(column='effective_date')},"
        f" in_force_from_precision = {_FIRST_EFFECT.format(column='precision')}"
        " WHERE status = 'enacted'"
    )


def downgrade() -> None:
    op.drop_column('measure_periods', 'in_force_from_precision')
    op.drop_column('measure_periods', 'in_force_from_date')
