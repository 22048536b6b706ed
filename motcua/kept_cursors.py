"""A cursor kept per database connection for each statement the hot paths run again and again.

``with kept_cursor(connection, key) as cursor`` gives the cursor kept for ``key`` (a statement's SQL,
or a name for a short series of them) on this connection, and keeps it again afterwards. A cursor made
for each statement, as ``connection.cursor()`` makes one, cost about 30 µs of CPU a statement more
than one kept, on PostgreSQL: the driver builds a new adaptation context (its ``Transformer``) for a
new cursor and looks up again how to send each parameter and read each column; a cursor that runs
the same statement again keeps them. A transition runs four or five such statements on average.

The cursors are kept on Django's connection object, which belongs to one thread; they go with the
driver's connection (a reconnection starts afresh). A cursor whose block raised is closed, not kept.
While queries are logged (``DEBUG``, or a test capturing them), each block gets a new cursor from
``connection.cursor()``, the debug cursor that logs, and closes it: what is counted is what runs. So
does every block on another database than PostgreSQL (SQLite's cursors cost next to nothing).
"""
from __future__ import annotations

from collections.abc import Hashable
from types import TracebackType
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

_ATTR = "_motcua_kept_cursors"
MOST = 64  # cursors kept per connection at most (the hot paths have far fewer statements)


class kept_cursor:  # noqa: N801 - used as a function: ``with kept_cursor(connection, sql) as cursor``
    __slots__ = ("_connection", "_cursor", "_key", "_kept")

    def __init__(self, connection: Any, key: Hashable) -> None:
        if not isinstance(connection, BaseDatabaseWrapper):  # django.db.connection: the thread's own
            connection = connections[connection.alias]
        self._connection, self._key = connection, key
        self._kept: dict[Hashable, Any] | None = None

    def __enter__(self) -> Any:
        connection = self._connection
        if connection.queries_logged or connection.vendor != "postgresql":
            self._cursor = connection.cursor()
            return self._cursor
        connection.close_if_health_check_failed()  # as connection.cursor() does first
        connection.ensure_connection()
        kept = connection.__dict__.get(_ATTR)
        if kept is None or kept[0] is not connection.connection:
            kept = connection.__dict__[_ATTR] = (connection.connection, {})
        self._kept = kept[1]
        # Taken out while in use: the same key twice at once (a pipeline) gets a second cursor.
        cursor = self._kept.pop(self._key, None)
        self._cursor = cursor if cursor is not None else connection.cursor()
        return self._cursor

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._kept is None or exc_type is not None or self._key in self._kept or len(self._kept) >= MOST:
            self._cursor.close()
        else:
            self._kept[self._key] = self._cursor


def forget(connection: Any) -> None:
    """Close the cursors kept on ``connection`` (tests)."""
    kept = connection.__dict__.pop(_ATTR, None)
    for cursor in (kept[1].values() if kept else ()):
        cursor.close()
