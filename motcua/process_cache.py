"""A per-process cache of values built from database rows (calendars, routes), dropped when the rows
change: at once in this process (``changed``, from the rows' signals: ``drop_on``), after ``ttl_setting`` seconds in
the others. A change made inside a transaction still open switches the cache off for that transaction
until it has ended, committed or rolled back (a value built from its own uncommitted rows is never kept;
other threads, which do not see those rows, go on using the cache)."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models.signals import post_delete, post_save

V = TypeVar("V")


class ProcessCache(Generic[V]):
    def __init__(self, ttl_setting: str, default_ttl: float) -> None:
        self._ttl_setting, self._default_ttl = ttl_setting, default_ttl
        self._lock = threading.Lock()
        self._entries: dict[Hashable, tuple[float, V]] = {}
        self._pending: set[Any] = set()  # connections whose open transaction changed the rows

    def get(self, key: Hashable, build: Callable[[], V], keep: Callable[[V], bool] | None = None) -> V:
        """The value kept for ``key`` if younger than the setting's seconds, else ``build()``'s, kept unless
        ``keep`` says no (a miss that anyone could cause, kept, would let them fill the process's memory)."""
        if self._changed_here():
            return build()
        now = time.monotonic()
        cached = self._entries.get(key)
        if cached is not None and now - cached[0] < float(getattr(settings, self._ttl_setting, self._default_ttl)):
            return cached[1]
        value = build()
        if keep is None or keep(value):
            with self._lock:
                self._entries[key] = (now, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def _changed_here(self) -> bool:
        """Whether this thread's open transaction changed the rows (its values are then built anew, never
        kept). Once that transaction has ended the cache serves again: committed, ``_committed`` said so;
        rolled back (or its savepoint), Django dropped the ``on_commit`` callback ``changed`` registered."""
        if not self._pending:  # the usual case: one look at a set
            return False
        conn = connections[DEFAULT_DB_ALIAS]
        if conn not in self._pending:
            return False
        if conn.in_atomic_block and any(entry[1] == self._committed for entry in conn.run_on_commit):
            return True
        self._pending.discard(conn)
        self.clear()
        return False

    def _committed(self) -> None:
        for conn in connections.all(initialized_only=True):
            self._pending.discard(conn)
        self.clear()

    def changed(self, using: str | None = None) -> None:
        """The rows the values are built from changed (a model signal, on the database ``using``)."""
        self.clear()
        using = using or DEFAULT_DB_ALIAS
        conn = transaction.get_connection(using)
        if conn.in_atomic_block:
            self._pending.add(conn)
            transaction.on_commit(self._committed, using=using)

    def forget_changes(self) -> None:
        """Tests: as in a process whose changes were committed (the test's transaction never commits)."""
        self._pending.discard(connections[DEFAULT_DB_ALIAS])

    def drop_on(self, *senders: type[models.Model]) -> None:
        """Drop the values whenever a row of one of ``senders`` is saved or deleted (``changed``)."""
        for sender in senders:
            for signal in (post_save, post_delete):
                signal.connect(self._on_signal, sender=sender, weak=False,
                               dispatch_uid=("motcua.process_cache", id(self), sender._meta.label, id(signal)))

    def _on_signal(self, sender: type, **kwargs: object) -> None:
        self.changed(kwargs.get("using"))  # type: ignore[arg-type]
