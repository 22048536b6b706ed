"""Legacy import, the writing: batches of valid rows with the DB-API cursor (COPY on PostgreSQL,
executemany elsewhere), their events (made by the database from the rows written: ``events_sql``),
the codes and problems of every row (temporary tables), and the report rollups.

A large import (``bulk``) writes as a database restore does: the indexes of the dossier, event and
rollup tables (and, on PostgreSQL, their foreign keys and the unique keys of events and rollups) are
dropped when writing starts and rebuilt, in the same transaction, at the end (``bulk.py``): sorting
a million keys once is several times cheaper than inserting them one by one. The dossier codes keep
their unique index: each batch is checked against it. The price is that these tables are locked for
the length of the import (dropping an index takes an exclusive lock), which is why only imports
large for the table go this way (``bulk_pays``).
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator
from itertools import groupby
from operator import itemgetter
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.db.models import JSONField, Model
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.catalog.search import fold
from motcua.dossiers.legacy import bulk, events_sql
from motcua.dossiers.legacy.pipeline import Prepared
from motcua.dossiers.legacy.rows import (
    ICT_OFFSET,
    LegacyRow,
    _regime_code,
    local,
    status_of,
)
from motcua.dossiers.models import Dossier, DossierEvent, Outcome
from motcua.reports import rollups, rollups_sql

BULK_MIN_ROWS = 100_000


def bulk_pays(expected_rows: int) -> bool:
    """A bulk write pays when the file is large and, rebuilding every index of the table, not small
    beside what the table already holds."""
    if expected_rows < BULK_MIN_ROWS:
        return False
    table = connection.ops.quote_name(Dossier._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT GREATEST(reltuples, 0) FROM pg_class WHERE oid = %s::regclass", [table])
        else:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
        present = cursor.fetchone()[0]
    return expected_rows * 4 >= present


# What COPY's text format escapes (a bad row's code, a name, may hold anything), and its NULL.
_COPY_TEXT = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_NULL = "\\N"


def copy_cell(value: Any) -> str:
    """A value as COPY's text format writes it."""
    if value is None:
        return _COPY_NULL
    return value.translate(_COPY_TEXT) if isinstance(value, str) else str(value)


def _sqlite_instant(value: dt.datetime | None) -> str | None:
    """What Django's SQLite backend stores for an instant: naive UTC text, '2021-03-01 01:30:00'."""
    return None if value is None else str(value - ICT_OFFSET)


def _pg_instant(value: dt.datetime | None) -> str | None:
    """A timestamptz literal with its offset, for COPY: '2021-03-01 08:30:00+07:00'."""
    return None if value is None else f"{value}+07:00"


class BulkWriter:
    """Writes batches of valid rows with the DB-API cursor: COPY on PostgreSQL, executemany elsewhere.

    Every concrete field of the models is written: the ones the import knows, and the others
    with the model's own default (computed once), so a new field with a default needs no change here.
    """

    # The values ``prepare`` makes of a row, where the file is read; the writer adds the id and the
    # procedure (a stub may be made for it), then what is the same in every row.
    VALUES = (
        "code", "regime", "unit_id", "level", "channel", "status", "applicant_name", "applicant_name_folded",
        "applicant_id", "applicant_phone", "received_at", "clock_start", "due_at", "extended_due_at",
        "supplement_requests", "finished_at", "outcome", "returned_at", "withdrawn_at", "version", "last_event_at",
    )
    DOSSIER_FIELDS = ("id", "procedure_id", "matter", *VALUES, "created_at")
    FIXED = {"imported": True}  # written like the defaults: the same in every row
    OPTIONAL_INSTANTS = frozenset({"extended_due_at", "finished_at", "returned_at", "withdrawn_at"})
    MODELS = [Dossier, DossierEvent, *(model for model, *_rest in rollups.TABLES.values())]
    SQLITE_CACHE_KIB = 128 * 1024  # index pages of a million-row import stay in memory
    CODES = "legacy_import_codes"  # (row, code) of every row: codes twice in the file, in bounded memory
    PROBLEMS = "legacy_import_problems"  # (row, order, column, reason | code and its first row)

    def __init__(self, *, bulk: bool = False) -> None:
        self.pg = connection.vendor == "postgresql"
        self.bulk = bulk
        self.instant = _pg_instant if self.pg else _sqlite_instant
        self.now = self.instant(local(timezone.now()))
        self._none = None if self.pg else ""  # what ``prepare`` writes for a missing instant
        self._withdrawn = Outcome.WITHDRAWN.value
        self._dossier_sql, self._dossier_defaults = self._statement(Dossier, self.DOSSIER_FIELDS)
        self._dossier_table = connection.ops.quote_name(Dossier._meta.db_table)
        self._regimes: dict[dt.date, str] = {}
        self._temp = "pg_temp" if self.pg else "temp"  # schema of temporary tables: never drop a real one
        self._restore: list[str] = []  # DDL that puts back what a bulk write took away
        self._next_id: int | None = None  # SQLite: the next free dossier id (the import holds the write lock)
        self._started = False
        self._empty = False  # in bulk on PostgreSQL: the dossier table was empty when writing started
        # The dossiers this import wrote between two ids (others' ids may fall between: not theirs).
        self._these = (f"(SELECT * FROM {self._dossier_table} "
                       "WHERE id BETWEEN %s AND %s AND imported AND created_at = %s) AS d")
        self._sequence: str | None = None  # PostgreSQL: the dossier ids' sequence
        self._events_sql = events_sql.insert_events(self._these)
        with connection.cursor() as cursor:
            if self.pg:
                self._raise_temp_buffers(cursor)
            else:
                cursor.execute(f"PRAGMA cache_size = -{self.SQLITE_CACHE_KIB}")
                # The import's temporary tables (codes, problems, moves) spill to a file past this.
                cursor.execute(f"PRAGMA temp.cache_size = -{self.SQLITE_CACHE_KIB // 2}")
                # Its sorter (grouping the rollups, building the indexes, once the file is read) may use
                # a second thread.
                cursor.execute("PRAGMA threads = 2")
            # Codes as the file has them: a bad row's may be of any length.
            for table, columns in ((self.CODES, "row_no integer, code text"), (self.PROBLEMS, (
                    "row_no integer, ord integer, col text, reason text, code text, first_row integer"))):
                cursor.execute(f"DROP TABLE IF EXISTS {self._temp}.{table}")
                cursor.execute(f"CREATE TEMPORARY TABLE {table} ({columns})")
        self._written_ids: tuple[int, int] | None = None  # the smallest and largest dossier id written

    @staticmethod
    def _raise_temp_buffers(cursor: Any) -> None:
        """Room for the table of codes in memory; PostgreSQL refuses once a temporary table was used in
        the session (a second import in one process), and then the default will do."""
        try:
            with transaction.atomic():
                cursor.execute("SET temp_buffers = '256MB'")
        except DatabaseError:
            pass

    def _statement(self, model: type[Model], given: tuple[str, ...]) -> tuple[str, tuple[Any, ...]]:
        """The statement writing ``given`` fields then every other one with its model default, and the
        defaults to send with each row (PostgreSQL's COPY; SQLite has them as literals)."""
        fields = {f.attname: f for f in model._meta.concrete_fields}
        others = [f for name, f in fields.items() if name not in given and not f.primary_key]
        defaults = tuple(
            json.dumps(f.get_default()) if isinstance(f, JSONField)
            else f.get_db_prep_save(self.FIXED.get(f.attname, f.get_default()), connection)
            for f in others
        )
        quote = connection.ops.quote_name
        columns = ", ".join([quote(fields[name].column) for name in given] + [quote(f.column) for f in others])
        target = f"{quote(model._meta.db_table)} ({columns})"
        if self.pg:
            return self._write_sql(target, len(given) + len(others)), defaults
        marks = ["NULLIF(%s, '')" if name in self.OPTIONAL_INSTANTS else "%s" for name in given]
        values = ", ".join(marks + [events_sql.literal(v, pg=False) for v in defaults])
        return f"INSERT INTO {target} VALUES ({values})", ()

    def _write_sql(self, target: str, width: int) -> str:
        """The statement ``_insert`` writes rows of ``width`` values with into ``target`` ("table (columns)")."""
        if self.pg:
            return f"COPY {target} FROM STDIN"
        return f"INSERT INTO {target} VALUES ({', '.join(['%s'] * width)})"

    def _insert(self, sql: str, rows: Iterable[tuple[Any, ...]]) -> None:
        if self.pg:
            self._copy_text(sql, "".join(["\t".join([copy_cell(v) for v in row]) + "\n" for row in rows]))
        else:
            with connection.cursor() as cursor:
                cursor.executemany(sql, rows)

    def present(self, codes: list[str]) -> dict[str, bool]:
        """Code → written by this import? of those of ``codes`` already in the database. The codes
        travel as one JSON text: one parameter, whatever their number."""
        if not codes or self._empty:  # nothing was stored before: what is there, this import wrote
            return {}
        among = ("= ANY(ARRAY(SELECT json_array_elements_text(%s::json)))" if self.pg
                 else "IN (SELECT value FROM json_each(%s))")
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT code, imported AND created_at = %s FROM {self._dossier_table} WHERE code {among}",
                           [self.now, json.dumps(codes)])
            return {code: bool(ours) for code, ours in cursor.fetchall()}

    def keep_codes(self, codes: list[tuple[int, str]]) -> None:
        """(row, code) of every row of a batch, the bad ones' too: codes twice in the file are found
        among them at the end."""
        if codes:
            self._insert(self._write_sql(f"{self.CODES} (row_no, code)", 2), codes)

    @staticmethod
    def _copy_text(sql: str, text: str) -> None:
        """PostgreSQL: COPY rows made as COPY's text, in one piece (a row at a time, the driver's
        ``write_row`` costs several times more); its errors made Django's, as the cursor's are."""
        with connection.cursor() as cursor, connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
            copy.write(text)

    def keep_problems(self, problems: dict[int, list[tuple[str, str]]]) -> None:
        self._insert(self._write_sql(f"{self.PROBLEMS} (row_no, ord, col, reason)", 4), [
            (row_no, ord_, column, reason)
            for row_no, row_problems in problems.items() for ord_, (column, reason) in enumerate(row_problems)])

    def finish_checks(self) -> int:
        """After the last batch: codes twice in the file become problems (on every row but the
        first); the number of bad rows."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {self.PROBLEMS} (row_no, ord, col, code, first_row) "
                f"SELECT c.row_no, -1, 'code', c.code, d.first_row FROM {self.CODES} AS c JOIN ("
                f"SELECT code, MIN(row_no) AS first_row FROM {self.CODES} GROUP BY code HAVING COUNT(*) > 1"
                f") AS d ON d.code = c.code WHERE c.row_no > d.first_row")
            cursor.execute(f"SELECT COUNT(DISTINCT row_no) FROM {self.PROBLEMS}")
            return cursor.fetchone()[0]

    def problems(self, duplicate: Callable[[str, int], str]) -> Iterator[tuple[int, list[tuple[str, str]]]]:
        """Every bad row with its problems, in row order, read back a page at a time; ``duplicate``
        words the problem of a code met on an earlier row."""
        after, page = 0, 2000
        while True:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT row_no, col, reason, code, first_row FROM {self.PROBLEMS} WHERE row_no IN ("
                    f"SELECT DISTINCT row_no FROM {self.PROBLEMS} WHERE row_no > %s ORDER BY row_no LIMIT %s) "
                    f"ORDER BY row_no, ord", [after, page])
                found = cursor.fetchall()
            if not found:
                return
            for row_no, items in groupby(found, key=itemgetter(0)):
                yield row_no, [(column, duplicate(code, first) if reason is None else reason)
                               for _row, column, reason, code, first in items]
            after = found[-1][0]

    def regime(self, day: dt.date) -> str:
        if day not in self._regimes:
            self._regimes[day] = _regime_code(day)
        return self._regimes[day]

    def _new_ids(self, n: int) -> list[int]:
        """Ids for ``n`` new dossiers, given before writing so that the events need no look-up."""
        with connection.cursor() as cursor:
            if self.pg:
                if self._sequence is None:
                    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [self._dossier_table])
                    self._sequence = cursor.fetchone()[0]
                cursor.execute("SELECT string_agg(nextval(%s::regclass)::text, ',') FROM generate_series(1, %s)",
                               [self._sequence, n])
                ids = [int(pk) for pk in cursor.fetchone()[0].split(",")]
            else:
                if self._next_id is None:
                    cursor.execute(
                        f"SELECT MAX(COALESCE((SELECT MAX(id) FROM {self._dossier_table}), 0), "
                        f"COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0)) + 1",
                        [Dossier._meta.db_table])
                    self._next_id = cursor.fetchone()[0]
                ids = list(range(self._next_id, self._next_id + n))
                self._next_id += n
        return ids

    def start(self) -> None:
        """Before the first write: in bulk, the indexes go (see the module's docstring). Into an empty
        dossier table on PostgreSQL, the codes' unique key goes too: there is no stored code to meet,
        and a code twice in the file is found at the end with the others (``finish_checks``)."""
        if self.bulk and not self._started:
            keep: tuple[type[Model], ...] = (Dossier,)
            if self.pg:
                with connection.cursor() as cursor:  # the lock the indexes' removal takes, before looking
                    cursor.execute(f"LOCK TABLE {self._dossier_table} IN ACCESS EXCLUSIVE MODE")
                    cursor.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {self._dossier_table})")
                    self._empty = cursor.fetchone()[0]
                keep = () if self._empty else keep
            self._restore = bulk.take_away(self.MODELS, keep_unique=keep)
        self._started = True

    def write(self, rows: list[Prepared], procedures: dict[str, tuple[int, str]]) -> None:
        """Write the dossiers, then their events, which the database makes from the dossier rows
        (``events_sql``); their rollups are made from the same rows at the end (``finish``). A code
        already in the database makes it fail with IntegrityError (its unique index), half-written:
        run it in a savepoint. SQLite binds the rows as they are made (a generator); PostgreSQL takes
        them as one piece of COPY's text."""
        ids = self._new_ids(len(rows))
        if self.pg:
            self._copy_text(self._dossier_sql, "".join(self._dossier_rows(ids, rows, procedures)))
        else:
            self._insert(self._dossier_sql, self._dossier_rows(ids, rows, procedures))
        low, high = min(ids), max(ids)
        with connection.cursor() as cursor:
            cursor.execute(self._events_sql, [low, high, self.now])
        if self._written_ids is not None:
            low, high = min(low, self._written_ids[0]), max(high, self._written_ids[1])
        self._written_ids = low, high

    def prepare(self, r: LegacyRow) -> Prepared:
        """A valid row as ``write`` takes it (made where the file is read, in another process): the
        dossier's values in VALUES order — on PostgreSQL as one piece of COPY's text, on SQLite as a
        tuple where an instant that may be missing is '' (NULLIF in the statement: binding None
        costs the driver several times more than binding a string)."""
        t, none = self.instant, self._none
        received, due = t(r.received_at), t(r.due_at)
        extended = none if r.extended_due_at is None else t(r.extended_due_at)
        finished = none if r.finished_at is None else t(r.finished_at)
        returned = none if r.returned_at is None else t(r.returned_at)
        withdrawn = finished if r.outcome == self._withdrawn else none
        # events_for's events: receipt, apology, end, return; the last one is the latest.
        version = 1 + (r.extended_due_at is not None) + (r.finished_at is not None) + (r.returned_at is not None)
        latest = received if r.finished_at is None else finished if r.returned_at is None else returned
        regime, status = self.regime(r.received_at.date()), status_of(r)
        if self.pg:  # VALUES as COPY's text: only the file's free text needs escaping, the rest is ours
            e, n = _COPY_TEXT, _COPY_NULL
            return (r.row, r.code, r.procedure_code, r.procedure_name, (
                f"{r.code.translate(e)}\t{regime}\t{r.unit_id}\t{r.level}\t{r.channel}\t{status}\t"
                f"{r.applicant_name.translate(e)}\t{fold(r.applicant_name)[:200].translate(e)}\t"
                f"{r.applicant_id.translate(e)}\t{r.applicant_phone.translate(e)}\t"
                f"{received}\t{received}\t{due}\t{extended or n}\t{r.supplement_requests}\t{finished or n}\t"
                f"{r.outcome}\t{returned or n}\t{withdrawn or n}\t{version}\t{latest}"))
        return (r.row, r.code, r.procedure_code, r.procedure_name, (
            r.code, regime, r.unit_id, r.level, r.channel, status, r.applicant_name, fold(r.applicant_name)[:200],
            r.applicant_id, r.applicant_phone, received, received, due, extended, r.supplement_requests, finished,
            r.outcome, returned, withdrawn, version, latest))

    def prepared_values(self, r: Prepared) -> tuple[Any, ...]:
        """The values of a prepared row, one per VALUES name, as ``as_prepared`` writes them."""
        return tuple(r[4].split("\t")) if self.pg else r[4]

    def as_prepared(self, value: Any) -> Any:
        """A value read from the dossier table as ``prepare`` makes it (to compare the two)."""
        if isinstance(value, dt.datetime):
            value = self.instant(local(value))
        elif value is None:
            value = self._none
        return copy_cell(value) if self.pg else value

    def _dossier_rows(self, ids: list[int], rows: list[Prepared],
                      procedures: dict[str, tuple[int, str]]) -> Iterator[Any]:
        """Each dossier row: its id, its procedure, its prepared values, then what every row has — on
        PostgreSQL as a line of COPY's text, on SQLite as a tuple."""
        if self.pg:
            tail = "".join(f"\t{copy_cell(v)}" for v in (self.now, *self._dossier_defaults))
            for pk, (_row, _code, procedure_code, _name, values) in zip(ids, rows, strict=True):
                procedure_id, procedure_name = procedures[procedure_code]
                yield f"{pk}\t{procedure_id}\t{procedure_name.translate(_COPY_TEXT)}\t{values}{tail}\n"
            return
        constant = (self.now, *self._dossier_defaults)
        for pk, (_row, _code, procedure_code, _name, values) in zip(ids, rows, strict=True):
            procedure_id, procedure_name = procedures[procedure_code]
            yield (pk, procedure_id, procedure_name, *values, *constant)

    # --- bulk: the plain indexes (and PostgreSQL's foreign keys) away while writing ---------------------

    def finish(self, stage: Callable[[str], None]) -> None:
        """After the last batch: the imported dossiers' increments added to the report rollups (the
        services do it per transition), computed by the database from every dossier row written, in
        one pass; then the indexes back."""
        if self._written_ids is not None:
            stage(_("cộng vào số liệu tổng hợp báo cáo"))
            # Without their unique keys (PostgreSQL, bulk), the rollups are merged by update and insert.
            rollups_sql.add_final_states(self._these, [*self._written_ids, self.now],
                                         merge="insert" if self.pg and self._restore else "upsert")
        if self._restore:
            stage(_("dựng lại chỉ mục"))
        bulk.put_back(self._restore)
        self._restore = []
        with connection.cursor() as cursor:
            for table in (self.CODES, self.PROBLEMS):
                cursor.execute(f"DROP TABLE IF EXISTS {self._temp}.{table}")
