"""Legacy import, a large write done as a database restore does it: the indexes (and on PostgreSQL
the foreign keys and unique keys) of the tables written are taken away while writing and put back,
in the same transaction, at the end. Their definitions are read from the database's own catalogue,
so what is put back is exactly what was there."""
from __future__ import annotations

from django.db import connection
from django.db.models import Model


def take_away(models: list[type[Model]], keep_unique: tuple[type[Model], ...] = ()) -> list[str]:
    """Drop every index of ``models`` but the primary key's — and but the unique ones of
    ``keep_unique``, which the writer still checks against — and, on PostgreSQL, their foreign keys
    and unique constraints, and the primary key of a table no foreign key points at. Returns the
    statements that put them back, in the order to run them."""
    indexes: list[str] = []
    keys: list[str] = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Pending deferred checks (of rows written before, e.g. procedure stubs) are made now: a
            # table with pending trigger events can neither lose nor take a foreign key.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for model in models:
            table = quote(model._meta.db_table)
            unique_too = model not in keep_unique
            if connection.vendor == "postgresql":
                # The primary key too where no foreign key points at it (events, rollups): kept up
                # row by row it costs a third of writing the rows.
                kinds = ("f", "u", "p") if unique_too else ("f",)
                cursor.execute("SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint k "
                               "WHERE conrelid = %s::regclass AND contype = ANY(%s) AND NOT (contype = 'p' AND "
                               "EXISTS (SELECT 1 FROM pg_constraint r WHERE r.confrelid = k.conrelid)) "
                               "ORDER BY contype DESC", [table, list(kinds)])
                for name, kind, definition in cursor.fetchall():
                    cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
                    restore = f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}"
                    (keys if kind == "f" else indexes).append(restore)
                cursor.execute(
                    "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                    "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = %s::regclass AND NOT i.indisprimary "
                    "AND (%s OR NOT i.indisunique) AND NOT EXISTS (SELECT 1 FROM pg_constraint k "
                    "WHERE k.conindid = i.indexrelid)", [table, unique_too])
            else:  # SQLite: the unique keys declared in the table (autoindexes) cannot go
                cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                               "AND sql IS NOT NULL" + ("" if unique_too else " AND sql NOT LIKE 'CREATE UNIQUE%%'"),
                               [model._meta.db_table])
            for name, definition in cursor.fetchall():
                cursor.execute(f"DROP INDEX {quote(name)}")
                indexes.append(definition)
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # as Django declares them
    return indexes + keys  # the indexes first: a foreign key needs its target's


def put_back(statements: list[str]) -> None:
    if not statements:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # as in take_away
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for statement in statements:
            cursor.execute(statement)
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
