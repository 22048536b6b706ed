"""Legacy import, the writing: batches of valid rows with the DB-API cursor (COPY on PostgreSQL,
executemany elsewhere), their events, and the report rollups."""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db import connection
from django.db.models import JSONField, Model
from django.utils import timezone

from motcua.dossiers.legacy.rows import ACTOR_LABEL, ICT_OFFSET, LegacyRow, _regime_code, events_for, local, status_of
from motcua.dossiers.models import Dossier, DossierEvent, Outcome
from motcua.reports import rollups
from motcua.reports.models import COUNT_FIELDS


def _sqlite_instant(value: dt.datetime | None) -> str | None:
    """What Django's SQLite backend stores for an instant: naive UTC text, '2021-03-01 01:30:00'."""
    return None if value is None else str(value - ICT_OFFSET)


def _pg_instant(value: dt.datetime | None) -> str | None:
    """A timestamptz literal with its offset, for COPY: '2021-03-01 08:30:00+07:00'."""
    return None if value is None else f"{value}+07:00"


class _Facts:
    """What ``rollups.add_final_state`` reads of a dossier, without building a model instance per row."""

    __slots__ = ("received_at", "due_at", "finished_at", "outcome", "withdrawn_at", "paused_at", "unit_id",
                 "agency_id", "procedure_id", "level", "channel")

    def __init__(self, r: LegacyRow, procedure_id: int) -> None:
        self.received_at, self.due_at, self.finished_at = r.received_at, r.due_at, r.finished_at
        self.outcome = r.outcome
        self.withdrawn_at = r.finished_at if r.outcome == Outcome.WITHDRAWN.value else None
        self.paused_at, self.agency_id = None, None
        self.unit_id, self.procedure_id, self.level, self.channel = r.unit_id, procedure_id, r.level, r.channel


class BulkWriter:
    """Writes batches of valid rows with the DB-API cursor: COPY on PostgreSQL, executemany elsewhere.

    Every concrete field of the models is written: the ones the import knows, and the others
    with the model's own default (computed once), so a new field with a default needs no change here.
    """

    DOSSIER_FIELDS = (
        "code", "regime", "procedure_id", "unit_id", "level", "channel", "status", "applicant_name", "applicant_id",
        "applicant_phone", "matter", "received_at", "clock_start", "due_at", "extended_due_at", "supplement_requests",
        "finished_at", "outcome", "returned_at", "withdrawn_at", "imported", "version", "last_event_at", "created_at",
    )
    EVENT_FIELDS = ("dossier_id", "seq", "action", "at", "actor_label", "from_status", "to_status", "payload")
    SQLITE_CACHE_KIB = 128 * 1024  # index pages of a million-row import stay in memory
    ANALYZE_AFTER = frozenset({2, 10, 50, 200})  # batches
    SCRATCH = "legacy_import_rollup"
    SCRATCH_KEYS = (("unit_id", "bigint"), ("agency_key", "bigint"), ("procedure_id", "bigint"),
                    ("level", "varchar(10)"), ("day", "date"), ("month", "date"))

    def __init__(self) -> None:
        self.pg = connection.vendor == "postgresql"
        self.instant = _pg_instant if self.pg else _sqlite_instant
        self.now = self.instant(local(timezone.now()))
        self._dossier_sql, self._dossier_defaults = self._statement(Dossier, self.DOSSIER_FIELDS)
        self._event_sql, self._event_defaults = self._statement(DossierEvent, self.EVENT_FIELDS)
        self._dossier_table = connection.ops.quote_name(Dossier._meta.db_table)
        self._regimes: dict[dt.date, str] = {}
        self._temp = "pg_temp" if self.pg else "temp"  # schema of temporary tables: never drop a real one
        self._create_scratch()
        self._batches = 0
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = -{self.SQLITE_CACHE_KIB}")

    def _statement(self, model: type[Model], given: tuple[str, ...]) -> tuple[str, tuple[Any, ...]]:
        fields = {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}
        others = [f for name, f in fields.items() if name not in given]
        defaults = tuple(
            json.dumps(f.get_default()) if isinstance(f, JSONField) else f.get_db_prep_save(f.get_default(), connection)
            for f in others
        )
        quote = connection.ops.quote_name
        columns = ", ".join([quote(fields[name].column) for name in given] + [quote(f.column) for f in others])
        table = quote(model._meta.db_table)
        if self.pg:
            return f"COPY {table} ({columns}) FROM STDIN", defaults
        marks = ", ".join(["%s"] * (len(given) + len(others)))
        return f"INSERT INTO {table} ({columns}) VALUES ({marks})", defaults

    def _insert(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        with connection.cursor() as cursor:
            if self.pg:
                with cursor.cursor.copy(sql) as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                cursor.executemany(sql, rows)

    def present(self, codes: list[str]) -> dict[str, int]:
        """Code → pk of those of ``codes`` already in the database."""
        with connection.cursor() as cursor:
            if self.pg:
                cursor.execute(f"SELECT code, id FROM {self._dossier_table} WHERE code = ANY(%s)", [codes])
            else:
                marks = ", ".join(["%s"] * len(codes))
                cursor.execute(f"SELECT code, id FROM {self._dossier_table} WHERE code IN ({marks})", codes)
            return dict(cursor.fetchall())

    def regime(self, day: dt.date) -> str:
        if day not in self._regimes:
            self._regimes[day] = _regime_code(day)
        return self._regimes[day]

    def write(self, rows: list[LegacyRow], procedures: dict[str, tuple[int, str]]) -> None:
        self._batches += 1
        if self.pg and self._batches in self.ANALYZE_AFTER:
            # Fresh statistics, or the planner keeps taking the growing tables for empty ones and
            # the look-ups by code (``present``) turn into sequential scans.
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {self._dossier_table}")
        t, histories, dossiers = self.instant, [], []
        withdrawn = Outcome.WITHDRAWN.value
        deltas = rollups.Deltas()
        for r in rows:
            events = events_for(r)
            histories.append(events)
            procedure_id, procedure_name = procedures[r.procedure_code]
            rollups.add_final_state(_Facts(r, procedure_id), deltas)  # type: ignore[arg-type]
            received = t(r.received_at)
            dossiers.append((
                r.code, self.regime(r.received_at.date()), procedure_id, r.unit_id, r.level, r.channel,
                status_of(r), r.applicant_name, r.applicant_id, r.applicant_phone, procedure_name, received, received,
                t(r.due_at), t(r.extended_due_at), r.supplement_requests, t(r.finished_at), r.outcome, t(r.returned_at),
                t(r.finished_at) if r.outcome == withdrawn else None, True, len(events), t(events[-1][1]), self.now,
                *self._dossier_defaults,
            ))
        self._insert(self._dossier_sql, dossiers)
        ids = self.present([r.code for r in rows])
        defaults = self._event_defaults
        self._insert(self._event_sql, [
            (ids[r.code], seq, action, t(at), ACTOR_LABEL, from_status, to_status,
             "{}" if payload is None else json.dumps(payload), *defaults)
            for r, events in zip(rows, histories, strict=True)
            for seq, (action, at, from_status, to_status, payload) in enumerate(events, start=1)
        ])
        # The day-by-day increments of the finest key go to a scratch table; ``finish_rollups`` sums
        # them into the four rollup tables with one INSERT … SELECT … GROUP BY each, in the database.
        self._insert(self._scratch_sql, [
            (*key, day.isoformat(), day.replace(day=1).isoformat(), *(cols.get(c, 0) for c in COUNT_FIELDS))
            for (key, day), cols in deltas.counters.items()
        ])

    def _create_scratch(self) -> None:
        q = connection.ops.quote_name
        columns = ", ".join(f"{q(c)} {t}" for c, t in (*self.SCRATCH_KEYS, *((c, "integer") for c in COUNT_FIELDS)))
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self._temp}.{self.SCRATCH}")
            cursor.execute(f"CREATE TEMPORARY TABLE {self.SCRATCH} ({columns})")
        names = ", ".join(q(c) for c, _t in self.SCRATCH_KEYS) + "".join(f", {q(c)}" for c in COUNT_FIELDS)
        if self.pg:
            self._scratch_sql = f"COPY {self.SCRATCH} ({names}) FROM STDIN"
        else:
            marks = ", ".join(["%s"] * (len(self.SCRATCH_KEYS) + len(COUNT_FIELDS)))
            self._scratch_sql = f"INSERT INTO {self.SCRATCH} ({names}) VALUES ({marks})"

    def finish_rollups(self) -> None:
        """Add the imported dossiers' increments to the report rollups (the services do it per transition)."""
        q = connection.ops.quote_name
        sums = ", ".join(f"SUM({q(c)})" for c in COUNT_FIELDS)
        nonzero = " OR ".join(f"SUM({q(c)}) <> 0" for c in COUNT_FIELDS)
        with connection.cursor() as cursor:
            if self.pg:
                cursor.execute("SET LOCAL work_mem = '256MB'")  # the GROUP BY below, in memory
            for model, date_column, key_columns, monthly in rollups.TABLES.values():
                table = q(model._meta.db_table)
                keys = ", ".join(q(c) for c in key_columns)
                date = q("month" if monthly else "day")
                adds = ", ".join(f"{q(c)} = {table}.{q(c)} + excluded.{q(c)}" for c in COUNT_FIELDS)
                cursor.execute(
                    f"INSERT INTO {table} ({keys}, {q(date_column)}, {', '.join(q(c) for c in COUNT_FIELDS)}) "
                    f"SELECT {keys}, {date}, {sums} FROM {self.SCRATCH} WHERE true GROUP BY {keys}, {date} "
                    f"HAVING {nonzero} ON CONFLICT ({keys}, {q(date_column)}) DO UPDATE SET {adds}"
                )
            cursor.execute(f"DROP TABLE {self._temp}.{self.SCRATCH}")


