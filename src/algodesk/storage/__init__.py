"""Persistence: one SQLAlchemy database (SQLite by default, any SQLAlchemy URL)."""

from .db import Base, Database, database_url, utcnow

__all__ = ["Base", "Database", "database_url", "utcnow"]
