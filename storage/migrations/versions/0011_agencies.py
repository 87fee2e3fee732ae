"""agencies: one bot for several agencies (instansi); every official, draft, invitation and
position group belongs to one, and existing rows to the default agency 'utama'

Revision ID: 0011
Revises: 0008
Create Date: 2026-12-02 08:00:00.000000
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import context, op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT_KEY = "utama"
FALLBACK_NAME = "Instansi utama"
"""The default agency's name when the upgrade is not told the organisation's
(`storage.db.upgrade(..., agency_name=...)`)."""

BELONGING = ("official", "draft", "invite", "position_group")
"""Tables whose rows belong to an agency."""
INDEXED = ("official", "draft", "position_group")


def upgrade() -> None:
    agency = op.create_table(
        "agency",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    name = context.config.attributes.get("agency_name") or FALLBACK_NAME
    op.bulk_insert(agency, [{"key": DEFAULT_KEY, "name": name, "created_at": datetime.now(UTC)}])
    for table in BELONGING:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("agency_id", sa.Integer(), nullable=True))
        op.execute(
            f"UPDATE {table} SET agency_id = "
            f"(SELECT id FROM agency WHERE \"key\" = '{DEFAULT_KEY}')"
        )
        with op.batch_alter_table(table, schema=None) as batch_op:
            if table == "official":
                batch_op.add_column(
                    sa.Column(
                        "agency_admin", sa.Boolean(), server_default=sa.false(), nullable=False
                    )
                )
            batch_op.alter_column("agency_id", existing_type=sa.Integer(), nullable=False)
            if table in INDEXED:
                batch_op.create_index(
                    batch_op.f(f"ix_{table}_agency_id"), ["agency_id"], unique=False
                )
            batch_op.create_foreign_key(
                f"fk_{table}_agency_id_agency", "agency", ["agency_id"], ["id"]
            )


def downgrade() -> None:
    for table in reversed(BELONGING):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f"fk_{table}_agency_id_agency", type_="foreignkey")
            if table in INDEXED:
                batch_op.drop_index(batch_op.f(f"ix_{table}_agency_id"))
            batch_op.drop_column("agency_id")
            if table == "official":
                batch_op.drop_column("agency_admin")
    op.drop_table("agency")
