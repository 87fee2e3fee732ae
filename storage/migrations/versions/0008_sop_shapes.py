"""shapes of SOPs: who an audit line was done on behalf of and which outcome was chosen;
a draft's stated result; what a pending note is for (an outcome, or a skip)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 08:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("auditentry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("on_behalf_of", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("choice", sa.String(), nullable=True))

    with op.batch_alter_table("draft", schema=None) as batch_op:
        batch_op.add_column(sa.Column("result", sa.String(), nullable=True))

    with op.batch_alter_table("pendingreply", schema=None) as batch_op:
        batch_op.add_column(sa.Column("choice", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("skip", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("pendingreply", schema=None) as batch_op:
        batch_op.drop_column("skip")
        batch_op.drop_column("choice")

    with op.batch_alter_table("draft", schema=None) as batch_op:
        batch_op.drop_column("result")

    with op.batch_alter_table("auditentry", schema=None) as batch_op:
        batch_op.drop_column("choice")
        batch_op.drop_column("on_behalf_of")
