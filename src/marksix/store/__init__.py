"""Persistence: SQLAlchemy tables, engines and the Alembic migrations.

Importing this package pulls in SQLAlchemy, so code on a fast start-up path
(`marksix pick`, `marksix check`) only imports it once a database exists.
"""
