"""Baseline: the schema of the last release made with `create_all`.

Generated once from the models and tidied; it spells every table out, so it stays what
it is when the models change (a change is a new revision after this one).

It also adopts a database made before migrations: such a database has no
`alembic_version`, and some or all of these tables. Only what is missing is created, so
every row already there stays; a database made by the last release's `create_all` has
everything, and this revision then only stamps it. `access_broker_calls.recent` came one
release later than its table (that release added it at start-up), so it is added when
absent.

Revision 0001, the first.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# `access.models.UtcDateTime` stores a naive UTC DATETIME: its column type is DateTime.
UtcDateTime = sa.DateTime


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())

    def create(name: str, *elements: sa.SchemaItem,
               indexes: Sequence[tuple[str, bool]] = ()) -> None:
        """The table and its single-column indexes (column, unique), unless it exists."""
        if name in existing:
            return
        op.create_table(name, *elements)
        for column, unique in indexes:
            op.create_index(f"ix_{name}_{column}", name, [column], unique=unique)

    # -- access: the admin, web sessions, API keys, the broker connection, Breeze calls
    create(
        "access_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=32), nullable=False),
        sa.Column("password_hash", sa.String(length=256), nullable=False),
        sa.Column("totp_secret", sa.LargeBinary(), nullable=True),
        sa.Column("totp_enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("password_changed_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    create(
        "access_web_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["access_users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    create(
        "access_api_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("hint", sa.String(length=8), nullable=False),
        sa.Column("key_hash", sa.String(length=256), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("revoked_at", UtcDateTime(), nullable=True),
        sa.Column("last_used_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["access_users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    create(
        "access_broker_connection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("credentials_digest", sa.LargeBinary(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=True),
        sa.Column("user_name", sa.String(length=128), nullable=True),
        sa.Column("token_ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("connected_at", UtcDateTime(), nullable=True),
        sa.Column("expires_at", UtcDateTime(), nullable=True),
        sa.Column("ended_at", UtcDateTime(), nullable=True),
        sa.Column("ended_reason", sa.String(length=512), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    create(
        "access_broker_calls",
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("recent", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("day"),
    )
    if "access_broker_calls" in existing:
        columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("access_broker_calls")}
        if "recent" not in columns:
            with op.batch_alter_table("access_broker_calls") as batch:
                batch.add_column(sa.Column("recent", sa.Text(), nullable=True))

    # -- the order journal
    create(
        "order_journal",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tag", sa.String(length=20), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("requested_by", sa.String(length=40), nullable=False),
        sa.Column("strategy", sa.String(length=100), nullable=False),
        sa.Column("exchange", sa.String(length=10), nullable=False),
        sa.Column("openalgo_request", sa.Text(), nullable=False),
        sa.Column("broker_request", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("broker_order_id", sa.String(length=40), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        indexes=[("broker_order_id", False), ("group_id", False), ("state", False),
                 ("tag", True)],
    )

    # -- the master contract: versions, their instruments in column chunks, attempts
    create(
        "instrument_masters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source_url", sa.String(length=500), nullable=False),
        sa.Column("archive_sha256", sa.String(length=64), nullable=False),
        sa.Column("archive_bytes", sa.Integer(), nullable=False),
        sa.Column("instrument_count", sa.Integer(), nullable=False),
        sa.Column("format_version", sa.Integer(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        indexes=[("active", False)],
    )
    create(
        "instrument_chunks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("master_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["master_id"], ["instrument_masters.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        indexes=[("master_id", False)],
    )
    create(
        "instrument_refreshes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("master_id", sa.Integer(), nullable=True),
        sa.Column("instrument_count", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )

    # -- the candle store: series and their compressed blocks
    create(
        "market_candle_series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exchange", sa.String(length=12), nullable=False),
        sa.Column("symbol", sa.String(length=64), nullable=False),
        sa.Column("interval", sa.String(length=12), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("exchange", "symbol", "interval"),
    )
    create(
        "market_candle_blocks",
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("block", sa.Integer(), nullable=False),
        sa.Column("final_until", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["series_id"], ["market_candle_series.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("series_id", "block"),
    )


def downgrade() -> None:
    # Undoing the baseline would drop every table: every order, key and candle.
    raise NotImplementedError("the baseline revision is not undone (it would drop every table)")
