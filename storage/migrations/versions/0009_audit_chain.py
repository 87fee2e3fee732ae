"""the audit trail as a hash chain per draft: each entry's hash and its link to the one before,
the head of each draft's chain; the chains of existing entries are filled in id order

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 08:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models
from storage.audit import CHAINED_FIELDS, GENESIS, hash_of

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The tables as this revision knows them (the models may change later).
auditentry = sa.table(
    "auditentry",
    sa.column("id", sa.Integer()),
    sa.column("draft_id", sa.Integer()),
    sa.column("at", storage.models.AwareDateTime()),
    sa.column("actor_id", sa.Integer()),
    sa.column("position", sa.String()),
    sa.column("acting", sa.String()),
    sa.column("action", sa.String()),
    sa.column("task_id", sa.String()),
    sa.column("row_no", sa.Integer()),
    sa.column("note", sa.String()),
    sa.column("document_version_id", sa.Integer()),
    sa.column("share", sa.String()),
    sa.column("on_behalf_of", sa.String()),
    sa.column("choice", sa.String()),
    sa.column("prev_hash", sa.String()),
    sa.column("entry_hash", sa.String()),
)
draft = sa.table("draft", sa.column("id", sa.Integer()), sa.column("audit_head", sa.String()))


def upgrade() -> None:
    with op.batch_alter_table("auditentry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prev_hash", sa.String(), server_default="", nullable=False))
        batch_op.add_column(
            sa.Column("entry_hash", sa.String(), server_default="", nullable=False)
        )

    with op.batch_alter_table("draft", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("audit_head", sa.String(), server_default=GENESIS, nullable=False)
        )

    _fill_chains(op.get_bind())


def _fill_chains(connection: sa.Connection) -> None:
    """Chain every existing entry, draft by draft in id order, as storage/audit.py would
    have when it was written."""
    content = [auditentry.c[name] for name in CHAINED_FIELDS if name != "prev_hash"]
    rows = connection.execute(
        sa.select(auditentry.c.id, *content).order_by(auditentry.c.draft_id, auditentry.c.id)
    ).mappings()
    links: list[dict[str, object]] = []
    heads: dict[int, str] = {}
    for row in rows:
        prev_hash = heads.get(row["draft_id"], GENESIS)
        fields = {**row, "prev_hash": prev_hash}
        entry_hash = hash_of(fields)
        links.append({"entry": row["id"], "prev": prev_hash, "hash": entry_hash})
        heads[row["draft_id"]] = entry_hash
    if links:
        connection.execute(
            auditentry.update()
            .where(auditentry.c.id == sa.bindparam("entry"))
            .values(prev_hash=sa.bindparam("prev"), entry_hash=sa.bindparam("hash")),
            links,
        )
    if heads:
        connection.execute(
            draft.update()
            .where(draft.c.id == sa.bindparam("draft"))
            .values(audit_head=sa.bindparam("head")),
            [{"draft": key, "head": head} for key, head in heads.items()],
        )


def downgrade() -> None:
    # Not in batch: on SQLite a batch rebuilds the draft table, which the other tables'
    # foreign keys forbid once it holds rows. SQLite (3.35 and later) drops a column itself.
    op.drop_column("draft", "audit_head")
    op.drop_column("auditentry", "entry_hash")
    op.drop_column("auditentry", "prev_hash")
