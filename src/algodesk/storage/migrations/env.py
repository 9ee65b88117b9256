"""Alembic's environment: runs the revisions on the connection `schema.py` hands over.

No URL and no logging set-up here: the caller owns both (the URL may hold a password and
the platform's log redacts secrets). `render_as_batch` makes ALTERs work on SQLite, which
alters a table by copying it; the migration connection has foreign keys off for that
copy (`schema.py`), so they are checked here before the transaction commits.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=config.attributes.get("target_metadata"),
    render_as_batch=True,
    # One transaction for the whole upgrade where the database can roll DDL back
    # (SQLite and PostgreSQL can): a failed revision leaves the previous schema whole.
    transactional_ddl=connection.dialect.name != "mysql",
    compare_type=True,
)

with context.begin_transaction():
    context.run_migrations()
    if connection.dialect.name == "sqlite":
        broken = connection.execute(text("PRAGMA foreign_key_check")).fetchall()
        if broken:
            raise RuntimeError(f"the migration left rows whose foreign keys point nowhere: "
                               f"{broken[:5]}")
