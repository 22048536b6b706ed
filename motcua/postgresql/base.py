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
from psycopg import pq

from motcua.postgresql import socket_of

_POLL = getattr(select, "poll", None)  # not on every system: there the server is asked


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
    fd = socket_of(connection)
    if _POLL is None or fd is None:
        return False
    poller = _POLL()
    poller.register(fd, select.POLLIN)
    return not poller.poll(0)
