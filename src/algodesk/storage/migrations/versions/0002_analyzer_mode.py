"""Analyzer mode: its switch, the journal's venue, and the paper account's tables.

- `analyzer_mode`: the one persisted flag (a row appears at the first toggle);
- `order_journal.venue`: `live` or `analyze` (every row before this revision is live);
- `sandbox_orders`, `sandbox_trades`, `sandbox_positions`, `sandbox_holdings`,
  `sandbox_funds`: the paper broker's account (money as decimal text, times as ISO UTC
  text, no secondary indexes: `sandbox/store.py`).

Revision 0002, after the baseline.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MONEY = sa.String(length=24)
DAY = sa.String(length=10)
MOMENT = sa.String(length=32)


def upgrade() -> None:
    op.create_table(
        "analyzer_mode",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("analyze", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("order_journal") as batch:
        batch.add_column(sa.Column("venue", sa.String(length=8), server_default="live",
                                   nullable=False))

    op.create_table(
        "sandbox_orders",
        sa.Column("order_id", sa.String(length=20), nullable=False),
        sa.Column("day", DAY, nullable=False),
        sa.Column("tag", sa.String(length=20), nullable=False),
        sa.Column("symbol", sa.String(length=100), nullable=False),
        sa.Column("exchange", sa.String(length=10), nullable=False),
        sa.Column("side", sa.String(length=4), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("filled_quantity", sa.Integer(), nullable=False),
        sa.Column("price_type", sa.String(length=6), nullable=False),
        sa.Column("product", sa.String(length=4), nullable=False),
        sa.Column("price", MONEY, nullable=False),
        sa.Column("trigger_price", MONEY, nullable=False),
        sa.Column("average_price", MONEY, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("margin", MONEY, nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("placed_at", MOMENT, nullable=False),
        sa.Column("updated_at", MOMENT, nullable=False),
        sa.PrimaryKeyConstraint("order_id"),
    )
    op.create_table(
        "sandbox_trades",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.String(length=20), nullable=False),
        sa.Column("day", DAY, nullable=False),
        sa.Column("symbol", sa.String(length=100), nullable=False),
        sa.Column("exchange", sa.String(length=10), nullable=False),
        sa.Column("side", sa.String(length=4), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("price", MONEY, nullable=False),
        sa.Column("product", sa.String(length=4), nullable=False),
        sa.Column("traded_at", MOMENT, nullable=False),
        sa.Column("fill_rule", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "sandbox_positions",
        sa.Column("symbol", sa.String(length=100), nullable=False),
        sa.Column("exchange", sa.String(length=10), nullable=False),
        sa.Column("product", sa.String(length=4), nullable=False),
        sa.Column("day", DAY, nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("average_price", MONEY, nullable=False),
        sa.Column("realised", MONEY, nullable=False),
        sa.Column("margin", MONEY, nullable=False),
        sa.Column("opened_day", DAY, nullable=False),
        sa.PrimaryKeyConstraint("symbol", "exchange", "product"),
    )
    op.create_table(
        "sandbox_holdings",
        sa.Column("symbol", sa.String(length=100), nullable=False),
        sa.Column("exchange", sa.String(length=10), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("average_price", MONEY, nullable=False),
        sa.Column("settled_day", DAY, nullable=False),
        sa.PrimaryKeyConstraint("symbol", "exchange"),
    )
    op.create_table(
        "sandbox_funds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("capital", MONEY, nullable=False),
        sa.Column("cash", MONEY, nullable=False),
        sa.Column("day", DAY, nullable=False),
        sa.Column("reset_at", MOMENT, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    for table in ("sandbox_funds", "sandbox_holdings", "sandbox_positions", "sandbox_trades",
                  "sandbox_orders", "analyzer_mode"):
        op.drop_table(table)
    with op.batch_alter_table("order_journal") as batch:
        batch.drop_column("venue")
