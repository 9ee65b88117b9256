"""Alembic's scripts for the platform's schema: env.py and one file per revision.

Run through `algodesk.storage.schema` (or `algodesk db ...`), never through an
alembic.ini: the database comes from the platform's settings.
"""
