"""feeds: a fingerprint of each feed entry

Revision ID: 0002_feeds
Revises: 0001
Create Date: 2026-11-22 14:00:00+00:00

``sources.entry_hash`` lets ``feeds poll`` tell an unchanged entry from an updated one without
re-reading the page it links to (tracker.feeds).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0002_feeds'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.add_column(sa.Column('entry_hash', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.drop_column('entry_hash')
