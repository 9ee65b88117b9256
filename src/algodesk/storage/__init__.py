"""Persistence: one SQLAlchemy database (SQLite by default, any SQLAlchemy URL)."""

from .db import Base, Database, SqliteWriter, database_url, utcnow

__all__ = ["Base", "Database", "SqliteWriter", "database_url", "utcnow"]
