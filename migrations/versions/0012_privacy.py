"""privacy: members may leave public posts; forgotten members become pseudonyms

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("is_private", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("forgotten_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(
            "ix_members_private",
            ["workspace_id"],
            unique=False,
            sqlite_where=sa.text("is_private = 1"),
            postgresql_where=sa.text("is_private"),
        )
    op.create_table(
        "forgotten_members",
        sa.Column("workspace_id", Id, nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_forgotten_members_workspace_id_workspaces"),
        ),
        sa.PrimaryKeyConstraint("workspace_id", "digest", name=op.f("pk_forgotten_members")),
    )


def downgrade() -> None:
    # A downgrade keeps what was erased erased: pseudonymous rows stay pseudonymous, and only
    # the marks (who is private, who was forgotten) go.
    op.drop_table("forgotten_members")
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_index("ix_members_private")
        batch_op.drop_column("forgotten_at")
        batch_op.drop_column("is_private")
