"""an index on dim_producer (block_key, producer_id): a block's new producers by range

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 07:20:00

Twice per file the loader asks for the producers of its blocks with ids above the last it
has seen (ocop_etl.load.known_producers). The only index on block_key was the unique
(block_key, key_exact): every producer of the block was read and filtered, 0.32 ms for a
3,135-producer block after a 700-file backfill, growing with the warehouse. With this index
the query reads only the new rows (0.007 ms).
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_dim_producer_block_key_producer_id", "dim_producer", ["block_key", "producer_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_dim_producer_block_key_producer_id", table_name="dim_producer")
