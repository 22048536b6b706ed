"""A per-process cache of values built from database rows (calendars, routes), dropped when the rows
change: at once in this process (``changed``, from the rows' signals: ``drop_on``), after ``ttl_setting`` seconds in
the others. A change made inside a transaction still open switches the cache off until that
transaction has ended (a rollback must not leave a value built from rows that no longer exist)."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models.signals import post_delete, post_save

V = TypeVar("V")


class ProcessCache(Generic[V]):
    def __init__(self, ttl_setting: str, default_ttl: float) -> None:
        self._ttl_setting, self._default_ttl = ttl_setting, default_ttl
        self._lock = threading.Lock()
        self._entries: dict[Hashable, tuple[float, V]] = {}
        self._uncommitted_change = False

    def get(self, key: Hashable, build: Callable[[], V]) -> V:
        if self._uncommitted_change:
            if connection.in_atomic_block:
                return build()
            self._uncommitted_change = False  # the transaction that changed the rows has ended, either way
            self.clear()
        now = time.monotonic()
        cached = self._entries.get(key)
        if cached is not None and now - cached[0] < float(getattr(settings, self._ttl_setting, self._default_ttl)):
            return cached[1]
        value = build()
        with self._lock:
            self._entries[key] = (now, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def _committed(self) -> None:
        self._uncommitted_change = False
        self.clear()

    def changed(self, using: str | None = None) -> None:
        """The rows the values are built from changed (a model signal, on the database ``using``)."""
        self.clear()
        using = using or "default"
        if transaction.get_connection(using).in_atomic_block:
            self._uncommitted_change = True
            transaction.on_commit(self._committed, using=using)

    def drop_on(self, *senders: type[models.Model]) -> None:
        """Drop the values whenever a row of one of ``senders`` is saved or deleted (``changed``)."""
        for sender in senders:
            for signal in (post_save, post_delete):
                signal.connect(self._on_signal, sender=sender, weak=False,
                               dispatch_uid=("motcua.process_cache", id(self), sender._meta.label, id(signal)))

    def _on_signal(self, sender: type, **kwargs: object) -> None:
        self.changed(kwargs.get("using"))  # type: ignore[arg-type]
