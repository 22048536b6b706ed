"""gunicorn's threaded worker, taking connections only when it can serve them (deploy/gunicorn.conf.py).

gunicorn's ``gthread`` worker accepts every connection it is offered, whether or not a thread of its is free,
and keeps it for the client's next requests (keep-alive). Under load the connections are shared out by
which process the kernel wakes first, not by which has a free thread: 50 API clients on three workers were
seen split 44 / 3 / 3, the 44 waiting ten times as long as the others for the same service (docs/benchmarks.md).

This worker differs in two rules, both decided on its main thread:

- it listens for new connections only while fewer of its requests are in hand (running or waiting for a
  thread) than it has threads; the others wait in the kernel's queue, which every worker takes from in
  turn, for a worker with a free thread;
- a request taken up while another request of the same worker waits for a thread is answered with
  ``Connection: close``: the client's next request comes back through that same queue instead of
  waiting behind this worker's. Without such a wait, keep-alive is as before.

``MOTCUA_BALANCED_WORKER=0`` gives gunicorn's own worker back.
"""
from __future__ import annotations

from concurrent import futures
from typing import Any

from gunicorn.workers.gthread import ThreadWorker


class BalancedThreadWorker(ThreadWorker):
    in_hand = 0
    """Requests handed to the thread pool and not yet finished (the main thread's count)."""

    @property
    def max_keepalived(self) -> int:
        """gunicorn's handler, taking up a request, answers it with ``Connection: close`` when as many
        connections are kept alive as this: none is kept while a request of this worker waits for a thread.
        Read by the thread taking the request up, written only by the main thread: a count a request late
        changes one response's header."""
        return 0 if self.in_hand > self.cfg.threads else self._max_keepalived

    @max_keepalived.setter
    def max_keepalived(self, value: int) -> None:
        self._max_keepalived = value

    def set_accept_enabled(self, enabled: bool) -> None:
        """The run loop asks for new connections whenever it is under its connection limit; they are taken
        only while a thread is free."""
        super().set_accept_enabled(enabled and self.in_hand < self.cfg.threads)

    def accept(self, listener: Any) -> None:  # noqa: ANN401 - a listening socket
        """One poll can report the listener readable together with a kept-alive connection (a next request,
        or the client closing it): dispatched first, that connection may have taken the last free thread and
        turned listening off. The new connection is then left in the kernel's queue, not accepted."""
        if self.in_hand < self.cfg.threads:
            super().accept(listener)

    def enqueue_req(self, conn: Any) -> None:  # noqa: ANN401 - gunicorn's TConn
        self.in_hand += 1
        super().enqueue_req(conn)
        if self.in_hand >= self.cfg.threads:
            super().set_accept_enabled(False)  # the run loop listens again once a request has finished

    def finish_request(self, conn: Any, fs: futures.Future) -> None:  # noqa: ANN401 - gunicorn's TConn
        self.in_hand -= 1
        super().finish_request(conn, fs)
