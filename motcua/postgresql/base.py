"""Django's PostgreSQL backend, with a health check that looks at the connection's socket first.

With ``CONN_HEALTH_CHECKS`` Django checks a persistent connection at each request's first use of it by
sending ``SELECT 1``: a round trip to the server on every request (py-spy: 4.5 % of the web workers' CPU
for an API receipt, docs/benchmarks.md). A connection the server has ended (restarted,
``pg_terminate_backend``, an idle timeout, a pooler closing it) has something to read on its socket: the
server's error message, or the end of the stream; an idle connection in good health has nothing (motcua
does not LISTEN). So a connection that is idle, neither closed nor broken, with nothing to read, is
usable without asking the server; in any other case the server is asked, as Django asks it.
"""
from __future__ import annotations

import select
from typing import Any

from django.db.backends.postgresql import base
from psycopg import OperationalError, pq


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        if connection.pgconn.transaction_status == pq.TransactionStatus.IDLE and _nothing_to_read(connection):
            return True
        return super().is_usable()


def _nothing_to_read(connection: Any) -> bool:  # noqa: ANN401 - a psycopg Connection
    """Nothing waits on the connection's socket (False when it cannot be told: the server is asked)."""
    if not hasattr(select, "poll"):
        return False
    try:
        poller = select.poll()
        poller.register(connection.pgconn.socket, select.POLLIN)  # type: ignore[attr-defined]
        return not poller.poll(0)
    except (OperationalError, OSError, ValueError):  # no socket (a bad connection), or a closed one
        return False
