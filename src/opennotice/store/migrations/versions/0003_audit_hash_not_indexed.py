"""The audit log's hash column loses its unique index.

Nothing looks an event up by its hash, and the chain does not need the index: the sequence
number is the key, each hash covers the previous one, and verification recomputes them all.
The index cost one write at a random place of a growing B-tree for every event appended (one
per screening query), the slowest part of appending.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # On SQLite, batch mode copies the table without the constraint (SQLite cannot drop one).
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_constraint("uq_audit_events_hash", type_="unique")


def downgrade() -> None:
    with op.batch_alter_table("audit_events") as batch:
        batch.create_unique_constraint("uq_audit_events_hash", ["hash"])
