"""motcua's PostgreSQL pieces: Django's backend with its health check (``base``), and the driver's socket."""
from __future__ import annotations

from typing import Any


def socket_of(pg: Any) -> int | None:  # noqa: ANN401 - a psycopg Connection
    """The descriptor of a psycopg connection's socket; None when it has none (closed, or lost)."""
    from psycopg import OperationalError

    try:
        fd = pg.pgconn.socket
    except (OperationalError, OSError):
        return None
    return fd if fd >= 0 else None
