"""Keeping the rollups (reports.models: four grains of the same counts) in step with the dossiers.

A dossier's *position* is what the rollups know of it: the day and channel it was received,
how and when it closed (early / on time / late / withdrawn), and, while open, the bucket it
sits in (the local date it is due, or PAUSED_WITHIN). ``record`` turns the change of position
made by one transition into counter increments, written with an upsert per table in the same
transaction. ``replay`` derives every position a dossier went through from its events, which
``verify_counters`` uses to recount everything from scratch.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import connection, transaction

from motcua import last_writes
from motcua.dossiers.lifecycle import EventKind
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.kept_cursors import kept_cursor
from motcua.reports.models import (
    COUNT_FIELDS,
    PAUSED_WITHIN,
    DailyCounter,
    MonthlyCounter,
    UnitDailyCounter,
    UnitMonthlyCounter,
)
from motcua.workdays import local_date, outcome_of

CHANNEL_COLUMN = {"counter": "received_direct", "online": "received_online", "postal": "received_postal"}
CLOSE_COLUMN = {"early": "resolved_early", "on_time": "resolved_on_time", "late": "resolved_late",
                "withdrawn": "withdrawn"}
COUNTER_COLUMNS = COUNT_FIELDS
Key = tuple[int, int, int, str]  # unit, agency_key, procedure, level
# table → (model, date column, key columns taken from the fine key, monthly?)
TABLES = {
    "daily": (DailyCounter, "day", ("unit_id", "agency_key", "procedure_id", "level"), False),
    "monthly": (MonthlyCounter, "month", ("unit_id", "agency_key", "procedure_id", "level"), True),
    "unit_daily": (UnitDailyCounter, "day", ("unit_id", "level"), False),
    "unit_monthly": (UnitMonthlyCounter, "month", ("unit_id", "level"), True),
}
Rows = dict[tuple, dict[str, int]]  # (*key, date) → column → count


@dataclass(frozen=True)
class Position:
    received: dt.date | None = None
    closed: tuple[str, dt.date] | None = None
    bucket: dt.date | None = None  # open dossiers only


def bucket_of(due_at: dt.datetime | None, paused_at: dt.datetime | None) -> dt.date:
    if due_at is None or (paused_at is not None and paused_at <= due_at):
        return PAUSED_WITHIN
    return local_date(due_at)


def overdue_from(day: dt.date, bucket: dt.date) -> dt.date | None:
    """The first day at whose end a dossier that entered (or left) ``bucket`` on ``day`` is (or
    stops being) counted overdue: max(day, bucket + 1); None for a paused dossier."""
    if bucket == PAUSED_WITHIN:
        return None
    return max(day, bucket + dt.timedelta(days=1))


def position(d: Dossier) -> Position:
    """Where the dossier stands now, from its fields."""
    if d.received_at is None:
        return Position()
    received = local_date(d.received_at)
    if d.withdrawn_at is not None:
        return Position(received, ("withdrawn", local_date(d.withdrawn_at)))
    if d.finished_at is not None:
        if d.outcome == "withdrawn":  # imported rows carry withdrawal as an outcome
            return Position(received, ("withdrawn", local_date(d.finished_at)))
        kind = outcome_of(d.finished_at, d.due_at) if d.due_at else "on_time"
        return Position(received, (kind, local_date(d.finished_at)))
    return Position(received, None, bucket_of(d.due_at, d.paused_at))


def key_of(d: Dossier) -> Key:
    return (d.unit_id, d.agency_id or 0, d.procedure_id, d.level)


class Deltas:
    """Increments per (fine key, day) gathered in memory; ``write`` adds them to the four tables."""

    def __init__(self) -> None:
        self.counters: dict[tuple[Key, dt.date], dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def move(self, key: Key, channel: str, before: Position, after: Position, day: dt.date) -> None:
        if before.received is None and after.received is not None:
            self.counters[(key, after.received)][CHANNEL_COLUMN.get(channel, "received_direct")] += 1
        if before.closed is None and after.closed is not None:
            kind, closed_day = after.closed
            self.counters[(key, closed_day)][CLOSE_COLUMN[kind]] += 1
        if before.bucket != after.bucket:
            for bucket, sign in ((before.bucket, -1), (after.bucket, 1)):
                if bucket is None:
                    continue
                self.counters[(key, day)]["open_delta"] += sign
                overdue_day = overdue_from(day, bucket)
                if overdue_day is not None:
                    self.counters[(key, overdue_day)]["overdue_delta"] += sign

    def tables(self) -> dict[str, Rows]:
        """The increments of each table: the daily fine rows, summed by month and/or to (unit, level)."""
        out: dict[str, Rows] = {name: defaultdict(lambda: defaultdict(int)) for name in TABLES}
        for (key, day), cols in self.counters.items():
            month = day.replace(day=1)
            coarse = (key[0], key[3])
            for name, row_key in (("daily", (*key, day)), ("monthly", (*key, month)),
                                  ("unit_daily", (*coarse, day)), ("unit_monthly", (*coarse, month))):
                target = out[name][row_key]
                for column, n in cols.items():
                    target[column] += n
        return out

    def write(self) -> None:
        rows = {name: [(*k, *(cols.get(c, 0) for c in COUNT_FIELDS))
                       # In key order: two transactions upserting rows of the same unit lock them in one order.
                       for k, cols in sorted(table.items()) if any(cols.values())]
                for name, table in self.tables().items()}
        if not any(rows.values()):
            return
        if connection.vendor == "postgresql":
            _upsert_together(rows)
            return
        for name, values in rows.items():
            model, _date_column, key_columns, _monthly = TABLES[name]
            _upsert(model._meta.db_table, _columns(name), len(key_columns) + 1, values)


def _columns(name: str) -> tuple[str, ...]:
    """A rollup table's columns as its rows are written: its key, its date, its counts."""
    _model, date_column, key_columns, _monthly = TABLES[name]
    return (*key_columns, date_column, *COUNT_FIELDS)


def _upsert(table: str, columns: list[str], key_count: int, rows: list[tuple]) -> None:
    """INSERT … ON CONFLICT DO UPDATE adding the increments (SQLite ≥ 3.24 and PostgreSQL)."""
    if not rows:
        return
    q = connection.ops.quote_name
    keys = ", ".join(q(c) for c in columns[:key_count])
    adds = ", ".join(f"{q(c)} = {q(table)}.{q(c)} + excluded.{q(c)}" for c in columns[key_count:])
    placeholders = ", ".join(["%s"] * len(columns))
    sql = (f"INSERT INTO {q(table)} ({', '.join(q(c) for c in columns)}) VALUES ({placeholders}) "
           f"ON CONFLICT ({keys}) DO UPDATE SET {adds}")
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


@functools.cache
def _together_sql() -> str:
    """PostgreSQL: the four tables' upserts as one statement (data-modifying WITH clauses, in table
    order), each table's rows one JSON parameter, taken in key order. The text is the same for every
    transition and has four parameters: with a VALUES list it changed with the number of rows, and the
    driver, which keeps its parsing only for statements of at most 50 parameters, split the 4 KB of it
    around a hundred of them on every receipt."""
    q = connection.ops.quote_name
    parts = []
    for name, (model, _date_column, key_columns, _monthly) in TABLES.items():
        table = q(model._meta.db_table)
        keys = ", ".join(q(c) for c in _columns(name)[:len(key_columns) + 1])
        columns = ", ".join(q(c) for c in _columns(name))
        adds = ", ".join(f"{q(c)} = r.{q(c)} + excluded.{q(c)}" for c in COUNT_FIELDS)
        parts.append(f"INSERT INTO {table} AS r ({columns}) SELECT {columns} FROM "
                     f"json_populate_recordset(NULL::{table}, %s) ORDER BY {keys} "
                     f"ON CONFLICT ({keys}) DO UPDATE SET {adds}")
    *first, last = parts
    return "WITH " + ", ".join(f"u{i} AS ({sql})" for i, sql in enumerate(first)) + " " + last


def _upsert_together(rows: dict[str, list[tuple]]) -> None:
    params = [json.dumps([dict(zip(_columns(name), row, strict=True)) for row in rows[name]], default=str)
              for name in TABLES]
    sql = _together_sql()
    with kept_cursor(connection, sql) as cursor:
        cursor.execute(sql, params)


_batch = threading.local()


@contextlib.contextmanager
def batched(*, whole: bool = False) -> Iterator[None]:
    """A transaction (``transaction.atomic``) whose transitions' counter increments are written once, as
    its last statement, when its block ends without an error. A unit's counter rows are shared by every
    transition of the unit: written last, they stay locked only until the commit, not through the rest
    of the request (an API's answer, its idempotency record). Nothing is written when the block raises;
    inside another ``batched`` block, the outer one writes (without what a block rolled back gathered).

    The statements the block deferred (``motcua.last_writes``: rows nothing reads before the commit) are
    sent at its end, before the increments. When this transaction is the outermost on PostgreSQL, they,
    the increments and the COMMIT go together, the COMMIT right behind the increments,
    without waiting for their answer (the driver's pipeline mode), so the rows are not held while this
    process waits for the answer, then for a CPU, to send the COMMIT: the transaction has ended when
    ``transaction.atomic`` comes to commit it, which then has nothing to do. A failure of any of them (a
    deferred constraint is checked at the COMMIT) is raised inside the block, which rolls back as any
    failure does.

    ``whole=True``: the block fails whole — nothing in it catches a failure of a ``batched`` block inside
    it and goes on (an API request). Those inner blocks then make no savepoint: two statements and their
    round trips fewer, and the transaction's BEGIN goes with its first statement."""
    outer = getattr(_batch, "deltas", None)
    if outer is not None:  # a savepoint in the outer block: what it gathered goes if it rolls back
        kept = {key: dict(columns) for key, columns in outer.counters.items()}
        deferred = last_writes.queued()
        kept_writes = len(deferred)
        try:
            with transaction.atomic(savepoint=not getattr(_batch, "whole", False)):
                yield
        except BaseException:
            outer.counters.clear()
            outer.counters.update((key, defaultdict(int, columns)) for key, columns in kept.items())
            del deferred[kept_writes:]  # never sent: dropped with the rest of the block
            raise
        return
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        _batch.deltas, _batch.whole = Deltas(), whole
        writes = last_writes.open_queue()
        try:
            yield
            deltas = _batch.deltas
        finally:
            _batch.deltas, _batch.whole = None, False
            last_writes.close_queue()
        if connection.vendor != "postgresql" or not (deltas.counters or writes):
            deltas.write()  # (nothing is deferred elsewhere than on PostgreSQL)
            return

        def then() -> None:  # after the deferred writes, in their pipeline: the counters, the COMMIT
            deltas.write()
            if outermost:
                with kept_cursor(connection, "COMMIT") as cursor:
                    cursor.execute("COMMIT")

        last_writes.end(connection, writes, then)


def record(d: Dossier, before: Position, at: dt.datetime) -> None:
    """Called by the services after a transition, in its transaction: written at once, or at the end of
    the ``batched`` block it is in."""
    after = position(d)
    if after == before:
        return
    batch = getattr(_batch, "deltas", None)
    deltas = batch if batch is not None else Deltas()
    deltas.move(key_of(d), d.channel, before, after, local_date(at))
    if batch is None:
        deltas.write()


def add_final_state(d: Dossier, deltas: Deltas) -> None:
    """The moves of a dossier known only by its final fields (a legacy import): opened on the day
    it was received with the due instant it has, then closed — or paused — on the day it was."""
    final = position(d)
    if final.received is None:
        return
    opened = Position(final.received, None, bucket_of(d.due_at, None))
    deltas.move(key_of(d), d.channel, Position(), opened, final.received)
    if final.closed is not None:
        deltas.move(key_of(d), d.channel, opened, final, final.closed[1])
    elif final.bucket != opened.bucket and d.paused_at is not None:
        deltas.move(key_of(d), d.channel, opened, final, local_date(d.paused_at))


# --- recounting from the events -----------------------------------------------------------------

_OPENING = {EventKind.RECEIVE, EventKind.ACCEPT}
_PAUSING = {EventKind.REQUEST_SUPPLEMENT, EventKind.REQUEST_PAYMENT}
_DUE_CHANGING = {EventKind.SUPPLY, EventKind.PAY}
_MOVING_DUE = _DUE_CHANGING | {EventKind.RECOMPUTE_DUE}  # events whose payload has old_due_at, new_due_at
_CLOSING = {EventKind.RESOLVE, EventKind.REFUSE, EventKind.STOP, EventKind.WITHDRAW}


def replay(d: Dossier, events: Iterable[DossierEvent], deltas: Deltas) -> None:
    """Add to ``deltas`` every move the dossier made, as its events tell them."""
    events = list(events)
    changes = [e for e in events if e.action in _MOVING_DUE and e.payload.get("new_due_at")]
    due = dt.datetime.fromisoformat(changes[0].payload["old_due_at"]) if changes else d.due_at
    paused: dt.datetime | None = None
    current = Position()
    key = key_of(d)
    final = position(d)
    for event in events:
        after = current
        if event.action in _OPENING:
            after = Position(local_date(event.at), None, bucket_of(due, None))
        elif current.received is None:
            continue
        elif event.action in _PAUSING and current.bucket is not None:
            paused = event.at
            after = Position(current.received, None, bucket_of(due, paused))
        elif event.action in _DUE_CHANGING and current.bucket is not None:
            if event.payload.get("new_due_at"):
                due = dt.datetime.fromisoformat(event.payload["new_due_at"])
            paused = None
            after = Position(current.received, None, bucket_of(due, None))
        elif event.action == EventKind.RECOMPUTE_DUE and current.bucket is not None:
            due = dt.datetime.fromisoformat(event.payload["new_due_at"])  # the calendar changed; a pause goes on
            after = Position(current.received, None, bucket_of(due, paused))
        elif event.action in _CLOSING:
            after = final if final.closed else current
        deltas.move(key, d.channel, current, after, local_date(event.at))
        current = after


def expected_rows(dossiers: Iterable[Dossier]) -> Deltas:
    deltas = Deltas()
    for d in dossiers:
        replay(d, d.events.all(), deltas)
    return deltas


def recount(batch: int = 2000) -> Deltas:
    """The rollups recomputed from every received dossier's events, in batches."""
    deltas = Deltas()
    ids = list(Dossier.objects.filter(received_at__isnull=False).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        chunk = Dossier.objects.filter(pk__in=ids[start:start + batch]).prefetch_related("events")
        for d in chunk:
            replay(d, sorted(d.events.all(), key=lambda e: e.seq), deltas)
    return deltas


class Stored:
    """The four tables as stored, in the shape of ``Deltas.tables``."""

    def __init__(self, tables: dict[str, Rows]) -> None:
        self._tables = tables

    def tables(self) -> dict[str, Rows]:
        return self._tables


def stored() -> Stored:
    tables: dict[str, Rows] = {}
    for name, (model, date_column, key_columns, _monthly) in TABLES.items():
        rows: Rows = {}
        for row in model.objects.values_list(*key_columns, date_column, *COUNT_FIELDS).iterator(chunk_size=5000):
            rows[tuple(row[:len(key_columns) + 1])] = dict(zip(COUNT_FIELDS, row[len(key_columns) + 1:], strict=True))
        tables[name] = rows
    return Stored(tables)


def normalised(deltas: Deltas | Stored) -> dict[str, Rows]:
    """Each table's rows without zero counts (nor rows of zeros): comparable between a recount and the store."""
    out: dict[str, Rows] = {}
    for name, rows in deltas.tables().items():
        cleaned = {k: {c: n for c, n in cols.items() if n} for k, cols in rows.items()}
        out[name] = {k: v for k, v in cleaned.items() if v}
    return out


def disagreements(expected: Deltas, have: Deltas | Stored) -> dict[str, list[tuple]]:
    """Per table, the keys whose counts differ between ``expected`` and ``have``."""
    want, got = normalised(expected), normalised(have)
    return {name: sorted((k for k in want[name].keys() | got[name].keys() if want[name].get(k) != got[name].get(k)),
                         key=str) for name in TABLES}
