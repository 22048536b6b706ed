"""Writes that nothing reads before the transaction ends, sent with its end.

Some statements of a transition or a receipt write rows that nothing in the transaction reads again:
a receipt's steps, documents and event (only their keys come back, and nothing needs them before the
commit), the API's record of an idempotency key. Inside ``rollups.batched`` — the transaction of every
dossier write — ``defer`` queues such a statement instead of sending it. The block's end sends the
queue, then the counters, then, when the block is the outermost transaction on PostgreSQL, the COMMIT:
one pipeline, one round trip for them all, where each deferred statement cost one of its own.

A deferred statement that fails fails the transaction at its end, as it would have failed it where it
was written: the block raises and rolls back whole (a block nested with a savepoint drops what it
deferred). Nothing is deferred on another database than PostgreSQL, nor outside a ``batched`` block,
nor for another database alias than the block's: ``defer`` returns False and the caller writes at once.
Each statement's answer (a new row's key) is given to its ``done`` once the pipeline has ended.
"""
from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Sequence
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
          refused: Refusal | None = None) -> bool:
    """Queue ``sql`` to be sent at the end of the thread's ``batched`` block; False (nothing queued) when it
    cannot be (``can_defer``): the caller then writes at once."""
    if not can_defer(using):
        return False
    _state.queue.append(Deferred(sql, list(params), done, refused))
    return True


@contextlib.contextmanager
def answered(writes: Sequence[Deferred]) -> Iterator[None]:
    """Around the sending of ``writes``: a database error that one of them recognises as its refusal is
    raised as the error it gives instead (``Deferred.refused``)."""
    try:
        yield
    except DatabaseError as exc:
        for write in writes:
            other = write.refused(exc) if write.refused is not None else None
            if other is not None:
                raise other from None
        raise


def send(connection: Any, writes: Sequence[Deferred], stack: contextlib.ExitStack) -> list[Any]:
    """Execute ``writes``, each on a cursor kept for its SQL and held open by ``stack`` until their answers
    are read (``finish``); inside the caller's pipeline they go together."""
    cursors = []
    for write in writes:
        cursor = stack.enter_context(kept_cursor(connection, write.sql))
        cursor.execute(write.sql, write.params)
        cursors.append(cursor)
    return cursors


def finish(writes: Sequence[Deferred], cursors: Sequence[Any]) -> None:
    """Each write's answer to its ``done``, once the statements have been answered."""
    for write, cursor in zip(writes, cursors, strict=True):
        if write.done is not None:
            write.done(cursor.fetchall())


def run(connection: Any, writes: Sequence[Deferred]) -> None:
    """``writes`` now, together (one pipeline on PostgreSQL, which is the only database that defers)."""
    if not writes:
        return
    with contextlib.ExitStack() as stack:
        with answered(writes), connection.wrap_database_errors, connection.connection.pipeline():
            cursors = send(connection, writes, stack)
        finish(writes, cursors)
