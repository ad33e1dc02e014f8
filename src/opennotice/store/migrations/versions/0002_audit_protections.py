"""Audit log protections: the head row, and on PostgreSQL a table that refuses UPDATE and DELETE.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def upgrade() -> None:
    op.execute(f"INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '{GENESIS}')")  # noqa: S608
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION opennotice_audit_append_only() RETURNS trigger AS $$
            BEGIN
              RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP;
            END;
            $$ LANGUAGE plpgsql;
            """
        )
        op.execute(
            "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
            "FOR EACH ROW EXECUTE FUNCTION opennotice_audit_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS opennotice_audit_append_only()")
    op.execute("DELETE FROM audit_head")
