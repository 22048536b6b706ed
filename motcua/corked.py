"""A pipeline's statements sent to PostgreSQL together, in as few TCP segments as they fit.

In the driver's pipeline mode psycopg hands each statement to the socket as soon as it is executed:
a pipeline of six statements and a COMMIT reaches the server as six or seven segments, and the
server's session, which had gone to sleep waiting for its client, wakes for each of them, runs that
statement and sleeps again. Under load the client's thread may also lose the CPU between two of them,
and the session waits "in a statement" for the rest (docs/benchmarks.md). ``with corked(pg):``
around the statements of a pipeline holds them in the kernel (Linux's ``TCP_CORK``) until the block
ends, then sends them at once; the pipeline's end (its Sync) follows.

Nothing else changes: the same bytes in the same order. Where the option does not exist (another
system, a Unix-domain socket) the block does nothing. ``MOTCUA_PG_CORK`` = 0 turns it off. A block
that raises uncorks too (if it did not, the kernel would still send what it holds within 200 ms).
"""
from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from typing import Any

from django.conf import settings

from motcua.postgresql import socket_of

_CORK = getattr(socket, "TCP_CORK", None)


def _set(fd: int, on: int) -> bool:
    """TCP_CORK on the driver's socket ``fd``, without taking the socket from it; False where it cannot be."""
    try:  # family and type given: not asked of the kernel (three system calls) on every pipeline
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0, fileno=fd)
    except OSError:
        return False
    try:
        sock.setsockopt(socket.IPPROTO_TCP, _CORK, on)
        return True
    except OSError:  # not TCP (a Unix-domain socket)
        return False
    finally:
        sock.detach()  # the descriptor stays the driver's, open


@contextlib.contextmanager
def corked(pg: Any) -> Iterator[None]:
    """Within the block, what the psycopg connection ``pg`` sends is held and sent at its end."""
    if _CORK is None or not getattr(settings, "MOTCUA_PG_CORK", True):
        yield
        return
    fd = socket_of(pg)  # None for a connection already closed: the pipeline itself will say so
    if fd is None or not _set(fd, 1):
        yield
        return
    try:
        yield
    finally:
        _set(fd, 0)
