"""Writes that nothing reads before the transaction ends, sent with its end.

Some statements of a transition or a receipt write rows that nothing in the transaction reads again:
the writer's statement (a transition's version, event and steps), a receipt's steps, documents and
event, an event's messages and their task, the API's record of an idempotency key. Inside
``rollups.batched`` — the transaction of every dossier write — ``defer`` queues such a statement
instead of sending it. The block's end sends the queue, then the counters, then, when the block is
the outermost transaction on PostgreSQL, the COMMIT: one pipeline, one round trip for them all, where
each deferred statement cost one of its own.

A deferred statement that fails fails the transaction at its end, as it would have failed it where it
was written: the block raises and rolls back whole (a block nested with a savepoint drops what it
deferred). The error raised is the statement's own refusal when it names one (``refused``: a key
already taken, a row changed meanwhile); a forgivable statement (``forgiven``: a notification's
task) is rolled back alone and the rest sent again. Nothing is deferred on another database than
PostgreSQL, nor outside a ``batched`` block, nor for another database alias than the block's:
``defer`` returns False and the caller writes at once. Each statement's answer (a new row's key) is
given to its ``done`` once the pipeline has ended.
"""
from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from motcua.kept_cursors import kept_cursor

_state = threading.local()  # .queue: the writes of the thread's outermost ``batched`` block, or None


Refusal = Callable[[BaseException], BaseException | None]


@dataclass(frozen=True)
class Deferred:
    sql: str
    params: Sequence[Any]
    done: Callable[[list[tuple]], None] | None = None  # given the rows the statement returned
    # Given the failure of the block's end: the error to raise instead when it is this statement's refusal
    # (a key already taken, the row changed meanwhile), None otherwise.
    refused: Refusal | None = None
    # A statement whose failure must not fail the transaction (a notification's task): sent in a savepoint
    # of its own; when it fails, the block's end rolls back to it, gives the error to ``forgiven`` (which
    # logs it) and sends the rest again.
    forgiven: Callable[[BaseException], None] | None = None


def open_queue() -> list[Deferred]:
    """The queue of a ``batched`` block that begins (the outermost one of the thread)."""
    _state.queue = []
    return _state.queue


def close_queue() -> None:
    _state.queue = None


def queued() -> list[Deferred]:
    """The open queue (a nested ``batched`` block drops what it added when it rolls back)."""
    return _state.queue


def can_defer(using: str) -> bool:
    """Whether a write to ``using`` can be deferred now: in a ``batched`` block, to its database, PostgreSQL."""
    return (getattr(_state, "queue", None) is not None and using == DEFAULT_DB_ALIAS
            and connections[using].vendor == "postgresql")


def defer(using: str, sql: str, params: Sequence[Any], done: Callable[[list[tuple]], None] | None = None,
          refused: Refusal | None = None, forgiven: Callable[[BaseException], None] | None = None) -> bool:
    """Queue ``sql`` to be sent at the end of the thread's ``batched`` block; False (nothing queued) when it
    cannot be (``can_defer``): the caller then writes at once."""
    if not can_defer(using):
        return False
    _state.queue.append(Deferred(sql, list(params), done, refused, forgiven))
    return True


SAVEPOINT = "motcua_last_write"  # around each forgivable write


def end(connection: Any, writes: Sequence[Deferred], then: Callable[[], None] | None = None) -> None:
    """Send ``writes``, then what ``then`` sends (the counters, the COMMIT), in one pipeline; each write's
    answer to its ``done``. When the server refuses one of them, it is raised as the write's own refusal
    if it names one (``Deferred.refused``); a forgivable write is rolled back to its savepoint and
    forgiven, and what followed it is sent again; any other failure is raised as it is."""
    from motcua.prepared import _pipelined  # (prepared defers its writes here)

    rest = list(writes)
    while True:
        with contextlib.ExitStack() as held:
            sent: list[list[Any]] = []  # each write's cursors, the statement's first, kept before it runs
            try:
                # One pipeline, corked, with the transaction's BEGIN when it has not been sent yet (every
                # write of it deferred: a receipt whose dossier's key was drawn beforehand).
                with _pipelined(connection, many=True):
                    for write in rest:
                        _send(connection, write, held, sent)
                    if then is not None:
                        then()
            except DatabaseError as exc:
                failed = _failed(sent)
                write = rest[failed] if failed is not None else None
                other = write.refused(exc) if write is not None and write.refused is not None else None
                if other is not None:
                    raise other from None
                if write is None or write.forgiven is None:
                    raise
                with connection.wrap_database_errors, kept_cursor(connection, SAVEPOINT) as cursor:
                    cursor.execute(f"ROLLBACK TO SAVEPOINT {SAVEPOINT}")
                    cursor.execute(f"RELEASE SAVEPOINT {SAVEPOINT}")
                write.forgiven(exc)
                _finish(rest[:failed], sent[:failed])
                rest = rest[failed + 1:]
                continue
            _finish(rest, sent)
            return


def _send(connection: Any, write: Deferred, held: contextlib.ExitStack, sent: list[list[Any]]) -> None:
    """``write`` on a cursor kept for its SQL (held open by ``held`` until it is answered), a forgivable one
    between a SAVEPOINT and its RELEASE. Its cursors, the statement's first, go into ``sent`` before it
    runs: a refusal the driver raises while the write is being sent is still found there (``_failed``)."""
    cursors = [held.enter_context(kept_cursor(connection, write.sql))]
    sent.append(cursors)
    if write.forgiven is None:
        cursors[0].execute(write.sql, write.params)
        return
    cursors.append(held.enter_context(kept_cursor(connection, SAVEPOINT)))
    cursors[1].execute(f"SAVEPOINT {SAVEPOINT}")
    cursors[0].execute(write.sql, write.params)
    cursors[1].execute(f"RELEASE SAVEPOINT {SAVEPOINT}")


def _failed(sent: Sequence[Sequence[Any]]) -> int | None:
    """The index of the write the server refused, if one was: the first without an answer of success (the
    answers come in order; the driver stops at the first refusal, whose cursor keeps none)."""
    from psycopg.pq import ExecStatus

    for i, cursors in enumerate(sent):
        answer = cursors[0].cursor.pgresult
        if answer is None or answer.status not in (ExecStatus.TUPLES_OK, ExecStatus.COMMAND_OK):
            return i
    return None


def _finish(writes: Sequence[Deferred], sent: Sequence[Sequence[Any]]) -> None:
    for write, cursors in zip(writes, sent, strict=True):
        if write.done is not None:
            write.done(cursors[0].fetchall())
