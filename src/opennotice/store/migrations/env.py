from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from opennotice.store import schema  # noqa: F401  (registers every table)
from opennotice.store.tables import Base

config = context.config
url = config.get_main_option("sqlalchemy.url")
assert url is not None

connectable = create_engine(url)
with connectable.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
connectable.dispose()
