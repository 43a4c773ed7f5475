"""every tag of a learning, not only the first

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("learnings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tags", sa.Text(), server_default="", nullable=False))
    op.execute("UPDATE learnings SET tags = topic WHERE topic IS NOT NULL")


def downgrade() -> None:
    # `topic` has always been written with the first tag, so it needs no refill.
    with op.batch_alter_table("learnings", schema=None) as batch_op:
        batch_op.drop_column("tags")
