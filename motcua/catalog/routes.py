"""A procedure's route (its ``RouteStep`` rows), cached per process: every receipt reads it.

The cache holds immutable copies of the steps, by procedure. It is dropped when a ``RouteStep`` or
a ``Procedure`` is saved or deleted (signals, connected by importing this module from
``CatalogConfig.ready``), and entries expire after ``settings.MOTCUA_ROUTE_CACHE_SECONDS`` (default
60) so that other processes pick up an administrator's change. As for the calendars
(``motcua.units.calendars``), a change made inside a transaction that is still open switches caching
off until the transaction has ended (a rollback must not leave a route built from rows that no
longer exist).
"""
from __future__ import annotations

import threading
import time as monotonic_time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Procedure, RouteStep

_lock = threading.Lock()
_cache: dict[int, tuple[float, tuple[Step, ...]]] = {}
_uncommitted_change = False


@dataclass(frozen=True)
class Step:
    """One step of a route, as a receipt copies it into the dossier's steps."""

    order: int
    name: str
    role: str
    agency_level: str
    agency_kind: str
    share_minutes: int


def _ttl() -> float:
    return float(getattr(settings, "MOTCUA_ROUTE_CACHE_SECONDS", 60))


def _read(procedure_id: int) -> tuple[Step, ...]:
    rows = RouteStep.objects.filter(procedure_id=procedure_id).order_by("order").values_list(
        "order", "name", "role", "agency_level", "agency_kind", "share_minutes")
    return tuple(Step(*row) for row in rows)


def route(procedure: Procedure) -> tuple[Step, ...]:
    """The procedure's steps in route order (from the cache when it is fresh)."""
    global _uncommitted_change
    if _uncommitted_change:
        if connection.in_atomic_block:
            return _read(procedure.pk)
        _uncommitted_change = False  # the transaction that changed the rows has ended, either way
        clear_route_cache()
    now = monotonic_time.monotonic()
    cached = _cache.get(procedure.pk)
    if cached is not None and now - cached[0] < _ttl():
        return cached[1]
    steps = _read(procedure.pk)
    with _lock:
        _cache[procedure.pk] = (now, steps)
    return steps


def clear_route_cache() -> None:
    with _lock:
        _cache.clear()


def _committed() -> None:
    global _uncommitted_change
    _uncommitted_change = False
    clear_route_cache()


@receiver(post_save, sender=RouteStep, dispatch_uid="motcua.routes.step_saved")
@receiver(post_delete, sender=RouteStep, dispatch_uid="motcua.routes.step_deleted")
@receiver(post_save, sender=Procedure, dispatch_uid="motcua.routes.procedure_saved")
@receiver(post_delete, sender=Procedure, dispatch_uid="motcua.routes.procedure_deleted")
def _route_changed(sender: type, **kwargs: object) -> None:
    global _uncommitted_change
    clear_route_cache()
    using = kwargs.get("using") or "default"
    if transaction.get_connection(using).in_atomic_block:
        _uncommitted_change = True
        transaction.on_commit(_committed, using=using)
