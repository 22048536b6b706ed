"""A dossier's steps (the control slip) as the services write them: copied from the procedure's route
at receipt, given their due instants, moved on by a hand-over. Called by ``services`` only (the one
writer), inside its transaction, the dossier's row locked.

The steps of a dossier being changed are read once, with its locked row (``DossierWriter`` prefetches
them); the handlers change those objects and write them, so what a transition reads after a write is
what the database holds.
"""
from __future__ import annotations

import datetime as dt

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

from motcua.catalog import routes
from motcua.dossiers.models import Dossier, DossierStep
from motcua.kept_cursors import kept_cursor
from motcua.prepared import Write
from motcua.process_cache import ProcessCache
from motcua.units.models import AdministrativeUnit, Agency
from motcua.workdays import Calendar


def schedule(dossier: Dossier, calendar: Calendar, start: dt.datetime, remaining: int, first_open: int) -> None:
    """Give each unfinished step a due instant: the remaining time, spent in route order."""
    steps = [s for s in dossier.steps.all() if s.order >= first_open and s.finished_at is None]
    plan(steps, calendar, start, remaining)
    DossierStep.objects.bulk_update(steps, ["due_at"])


def plan(steps: list[DossierStep], calendar: Calendar, start: dt.datetime, remaining: int) -> None:
    """Each step's due instant (in memory): the remaining time, spent in route order."""
    later = sum(s.share_minutes for s in steps)
    for step in steps:
        later -= step.share_minutes
        step.due_at = calendar.add_working_time(start, max(remaining - later, 0))


def new_steps(dossier: Dossier) -> list[DossierStep]:
    """The dossier's steps from its procedure's route (not yet written; the route and the agencies that
    perform its steps from the per-process caches)."""
    return [DossierStep(dossier=dossier, order=step.order, name=step.name, role=step.role,
                        agency_id=step_agency_id(dossier, step.agency_level, step.agency_kind),
                        share_minutes=step.share_minutes)
            for step in routes.route(dossier.procedure)]


# Which agency performs a step of a given level and kind, for a dossier of a unit received by an agency:
# read by every receipt (the unit's ancestors, then the agency), cached per process like the routes,
# dropped when an agency or a unit is saved or deleted.
_step_agencies: ProcessCache[int | None] = ProcessCache("MOTCUA_ROUTE_CACHE_SECONDS", 60)
_step_agencies.drop_on(Agency, AdministrativeUnit)


def step_agency_id(dossier: Dossier, level: str, kind: str) -> int | None:
    if not level and not kind:
        return dossier.agency_id

    def build() -> int | None:
        agency = agency_for_step(dossier, level, kind)
        return agency.pk if agency is not None else None

    return _step_agencies.get((dossier.unit_id, dossier.agency_id, level, kind), build)


def clear_step_agency_cache() -> None:
    _step_agencies.clear()


def agency_for_step(dossier: Dossier, level: str, kind: str) -> Agency | None:
    """The agency that performs a route step: same unit tree, the level and kind named."""
    if not level and not kind:
        return dossier.agency
    unit = next((u for u in dossier.unit.ancestors() if not level or u.level == level), None)
    if unit is None:
        return dossier.agency
    agencies = Agency.objects.filter(unit=unit)
    if kind:
        agencies = agencies.filter(kind=kind)
    return agencies.order_by("code").first() or dossier.agency


def finish_current(dossier: Dossier, at: dt.datetime, writes: list[Write] | None = None) -> None:
    """The current step (if any, and not finished yet) finished at ``at``, in one UPDATE: run now, or, with
    ``writes``, added to them (the writer sends them with the dossier's own UPDATE)."""
    if dossier.current_step:
        connection = connections[dossier._state.db or "default"]
        instant = DossierStep._meta.get_field("finished_at").get_db_prep_save(at, connection)
        _write(connection, (_step_sql(connection, "finish"), [instant, dossier.pk, dossier.current_step]), writes)
        for step in dossier.steps.all():
            if step.order == dossier.current_step and step.finished_at is None:
                step.finished_at = at


def move_on(dossier: Dossier, at: dt.datetime, agency: Agency | None,
            writes: list[Write] | None = None) -> DossierStep | None:
    """A hand-over's move, in one UPDATE of the two rows (run now, or added to ``writes``): the current
    step (if any, and not finished yet) finished at ``at``, the next one started at ``at`` (given to
    ``agency`` when one is named). Moves ``dossier.current_step`` on; returns the next step (from the
    steps read with the dossier)."""
    done, following = dossier.current_step, dossier.current_step + 1
    using = dossier._state.db or "default"
    connection = connections[using]
    meta = DossierStep._meta
    instant = meta.get_field("started_at").get_db_prep_save(at, connection)
    params: list = [done, instant, following, instant]
    if agency is not None:
        params += [following, agency.pk]
    params += [dossier.pk, done, following]
    _write(connection, (_step_sql(connection, "move_to_agency" if agency is not None else "move"), params), writes)
    dossier.current_step = following
    nxt = None
    for step in dossier.steps.all():  # the objects read with the dossier, kept as the rows now are
        if step.order == done and step.finished_at is None:
            step.finished_at = at
        elif step.order == following:
            step.started_at = at
            if agency is not None:
                step.agency = agency
            nxt = step
    return nxt


def _write(connection: BaseDatabaseWrapper, write: Write, writes: list[Write] | None) -> None:
    if writes is not None:
        writes.append(write)
        return
    with kept_cursor(connection, write[0]) as cursor:
        cursor.execute(*write)


def _step_sql(connection: BaseDatabaseWrapper, kind: str) -> str:
    """The steps' UPDATEs, kept per connection (the same text every time): "finish" the current step;
    a hand-over's "move" (or "move_to_agency"), one UPDATE of two rows."""
    cache = connection.__dict__.setdefault("_motcua_step_sql", {})
    if kind not in cache:
        quote, meta = connection.ops.quote_name, DossierStep._meta

        def col(name: str) -> str:
            return quote(meta.get_field(name).column)

        def when(order_test: str, name: str) -> str:
            return f"{col(name)} = CASE WHEN {order_test} THEN %s ELSE {col(name)} END"

        table = quote(meta.db_table)
        if kind == "finish":
            cache[kind] = (f"UPDATE {table} SET {col('finished_at')} = %s WHERE {col('dossier')} = %s "
                           f"AND {col('order')} = %s AND {col('finished_at')} IS NULL")
        else:
            sets = [when(f"{col('order')} = %s AND {col('finished_at')} IS NULL", "finished_at"),
                    when(f"{col('order')} = %s", "started_at")]
            if kind == "move_to_agency":
                sets.append(when(f"{col('order')} = %s", "agency"))
            cache[kind] = (f"UPDATE {table} SET {', '.join(sets)} "
                           f"WHERE {col('dossier')} = %s AND {col('order')} IN (%s, %s)")
    return cache[kind]
