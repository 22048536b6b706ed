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

from dataclasses import dataclass

from motcua.process_cache import ProcessCache

from .models import Procedure, RouteStep


@dataclass(frozen=True)
class Step:
    """One step of a route, as a receipt copies it into the dossier's steps."""

    order: int
    name: str
    role: str
    agency_level: str
    agency_kind: str
    share_minutes: int


_cache: ProcessCache[tuple[Step, ...]] = ProcessCache("MOTCUA_ROUTE_CACHE_SECONDS", 60)
_cache.drop_on(RouteStep, Procedure)


def _read(procedure_id: int) -> tuple[Step, ...]:
    rows = RouteStep.objects.filter(procedure_id=procedure_id).order_by("order").values_list(
        "order", "name", "role", "agency_level", "agency_kind", "share_minutes")
    return tuple(Step(*row) for row in rows)


def route(procedure: Procedure) -> tuple[Step, ...]:
    """The procedure's steps in route order (from the cache when it is fresh)."""
    return _cache.get(procedure.pk, lambda: _read(procedure.pk))


def clear_route_cache() -> None:
    _cache.clear()

