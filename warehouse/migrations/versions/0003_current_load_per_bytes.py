"""one current load per file bytes (a forced reload supersedes the earlier load)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 14:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD = "status IN ('loaded', 'superseded')"
_NEW = "status = 'loaded'"


def _recreate(where: str) -> None:
    with op.batch_alter_table("ledger_file", schema=None) as batch_op:
        batch_op.drop_index("uq_ledger_file_loaded_bytes")
        batch_op.create_index(
            "uq_ledger_file_loaded_bytes", ["byte_sha256"], unique=True,
            sqlite_where=sa.text(where), postgresql_where=sa.text(where),
        )


def upgrade() -> None:
    _recreate(_NEW)


def downgrade() -> None:
    _recreate(_OLD)
