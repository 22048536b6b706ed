"""Keeping the rollups (DailyCounter, OpenLedger) in step with the dossiers.

A dossier's *position* is what the rollups know of it: the day and channel it was received,
how and when it closed (early / on time / late / withdrawn), and, while open, the bucket it
sits in (the local date it is due, or PAUSED_WITHIN). ``record`` turns the change of position
made by one transition into counter increments, written with an upsert in the same
transaction. ``replay`` derives every position a dossier went through from its events, which
``verify_counters`` uses to recount everything from scratch.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection

from motcua.dossiers.models import Dossier, DossierEvent
from motcua.reports.models import PAUSED_WITHIN, DailyCounter, OpenLedger
from motcua.workdays import local_date, outcome_of

CHANNEL_COLUMN = {"counter": "received_direct", "online": "received_online", "postal": "received_postal"}
CLOSE_COLUMN = {"early": "resolved_early", "on_time": "resolved_on_time", "late": "resolved_late",
                "withdrawn": "withdrawn"}
COUNTER_COLUMNS = (*CHANNEL_COLUMN.values(), *CLOSE_COLUMN.values())
Key = tuple[int, int, int, str]  # unit, agency_key, procedure, level


@dataclass(frozen=True)
class Position:
    received: dt.date | None = None
    closed: tuple[str, dt.date] | None = None
    bucket: dt.date | None = None  # open dossiers only


def bucket_of(due_at: dt.datetime | None, paused_at: dt.datetime | None) -> dt.date:
    if due_at is None or (paused_at is not None and paused_at <= due_at):
        return PAUSED_WITHIN
    return local_date(due_at)


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
    """Increments gathered in memory, written in one upsert per table."""

    def __init__(self) -> None:
        self.counters: dict[tuple[Key, dt.date], dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.ledger: dict[tuple[Key, dt.date, dt.date], int] = defaultdict(int)

    def move(self, key: Key, channel: str, before: Position, after: Position, day: dt.date) -> None:
        if before.received is None and after.received is not None:
            self.counters[(key, after.received)][CHANNEL_COLUMN.get(channel, "received_direct")] += 1
        if before.closed is None and after.closed is not None:
            kind, closed_day = after.closed
            self.counters[(key, closed_day)][CLOSE_COLUMN[kind]] += 1
        if before.bucket != after.bucket:
            if before.bucket is not None:
                self.ledger[(key, day, before.bucket)] -= 1
            if after.bucket is not None:
                self.ledger[(key, day, after.bucket)] += 1

    def write(self) -> None:
        counter_rows = [
            (day, *key, *(cols.get(c, 0) for c in COUNTER_COLUMNS)) for (key, day), cols in self.counters.items()
        ]
        ledger_rows = [(day, due, *key, n) for (key, day, due), n in self.ledger.items() if n]
        _upsert(DailyCounter._meta.db_table, ["day", "unit_id", "agency_key", "procedure_id", "level",
                                              *COUNTER_COLUMNS], 5, counter_rows)
        _upsert(OpenLedger._meta.db_table, ["day", "due_day", "unit_id", "agency_key", "procedure_id", "level",
                                            "delta"], 6, ledger_rows)


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


def record(d: Dossier, before: Position, at: dt.datetime) -> None:
    """Called by the services after a transition, in its transaction."""
    after = position(d)
    if after == before:
        return
    deltas = Deltas()
    deltas.move(key_of(d), d.channel, before, after, local_date(at))
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

_OPENING = {"receive", "accept"}
_PAUSING = {"request_supplement", "request_payment"}
_DUE_CHANGING = {"supply", "pay", "recompute"}


def replay(d: Dossier, events: Iterable[DossierEvent], deltas: Deltas) -> None:
    """Add to ``deltas`` every move the dossier made, as its events tell them."""
    events = list(events)
    changes = [e for e in events if e.action in _DUE_CHANGING and e.payload.get("new_due_at")]
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
        elif event.action in {"resolve", "refuse", "stop", "withdraw"}:
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


def stored() -> Deltas:
    deltas = Deltas()
    for row in DailyCounter.objects.values("day", "unit_id", "agency_key", "procedure_id", "level",
                                           *COUNTER_COLUMNS):
        key = (row["unit_id"], row["agency_key"], row["procedure_id"], row["level"])
        for column in COUNTER_COLUMNS:
            if row[column]:
                deltas.counters[(key, row["day"])][column] = row[column]
    for row in OpenLedger.objects.exclude(delta=0).values_list("day", "due_day", "unit_id", "agency_key",
                                                             "procedure_id", "level", "delta"):
        day, due, *key, n = row
        deltas.ledger[(tuple(key), day, due)] = n  # type: ignore[index]
    return deltas


def normalised(deltas: Deltas) -> tuple[dict, dict]:
    counters = {k: {c: n for c, n in cols.items() if n} for k, cols in deltas.counters.items()}
    return ({k: v for k, v in counters.items() if v}, {k: n for k, n in deltas.ledger.items() if n})
