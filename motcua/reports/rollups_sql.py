"""The rollups of dossiers known only by their final fields, computed in the database.

This is the set-based twin of ``rollups.add_final_state``: a dossier opened on the day it was
received, in the bucket of its due date, then closed (early / on time / late / withdrawn) on the
day it was, or paused before its due instant. The legacy import adds a million dossiers at once;
doing their increments here, in one statement per table, costs a fraction of doing them in Python.
tests/test_import.py holds the two against each other (stored rollups == recount from the events),
and bench/report.py builds its rollups with it.
"""
from __future__ import annotations

from typing import Any

from django.db import connection

from motcua.reports.models import COUNT_FIELDS
from motcua.reports.rollups import CHANNEL_COLUMN, TABLES

FINE_KEYS = ("unit_id", "agency_key", "procedure_id", "level")
SCRATCH = "rollup_final_states"


class Dialect:
    """The few expressions that differ between PostgreSQL and SQLite (instants: timestamptz on
    PostgreSQL; naive UTC text on SQLite, as Django stores them)."""

    def __init__(self, vendor: str | None = None) -> None:
        self.pg = (vendor or connection.vendor) == "postgresql"

    def local_date(self, col: str) -> str:
        return f"(({col}) AT TIME ZONE 'Asia/Ho_Chi_Minh')::date" if self.pg else f"date({col}, '+7 hours')"

    def day_after(self, day: str) -> str:
        return f"(({day}) + 1)" if self.pg else f"date({day}, '+1 day')"

    def month_of(self, day: str) -> str:
        """The first day of the month of a date (SQLite: an ISO 'YYYY-MM-DD' text, cut and patched)."""
        return f"date_trunc('month', {day})::date" if self.pg else f"(substr({day}, 1, 8) || '01')"

    def greatest(self, a: str, b: str) -> str:
        return f"greatest({a}, {b})" if self.pg else f"max({a}, {b})"

    def int_(self, cond: str) -> str:
        return f"({cond})::int" if self.pg else f"({cond})"

    @property
    def temp_schema(self) -> str:
        return "pg_temp" if self.pg else "temp"


def final_state_moves(sql: Dialect, source: str) -> str:
    """One row per move of every dossier of ``source`` (a FROM item with the dossier table's columns):
    the fine key, the day, and the nine counts (columns as COUNT_FIELDS). Each dossier is read once
    and crossed with the five kinds of move; a kind that does not apply to it gives no row."""
    local = sql.local_date
    i = sql.int_
    closed = "(withdrawn_at IS NOT NULL OR finished_at IS NOT NULL)"
    finished, due = local("finished_at"), local("due_at")
    kind = (f"CASE WHEN withdrawn_at IS NOT NULL OR outcome = 'withdrawn' THEN 'w' WHEN due_at IS NULL THEN 'o' "
            f"WHEN {finished} < {due} THEN 'e' WHEN {finished} = {due} THEN 'o' ELSE 'l' END")
    others = ", ".join(f"'{ch}'" for ch in CHANNEL_COLUMN if CHANNEL_COLUMN[ch] != "received_direct")
    online, postal = i("channel = 'online'"), i("channel = 'postal'")
    dossiers = (
        f"SELECT unit_id, COALESCE(agency_id, 0) AS agency_key, procedure_id, level, "
        f"{i(f'channel NOT IN ({others})')} AS direct, {online} AS online, {postal} AS postal, "
        f"{local('received_at')} AS r, "
        f"{local('COALESCE(withdrawn_at, finished_at)')} AS c, {sql.day_after(due)} AS after_due, {kind} AS kind, "
        # paused before its due instant: from its bucket into "within time whatever the day"
        f"CASE WHEN NOT {closed} AND paused_at <= due_at THEN {local('paused_at')} END AS p "
        f"FROM {source} WHERE received_at IS NOT NULL"
    )

    def on(n: int, value: str = "1") -> str:
        return f"CASE WHEN n = {n} THEN {value} ELSE 0 END"

    counts = (
        on(1, "direct"), on(1, "online"), on(1, "postal"),  # received, by channel,
        *(on(3, i(f"kind = '{k}'")) for k in "eolw"),  # closed, by how,
        "CASE n WHEN 1 THEN 1 WHEN 3 THEN -1 ELSE 0 END",  # open from receipt to close,
        "CASE n WHEN 2 THEN 1 WHEN 4 THEN -1 WHEN 5 THEN -1 ELSE 0 END",  # overdue from the day after due
    )
    greatest = sql.greatest
    # The days it enters and leaves the overdue count (closed or paused): when they are the same
    # day — closed or paused in time — the two moves cancel out, and neither is made.
    # (PostgreSQL's greatest() passes over a NULL: each case says when it applies.)
    overdue = (f"SELECT *, {greatest('r', 'after_due')} AS ov_in, CASE WHEN c IS NOT NULL THEN "
               f"{greatest('c', 'after_due')} WHEN p IS NOT NULL THEN {greatest('p', 'after_due')} END AS ov_out "
               f"FROM ({dossiers}) AS x")
    day = "CASE n WHEN 1 THEN r WHEN 2 THEN ov_in WHEN 3 THEN c ELSE ov_out END"
    applies = ("(n = 1 OR (n = 2 AND after_due IS NOT NULL AND (ov_out IS NULL OR ov_out <> ov_in)) "
               "OR (n = 3 AND c IS NOT NULL) "
               "OR (n = 4 AND c IS NOT NULL AND after_due IS NOT NULL AND ov_out <> ov_in) "
               "OR (n = 5 AND p IS NOT NULL AND after_due IS NOT NULL AND ov_out <> ov_in))")
    named = ", ".join(f"{v} AS {c}" for v, c in zip(counts, COUNT_FIELDS, strict=True))
    return (f"WITH d AS MATERIALIZED ({overdue}), k(n) AS (VALUES (1), (2), (3), (4), (5)) "
            f"SELECT unit_id, agency_key, procedure_id, level, {day} AS day, {named} FROM d CROSS JOIN k "
            f"WHERE {applies}")


def add_final_states(source: str, params: list[Any] | tuple[Any, ...] = (), *, merge: str = "upsert") -> None:
    """Add the increments of every dossier of ``source`` (its parameters: ``params``) to the four
    rollup tables, in the current transaction. ``merge="upsert"`` adds with INSERT … ON CONFLICT (the
    tables' unique keys in place); ``"insert"`` updates the rows that exist and inserts the others,
    for a caller that holds the tables locked and has taken their indexes away (PostgreSQL's ON
    CONFLICT costs a unique-index probe and a speculative insertion per row)."""
    sql = Dialect()
    add_moves(sql, final_state_moves(sql, source), list(params), merge=merge)


def add_moves(sql: Dialect, moves: str, params: list[Any] | None = None, *, merge: str) -> None:
    """``moves`` (a SELECT of moves) summed by fine key and day into a scratch table, and that summed
    by (unit, level) and day into another: each daily table takes the rows of its scratch table as
    they are, each monthly one sums them by month. One merge per table."""
    q = connection.ops.quote_name
    named = ", ".join(f"CAST(SUM({c}) AS integer) AS {c}" for c in COUNT_FIELDS)
    fine = ", ".join(FINE_KEYS)
    scratch = {FINE_KEYS: SCRATCH, ("unit_id", "level"): f"{SCRATCH}_units"}
    with connection.cursor() as cursor:
        if sql.pg:
            cursor.execute("SET LOCAL work_mem = '256MB'")  # the GROUP BYs below, in memory
        for table in scratch.values():
            cursor.execute(f"DROP TABLE IF EXISTS {sql.temp_schema}.{table}")
        cursor.execute(f"CREATE TEMPORARY TABLE {SCRATCH} AS SELECT {fine}, day, {named} FROM ({moves}) AS m "
                       f"GROUP BY {fine}, day", params or None)
        cursor.execute(f"CREATE TEMPORARY TABLE {scratch['unit_id', 'level']} AS SELECT unit_id, level, day, {named} "
                       f"FROM {SCRATCH} GROUP BY unit_id, level, day")
        for model, date_column, key_columns, monthly in TABLES.values():
            keys = ", ".join(q(c) for c in key_columns)
            source = scratch[tuple(key_columns)]
            if monthly:
                month = sql.month_of("day")
                grouped = (f"SELECT {keys}, {month} AS {q(date_column)}, {named} FROM {source} WHERE true "
                           f"GROUP BY {keys}, {month} HAVING {' OR '.join(f'SUM({c}) <> 0' for c in COUNT_FIELDS)}")
                # SQLite sorts to group: in that order the rows go into the unique index one after the other.
                order = "" if sql.pg else f" ORDER BY {keys}, {month}"
            else:  # a scratch table's rows are the daily rows already (in key order, on SQLite, as grouped)
                grouped = (f"SELECT {keys}, day AS {q(date_column)}, {', '.join(COUNT_FIELDS)} FROM {source} "
                           f"WHERE {' OR '.join(f'{c} <> 0' for c in COUNT_FIELDS)}")
                order = ""
            _merge(cursor, sql, q(model._meta.db_table), [*key_columns, date_column], grouped + order, merge)
        for table in scratch.values():
            cursor.execute(f"DROP TABLE {sql.temp_schema}.{table}")


def _merge(cursor: Any, sql: Dialect, table: str, key: list[str], grouped: str, merge: str) -> None:
    """Add the rows of ``grouped`` (a SELECT of ``key`` and the counts) to ``table``."""
    q = connection.ops.quote_name
    keys = ", ".join(q(c) for c in key)
    columns = f"{keys}, {', '.join(COUNT_FIELDS)}"
    if merge == "upsert":
        adds = ", ".join(f"{q(c)} = {table}.{q(c)} + excluded.{q(c)}" for c in COUNT_FIELDS)
        cursor.execute(f"INSERT INTO {table} ({columns}) {grouped} ON CONFLICT ({keys}) DO UPDATE SET {adds}")
        return
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")
    if not cursor.fetchone()[0]:  # nothing to add to: the first import into a new system
        cursor.execute(f"INSERT INTO {table} ({columns}) {grouped}")
        return
    same = " AND ".join(f"t.{q(c)} = a.{q(c)}" for c in key)
    added = f"{SCRATCH}_table"
    cursor.execute(f"DROP TABLE IF EXISTS {sql.temp_schema}.{added}")
    cursor.execute(f"CREATE TEMPORARY TABLE {added} AS {grouped}")
    adds = ", ".join(f"{q(c)} = t.{q(c)} + a.{q(c)}" for c in COUNT_FIELDS)
    cursor.execute(f"UPDATE {table} AS t SET {adds} FROM {added} AS a WHERE {same}")
    cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {added} AS a "
                   f"WHERE NOT EXISTS (SELECT 1 FROM {table} AS t WHERE {same})")
    cursor.execute(f"DROP TABLE {sql.temp_schema}.{added}")
