"""the open task of a draft, by index

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 04:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("drafttask", schema=None) as batch_op:
        batch_op.create_index("ix_drafttask_open_of_draft", ["draft_id", "is_open"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("drafttask", schema=None) as batch_op:
        batch_op.drop_index("ix_drafttask_open_of_draft")
