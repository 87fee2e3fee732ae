"""times as timestamptz on PostgreSQL: every `timestamp without time zone` column of the
schema, whichever migration added it, becomes `timestamp with time zone` (its values were
UTC); nothing to do on SQLite, which keeps no zone

Revision ID: 0012
Revises: 0008
Create Date: 2026-12-02 08:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS_OF_TYPE = sa.text(
    "SELECT table_name, column_name FROM information_schema.columns"
    " WHERE table_schema = current_schema() AND data_type = :type"
    " ORDER BY table_name, ordinal_position"
)


def _alter(from_type: str, to_type: str) -> None:
    connection = op.get_bind()
    if connection.dialect.name != "postgresql":
        return
    quote = connection.dialect.identifier_preparer.quote
    for table, column in connection.execute(COLUMNS_OF_TYPE, {"type": from_type}).all():
        op.execute(
            f"ALTER TABLE {quote(table)} ALTER COLUMN {quote(column)}"
            f" TYPE {to_type} USING {quote(column)} AT TIME ZONE 'UTC'"
        )


def upgrade() -> None:
    _alter("timestamp without time zone", "timestamp with time zone")


def downgrade() -> None:
    _alter("timestamp with time zone", "timestamp without time zone")
