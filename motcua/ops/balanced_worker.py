"""gunicorn's threaded worker, taking connections only when it can serve them (deploy/gunicorn.conf.py).

gunicorn's ``gthread`` worker accepts every connection it is offered, whether or not a thread of its is free,
and keeps it for the client's next requests (keep-alive). Under load the connections are shared out by
which process the kernel wakes first, not by which has a free thread: 50 API clients on three workers were
seen split 44 / 3 / 3, the 44 waiting ten times as long as the others for the same service (docs/benchmarks.md).

This worker differs in two rules:

- it accepts new connections only while fewer of its requests are in hand (running or waiting for a
  thread) than it has threads; the others wait in the kernel's queue, which every worker takes from in
  turn, for a worker with a free thread (decided on the worker's main thread);
- a request taken up while another waits — for a thread of this worker, or in the kernel's queue of new
  connections, which every worker shares — is answered with ``Connection: close``: the client's next
  request joins the back of that queue instead of going ahead of those already in it. Without such a
  wait, keep-alive is as before (decided by the thread taking the request up).

``MOTCUA_BALANCED_WORKER=0`` gives gunicorn's own worker back.
"""
from __future__ import annotations

import socket
import struct
from concurrent import futures
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

# Linux's struct tcp_info: eight single bytes, then 32-bit fields; for a listening socket the fifth of
# those (tcpi_unacked) is the number of connections in its accept queue.
_TCP_INFO_SIZE = 104
_QUEUED_AT = 8 + 4 * 4


def queued(listener: Any) -> int | None:  # noqa: ANN401 - a socket, or gunicorn's wrapper of one
    """How many connections wait in a listening TCP socket's accept queue; None where the system does not
    say (not Linux, not TCP)."""
    try:
        info = listener.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, _TCP_INFO_SIZE)
    except (AttributeError, OSError):
        return None
    return struct.unpack_from("I", info, _QUEUED_AT)[0] if len(info) >= _QUEUED_AT + 4 else None


class BalancedThreadWorker(ThreadWorker):
    in_hand = 0
    """Requests handed to the thread pool and not yet finished (the main thread's count)."""
    queues: tuple[Any, ...] = ()
    """The listeners whose accept queue the system tells."""

    @property
    def max_keepalived(self) -> int:
        """gunicorn's handler, taking up a request, answers it with ``Connection: close`` when as many
        connections are kept alive as this: none while a request of this worker waits for a thread, or a
        new connection in the kernel's queue. Read by the thread taking the request up; ``in_hand`` is
        written only by the main thread: a count a request late changes one response's header."""
        if self.in_hand > self.cfg.threads or any(queued(listener) for listener in self.queues):
            return 0
        return self._max_keepalived

    @max_keepalived.setter
    def max_keepalived(self, value: int) -> None:
        self._max_keepalived = value

    def init_process(self) -> None:
        self.queues = tuple(listener for listener in self.sockets if queued(listener) is not None)
        super().init_process()  # runs the worker's loop

    def thread_free(self) -> bool:
        """Whether fewer of this worker's requests are in hand than it has threads."""
        return self.in_hand < self.cfg.threads

    def set_accept_enabled(self, enabled: bool) -> None:
        """The run loop asks for new connections whenever it is under its connection limit; they are taken
        only while a thread is free."""
        super().set_accept_enabled(enabled and self.thread_free())

    def accept(self, listener: Any) -> None:  # noqa: ANN401 - a listening socket
        """One poll can report the listener readable together with a kept-alive connection (a next request,
        or the client closing it): dispatched first, that connection may have taken the last free thread and
        turned listening off. The new connection is then left in the kernel's queue, not accepted."""
        if self.thread_free():
            super().accept(listener)

    def enqueue_req(self, conn: Any) -> None:  # noqa: ANN401 - gunicorn's TConn
        self.in_hand += 1
        super().enqueue_req(conn)
        if not self.thread_free():
            super().set_accept_enabled(False)  # the run loop listens again once a request has finished

    def finish_request(self, conn: Any, fs: futures.Future) -> None:  # noqa: ANN401 - gunicorn's TConn
        self.in_hand -= 1
        super().finish_request(conn, fs)
