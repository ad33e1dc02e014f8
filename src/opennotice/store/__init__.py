"""Storage: SQLAlchemy tables, the unit of work, Alembic migrations."""
