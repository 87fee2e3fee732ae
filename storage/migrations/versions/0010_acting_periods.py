"""acting periods: an acting official (Plh., Plt.) standing in for a holder, from the
proposal to the end the scheduler acts on; an assignment says whom it stands in for

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-02 08:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REPLACES_FK = "fk_assignment_replaces_id_assignment"


def upgrade() -> None:
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("replaces_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(REPLACES_FK, "assignment", ["replaces_id"], ["id"])

    op.create_table(
        "acting_period",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("acting", sa.String(), nullable=False),
        sa.Column("position", sa.String(), nullable=False),
        sa.Column("unit", sa.String(), nullable=True),
        sa.Column("official_id", sa.Integer(), nullable=False),
        sa.Column("holder_id", sa.Integer(), nullable=False),
        sa.Column("replaces_id", sa.Integer(), nullable=False),
        sa.Column("valid_until", storage.models.AwareDateTime(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("proposed_by", sa.BigInteger(), nullable=False),
        sa.Column("proposed_at", storage.models.AwareDateTime(), nullable=False),
        sa.Column("valid_from", storage.models.AwareDateTime(), nullable=True),
        sa.Column("assignment_id", sa.Integer(), nullable=True),
        sa.Column("ended_at", storage.models.AwareDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["assignment_id"], ["assignment.id"]),
        sa.ForeignKeyConstraint(["holder_id"], ["official.id"]),
        sa.ForeignKeyConstraint(["official_id"], ["official.id"]),
        sa.ForeignKeyConstraint(["replaces_id"], ["assignment.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("acting_period", schema=None) as batch_op:
        batch_op.create_index(
            "ix_acting_period_ending", ["status", "ended_at", "valid_until"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_acting_period_official_id"), ["official_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("acting_period", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_acting_period_official_id"))
        batch_op.drop_index("ix_acting_period_ending")

    op.drop_table("acting_period")

    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.drop_constraint(REPLACES_FK, type_="foreignkey")
        batch_op.drop_column("replaces_id")
