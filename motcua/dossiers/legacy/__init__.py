"""Legacy dossiers in: ``python manage.py import_dossiers FILE.csv`` (interfaces.md "import_dossiers").

This package is the one sanctioned bulk writer of dossiers besides ``motcua.dossiers.services``
(``rows.py``: columns, parsing, validation, events; ``writer.py``: the bulk writing; here: the run).
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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from motcua.catalog.models import Procedure
from motcua.dossiers.legacy.rows import (
    COLUMNS,
    ImportFileError,
    LegacyRow,
    RowParser,
    UnitIndex,
    check_header,
    events_for,
    local,
    parse_instant,
    status_of,
)
from motcua.dossiers.legacy.writer import BulkWriter
from motcua.dossiers.models import Dossier

__all__ = ["BATCH_SIZE", "COLUMNS", "BulkWriter", "ImportFileError", "Importer", "LegacyRow", "Summary",
           "events_for", "import_dossiers", "parse_instant", "status_of"]

BATCH_SIZE = 5000

# (column, stored field, LegacyRow attribute) compared when a code is already in the database.
_COMPARED = (
    ("procedure_code", "procedure__code", "procedure_code"), ("unit_code", "unit_id", "unit_id"),
    *((c, c, c) for c in (
        "level", "channel", "received_at", "due_at", "extended_due_at", "supplement_requests", "finished_at",
        "outcome", "returned_at", "applicant_name", "applicant_id", "applicant_phone")),
)
@dataclass
class Summary:
    imported: int = 0
    skipped: int = 0
    stubs: int = 0
    bad_rows: int = 0
    rows: int = 0


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
