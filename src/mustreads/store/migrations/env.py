"""Alembic environment: run by :func:`mustreads.store.migrate`, never by hand.

The caller passes an open connection in ``config.attributes["connection"]``;
each migration runs in its own transaction, recorded with its version.
"""

from alembic import context

from mustreads.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    transaction_per_migration=True,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
