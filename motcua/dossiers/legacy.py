"""Legacy dossiers in: ``python manage.py import_dossiers FILE.csv`` (interfaces.md "import_dossiers").

This module is the one sanctioned bulk writer of dossiers besides ``motcua.dossiers.services``.
The services apply *live* transitions one at a time; the import writes *history* that already
happened in an old system, so it does not replay the lifecycle: it writes each dossier in its
final state (``imported=True``) together with the typed events that got it there, so the
timelines, the control slip and report form 06 read imported dossiers like any other.
No notification is sent for imported history.

The file is read as a stream, in batches, inside one transaction: every row is validated; while
no row has been bad, each batch is written (dossiers, then their events); as soon as one row is
bad the writing stops, the rest of the file is still validated so that every bad row is named,
and the transaction is rolled back. Memory holds one batch, the catalogue, the units, and the set
of codes seen (to find codes that occur twice) — not the rows.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import JSONField, Model
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.catalog.models import Procedure
from motcua.dossiers.lifecycle import Action, Status
from motcua.dossiers.models import Channel, Dossier, DossierEvent, Outcome
from motcua.regimes import REGIMES, regime_at
from motcua.reports import rollups
from motcua.reports.models import COUNT_FIELDS
from motcua.units.models import AdministrativeUnit, Level

REQUIRED = ("code", "procedure_code", "unit_code", "channel", "received_at", "due_at")
OPTIONAL = (
    "procedure_name", "level", "extended_due_at", "supplement_requests", "finished_at", "outcome", "returned_at",
    "applicant_name", "applicant_id", "applicant_phone",
)
COLUMNS = REQUIRED + OPTIONAL
BATCH_SIZE = 5000
ACTOR_LABEL = "nhập dữ liệu cũ"

# (column, stored field, LegacyRow attribute) compared when a code is already in the database.
_COMPARED = (
    ("procedure_code", "procedure__code", "procedure_code"), ("unit_code", "unit_id", "unit_id"),
    *((c, c, c) for c in (
        "level", "channel", "received_at", "due_at", "extended_due_at", "supplement_requests", "finished_at",
        "outcome", "returned_at", "applicant_name", "applicant_id", "applicant_phone")),
)
_MAX_LENGTH = {
    "code": 60, "procedure_code": 30, "procedure_name": 500, "applicant_name": 200, "applicant_id": 20,
    "applicant_phone": 20,
}
_ENUMS = {"level": set(Level.values), "channel": set(Channel.values), "outcome": set(Outcome.values)}
_RETURNABLE = {Outcome.APPROVED.value, Outcome.REFUSED.value}


class ImportFileError(Exception):
    """The file as a whole cannot be read (not UTF-8, not CSV...): one line, nothing imported."""


@dataclass
class Problem:
    row: int  # spreadsheet row number: the header is row 1
    column: str
    reason: str


@dataclass
class Summary:
    imported: int = 0
    skipped: int = 0
    stubs: int = 0
    bad_rows: int = 0
    rows: int = 0


@dataclass(slots=True)
class LegacyRow:
    """One valid CSV row; instants are naive Asia/Ho_Chi_Minh times (see ``parse_instant``)."""

    row: int
    code: str
    procedure_code: str
    procedure_name: str
    unit_code: str
    unit_id: int
    level: str
    channel: str
    received_at: dt.datetime
    due_at: dt.datetime
    extended_due_at: dt.datetime | None
    supplement_requests: int
    finished_at: dt.datetime | None
    outcome: str
    returned_at: dt.datetime | None
    applicant_name: str
    applicant_id: str
    applicant_phone: str


# Instants are kept as naive Asia/Ho_Chi_Minh wall-clock times (the CSV's own convention) from
# parsing to writing: Asia/Ho_Chi_Minh has been UTC+07:00, without daylight saving, since 1975, and
# attaching or converting time zones costs more than the rest of the work on millions of values.
ICT = dt.timezone(dt.timedelta(hours=7), "ICT")
ICT_OFFSET = dt.timedelta(hours=7)


def parse_instant(text: str) -> dt.datetime:
    """ISO 8601 → naive Asia/Ho_Chi_Minh time; a value without an offset is already that. Raises ValueError."""
    value = dt.datetime.fromisoformat(text)
    return value if value.tzinfo is None else value.astimezone(ICT).replace(tzinfo=None)


def local(value: dt.datetime | None) -> dt.datetime | None:
    """A stored (aware) instant as a naive Asia/Ho_Chi_Minh time, to compare with parsed ones."""
    return None if value is None else value.astimezone(ICT).replace(tzinfo=None)


def _sqlite_instant(value: dt.datetime | None) -> str | None:
    """What Django's SQLite backend stores for an instant: naive UTC text, '2021-03-01 01:30:00'."""
    return None if value is None else str(value - ICT_OFFSET)


def _pg_instant(value: dt.datetime | None) -> str | None:
    """A timestamptz literal with its offset, for COPY: '2021-03-01 08:30:00+07:00'."""
    return None if value is None else f"{value}+07:00"


class UnitIndex:
    """Every unit version in memory (thousands): code → versions sorted by ``valid_from``."""

    def __init__(self) -> None:
        self._versions: dict[str, list[tuple[dt.date, dt.date, int, str]]] = defaultdict(list)
        rows = AdministrativeUnit.objects.values_list("code", "valid_from", "valid_to", "pk", "level")
        for code, valid_from, valid_to, pk, level in rows.order_by("code", "valid_from"):
            self._versions[code].append((valid_from, valid_to or dt.date.max, pk, level))
        self._starts = {code: [v[0] for v in versions] for code, versions in self._versions.items()}

    def find(self, code: str, day: dt.date) -> tuple[int, str] | str:
        """(pk, level) of the version of ``code`` valid on ``day``, else the reason why not."""
        versions = self._versions.get(code)
        if not versions:
            return _("unknown administrative unit %(code)r") % {"code": code}
        i = bisect_right(self._starts[code], day) - 1
        if i >= 0 and day <= versions[i][1]:
            return versions[i][2], versions[i][3]
        spans = ", ".join(f"{f.isoformat()}..{'' if t == dt.date.max else t.isoformat()}" for f, t, _p, _l in versions)
        return _("unit %(code)r is not valid on %(day)s (valid %(spans)s)") % {
            "code": code, "day": day.isoformat(), "spans": spans}


def _regime_code(day: dt.date) -> str:
    # Dossiers received before 2018-06-21 get the 2018 regime: it is the earliest one modelled.
    if day < REGIMES[0].valid_from:
        return REGIMES[0].code
    return regime_at(day).code


class RowParser:
    """Turns one CSV record into a ``LegacyRow`` or a list of (column, reason)."""

    def __init__(self, header: list[str], units: UnitIndex) -> None:
        self.index = {name: i for i, name in enumerate(header)}
        self.width = len(header)
        self.units = units
        self._present = [c for c in COLUMNS if c in self.index]

    def parse(self, row_no: int, record: list[str]) -> LegacyRow | list[tuple[str, str]]:
        if len(record) != self.width:
            return [("", _("%(n)d values, the header has %(m)d") % {"n": len(record), "m": self.width})]
        problems: list[tuple[str, str]] = []
        v = {c: record[self.index[c]].strip() for c in self._present}
        for column in REQUIRED:
            if not v[column]:
                problems.append((column, _("missing")))
        for column, limit in _MAX_LENGTH.items():
            if len(v.get(column, "")) > limit:
                problems.append((column, _("longer than %(n)d characters") % {"n": limit}))
        for column, allowed in _ENUMS.items():
            if v.get(column) and v[column] not in allowed:
                problems.append((column, _("%(value)r is not one of %(allowed)s") % {
                    "value": v[column], "allowed": ", ".join(sorted(allowed))}))
        instants: dict[str, dt.datetime | None] = {}
        for column in ("received_at", "due_at", "extended_due_at", "finished_at", "returned_at"):
            text = v.get(column, "")
            instants[column] = None
            if text:
                try:
                    instants[column] = parse_instant(text)
                except ValueError:
                    problems.append((column, _("not an ISO 8601 instant: %(value)r") % {"value": text}))
        supplements = 0
        if v.get("supplement_requests"):
            try:
                supplements = int(v["supplement_requests"])
                if not 0 <= supplements <= 32767:
                    raise ValueError
            except ValueError:
                problems.append(("supplement_requests", _("not a whole number ≥ 0: %(value)r") % {
                    "value": v["supplement_requests"]}))
        received, finished, returned = instants["received_at"], instants["finished_at"], instants["returned_at"]
        outcome = v.get("outcome", "")
        if finished is not None and received is not None and finished < received:
            problems.append(("finished_at", _("before received_at")))
        if v.get("finished_at") and not outcome:
            problems.append(("outcome", _("required when finished_at is set")))
        if outcome and not v.get("finished_at"):
            problems.append(("finished_at", _("required when outcome is set")))
        if v.get("returned_at"):
            if not v.get("finished_at"):
                problems.append(("returned_at", _("set but finished_at is empty")))
            elif returned is not None and finished is not None and returned < finished:
                problems.append(("returned_at", _("before finished_at")))
            elif outcome in _ENUMS["outcome"] and outcome not in _RETURNABLE:
                problems.append(("returned_at", _("a %(outcome)s dossier has no result to return") % {
                    "outcome": outcome}))
        unit: tuple[int, str] | str = (0, "")
        if received is not None and v["unit_code"]:
            unit = self.units.find(v["unit_code"], received.date())
            if isinstance(unit, str):
                problems.append(("unit_code", unit))
        if problems:
            return problems
        assert received is not None and instants["due_at"] is not None and not isinstance(unit, str)
        return LegacyRow(
            row=row_no, code=v["code"], procedure_code=v["procedure_code"], procedure_name=v.get("procedure_name", ""),
            unit_code=v["unit_code"], unit_id=unit[0], level=v.get("level") or unit[1], channel=v["channel"],
            received_at=received, due_at=instants["due_at"], extended_due_at=instants["extended_due_at"],
            supplement_requests=supplements, finished_at=finished, outcome=outcome, returned_at=returned,
            applicant_name=v.get("applicant_name", ""), applicant_id=v.get("applicant_id", ""),
            applicant_phone=v.get("applicant_phone", ""),
        )


def check_header(header: list[str]) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    seen: set[str] = set()
    for name in header:
        if name in seen:
            problems.append((name, _("appears twice in the header")))
        seen.add(name)
        if name not in COLUMNS:
            problems.append((name, _("unknown column (columns: %(columns)s)") % {"columns": ", ".join(COLUMNS)}))
    problems += [(c, _("required column missing")) for c in REQUIRED if c not in seen]
    return problems


# Plain strings (not the enums): the bulk writer binds millions of them.
RECEIVED, IN_PROCESSING, RETURNED = Status.RECEIVED.value, Status.IN_PROCESSING.value, Status.RETURNED.value
_FINISH = {
    outcome.value: (action.value, status.value) for outcome, action, status in (
        (Outcome.APPROVED, Action.RESOLVE, Status.RESULT_READY), (Outcome.REFUSED, Action.REFUSE, Status.REFUSED),
        (Outcome.STOPPED, Action.STOP, Status.STOPPED), (Outcome.WITHDRAWN, Action.WITHDRAW, Status.WITHDRAWN))
}
Event = tuple[str, dt.datetime, str, str, "dict[str, Any] | None"]


def events_for(row: LegacyRow) -> list[Event]:
    """The typed events of an imported dossier: (action, at, from_status, to_status, payload or None)."""
    events: list[Event] = [("receive", row.received_at, "", RECEIVED, None)]
    if row.extended_due_at is not None:
        # When the apology was sent is not in the old data: it is dated at receipt and marked as imported.
        events.append((Action.APOLOGIZE.value, row.received_at, RECEIVED, RECEIVED, {
            "original_due_at": f"{row.due_at.isoformat()}+07:00",
            "new_due_at": f"{row.extended_due_at.isoformat()}+07:00",
            "imported": True}))
    if row.finished_at is not None:
        # Nor are the steps between receipt and the end: the finishing event starts from
        # in_processing, where the lifecycle table has it.
        action, status = _FINISH[row.outcome]
        events.append((action, row.finished_at, IN_PROCESSING, status, None))
        if row.returned_at is not None:
            events.append((Action.RETURN.value, row.returned_at, status, RETURNED, None))
    return events


def status_of(row: LegacyRow) -> str:
    if row.finished_at is None:
        return IN_PROCESSING
    if row.returned_at is not None:
        return RETURNED
    return _FINISH[row.outcome][1]


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


Reporter = Callable[[int, list[tuple[str, str]]], None]


class Importer:
    """One run over one file: validate every row, write batches while no row has been bad."""

    def __init__(self, *, dry_run: bool, report: Reporter, progress: Callable[[int], None] | None = None) -> None:
        self.dry_run = dry_run
        self.report = report
        self.progress = progress
        self.summary = Summary()
        self.procedures: dict[str, tuple[int, str]] = {}
        self.stub_codes: set[str] = set()
        self.seen: dict[str, int] = {}  # code → first row: the only thing kept for every row
        self.pending: list[LegacyRow] = []
        self.problems: list[tuple[int, list[tuple[str, str]]]] = []
        self.batch_rows = 0
        self.writer: BulkWriter | None = None

    def run(self, reader: Iterator[list[str]]) -> Summary:
        try:
            header = [name.strip() for name in next(reader)]
        except StopIteration:
            raise ImportFileError(_("the file is empty: no header row")) from None
        problems = check_header(header)
        if problems:
            self.report(1, problems)
            self.summary.bad_rows = 1
            return self.summary
        parser = RowParser(header, UnitIndex())
        self.procedures = {code: (pk, name) for code, pk, name in Procedure.objects.values_list("code", "pk", "name")}
        code_at = header.index("code")
        with transaction.atomic():
            self.writer = BulkWriter()
            row_no = 1
            for row_no, record in enumerate(reader, start=2):
                self.batch_rows += 1
                if not record or not any(value.strip() for value in record):
                    continue  # a blank line
                self.summary.rows += 1
                self._take(row_no, record, parser, code_at)
                if self.batch_rows >= BATCH_SIZE:
                    self._flush()
            self._flush()
            if not self.summary.bad_rows and not self.dry_run:
                self.writer.finish_rollups()
            if self.summary.bad_rows or self.dry_run:
                transaction.set_rollback(True)
        return self.summary

    def _take(self, row_no: int, record: list[str], parser: RowParser, code_at: int) -> None:
        result = parser.parse(row_no, record)
        code = record[code_at].strip() if code_at < len(record) else ""
        if code:
            first = self.seen.setdefault(code, row_no)
            if first != row_no:
                duplicate = ("code", _("%(code)r is also on row %(row)d") % {"code": code, "row": first})
                result = [duplicate, *(result if isinstance(result, list) else [])]
        if isinstance(result, list):
            self.problems.append((row_no, result))
        else:
            self.pending.append(result)

    def _flush(self) -> None:
        rows = self._without_present(self.pending)
        for row_no, problems in sorted(self.problems):
            self.report(row_no, problems)
        self.summary.bad_rows += len(self.problems)
        if rows and not self.summary.bad_rows:
            self._ensure_procedures(rows)
            if not self.dry_run:
                assert self.writer is not None
                self.writer.write(rows, self.procedures)
            self.summary.imported += len(rows)
        if self.progress is not None and self.batch_rows:
            self.progress(self.batch_rows)
        self.pending, self.problems, self.batch_rows = [], [], 0

    def _without_present(self, rows: list[LegacyRow]) -> list[LegacyRow]:
        """Drop rows already in the database, identical (skipped) or not (a bad row)."""
        if not rows:
            return rows
        assert self.writer is not None
        present = self.writer.present([r.code for r in rows])
        if not present:
            return rows
        stored = {
            values[0]: values[1:]
            for values in Dossier.objects.filter(code__in=present).values_list(
                "code", *(field for _c, field, _a in _COMPARED))
        }
        kept = []
        for r in rows:
            if r.code not in stored:
                kept.append(r)
                continue
            pairs = zip(_COMPARED, stored[r.code], strict=True)
            differ = [c for (c, _f, attr), old in pairs
                      if getattr(r, attr) != (local(old) if isinstance(old, dt.datetime) else old)]
            if differ:
                self.problems.append((r.row, [("code", _(
                    "%(code)r is already in the database with different values in: %(columns)s") % {
                    "code": r.code, "columns": ", ".join(differ)})]))
            else:
                self.summary.skipped += 1
        return kept

    def _ensure_procedures(self, rows: list[LegacyRow]) -> None:
        """Unknown procedure codes become catalogue stubs named by procedure_name (or their code)."""
        for r in rows:
            if r.procedure_code in self.procedures or r.procedure_code in self.stub_codes:
                continue
            name = r.procedure_name or next(
                (o.procedure_name for o in rows if o.procedure_code == r.procedure_code and o.procedure_name), "")
            self.summary.stubs += 1
            if self.dry_run:
                self.stub_codes.add(r.procedure_code)
                self.procedures[r.procedure_code] = (0, name or r.procedure_code)
            else:
                stub = Procedure.objects.create(code=r.procedure_code, name=name or r.procedure_code, is_stub=True)
                self.procedures[r.procedure_code] = (stub.pk, stub.name)


def import_dossiers(
    stream: Any, *, dry_run: bool = False, report: Reporter, progress: Callable[[int], None] | None = None
) -> Summary:
    """Import a legacy CSV from a text stream (opened with ``newline=""``); see interfaces.md."""
    reader = csv.reader(stream)
    try:
        return Importer(dry_run=dry_run, report=report, progress=progress).run(reader)
    except UnicodeDecodeError:
        raise ImportFileError(_("not UTF-8 text (near line %(line)d)") % {"line": reader.line_num + 1}) from None
    except csv.Error as exc:
        raise ImportFileError(_("line %(line)d: not valid CSV: %(error)s") % {
            "line": reader.line_num, "error": exc}) from None
