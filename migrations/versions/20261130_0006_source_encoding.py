"""sources.encoding: the character encoding assumed when an article's bytes were decoded

Revision ID: 0006_source_encoding
Revises: 0005_views_speed
Create Date: 2026-11-30 07:00:00+00:00

Text in a legacy encoding (Windows-1252, Latin-1) is decoded rather than refused, and the
source records which encoding was assumed (``utf-8``, ``windows-1252``...); NULL for sources
stored before, and for text that came as text (feed entries). A plain ADD/DROP COLUMN (no batch
"move and copy" on SQLite), so the analyst views of 0003 stay as they are.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0006_source_encoding'
down_revision: str | None = '0005_views_speed'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('sources', sa.Column('encoding', sa.String(length=40), nullable=True))


def downgrade() -> None:
    op.drop_column('sources', 'encoding')
