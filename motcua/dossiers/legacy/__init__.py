"""Legacy dossiers in: ``python manage.py import_dossiers FILE.csv`` (docs/architecture.md, "import_dossiers").

This package is the one sanctioned bulk writer of dossiers besides ``motcua.dossiers.services``
(``rows.py``: columns, parsing, validation, events; ``writer.py``: the bulk writing; here: the run).
The services apply *live* transitions one at a time; the import writes *history* that already
happened in an old system, so it does not replay the lifecycle: it writes each dossier in its
final state (``imported=True``) together with the typed events that got it there, so the
timelines, the control slip and report form 06 read imported dossiers like any other.
No notification is sent for imported history.

The file is read as a stream, in batches, by another process (``pipeline.py``), while this one
writes, inside one transaction: every row is validated (and a valid one made into the values the
writer sends, ``BulkWriter.prepare``); while no row has been bad, each batch is written (dossiers,
then their events; their rollups at the end); as soon
as one row is bad the writing stops, the rest of the file is still validated so that every bad row
is named, and the transaction is rolled back. Memory holds a few batches, the catalogue and the
units — not the rows: each row's code and each problem go to temporary tables, where the codes
that occur twice are found at the end and the problems are read back in row order.
"""
from __future__ import annotations

import csv
import gc
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from motcua.catalog.models import Procedure
from motcua.dossiers.legacy import pipeline
from motcua.dossiers.legacy.pipeline import Batch, Prepared, in_process
from motcua.dossiers.legacy.rows import (
    COLUMNS,
    ImportFileError,
    LegacyRow,
    RowParser,
    UnitIndex,
    check_header,
    events_for,
    parse_instant,
    status_of,
)
from motcua.dossiers.legacy.writer import BulkWriter, bulk_pays
from motcua.dossiers.models import Dossier

__all__ = ["COLUMNS", "BulkWriter", "ImportFileError", "Importer", "LegacyRow", "Summary",
           "events_for", "import_dossiers", "parse_instant", "status_of"]

# (column, stored field) compared when a code is already in the database: the procedure's code,
# then dossier fields, which a prepared row has among its values (BulkWriter.VALUES).
_COMPARED = (
    ("procedure_code", "procedure__code"), ("unit_code", "unit_id"),
    *((c, c) for c in (
        "level", "channel", "received_at", "due_at", "extended_due_at", "supplement_requests", "finished_at",
        "outcome", "returned_at", "applicant_name", "applicant_id", "applicant_phone")),
)
_AT = {name: i for i, name in enumerate(BulkWriter.VALUES)}


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

    def __init__(self, *, dry_run: bool, report: Reporter, progress: Callable[[int], None] | None = None,
                 expected_rows: int = 0, stage: Callable[[str], None] | None = None) -> None:
        self.dry_run = dry_run
        self.stage = stage or (lambda _text: None)
        self.expected_rows = expected_rows
        self.report = report
        self.progress = progress
        self.summary = Summary()
        self.procedures: dict[str, tuple[int, str]] = {}
        self.stub_codes: set[str] = set()
        self.any_bad = False
        self.writer: BulkWriter | None = None

    def run(self, reader: Iterator[list[str]]) -> Summary:
        try:
            header = [name.strip() for name in next(reader)]
        except StopIteration:
            raise ImportFileError(_("tệp rỗng: không có dòng tiêu đề")) from None
        problems = check_header(header)
        if problems:
            self.report(1, problems)
            self.summary.bad_rows = 1
            return self.summary
        parser = RowParser(header, UnitIndex())
        self.procedures = {code: (pk, name) for code, pk, name in Procedure.objects.values_list("code", "pk", "name")}
        gc_was_enabled = gc.isenabled()
        gc.disable()  # millions of short-lived rows and no cycles among them: the collector only costs time
        try:
            with transaction.atomic():
                self.writer = writer = BulkWriter(bulk=not self.dry_run and bulk_pays(self.expected_rows))
                # Reading and parsing go on in another process while this one writes.
                batches = in_process(pipeline.batches(reader, parser, header.index("code"), writer.prepare))
                for batch in batches:
                    self._flush(batch)
                self.stage(_("tìm mã hồ sơ trùng"))
                self.summary.bad_rows = writer.finish_checks()
                if self.summary.bad_rows:
                    for row_no, row_problems in writer.problems(duplicate_reason):
                        self.report(row_no, row_problems)
                elif not self.dry_run:
                    writer.finish(self.stage)
                if self.summary.bad_rows or self.dry_run:
                    transaction.set_rollback(True)
        finally:
            if gc_was_enabled:
                gc.enable()
        return self.summary

    def _flush(self, batch: Batch) -> None:
        """Check one batch against the database, keep its problems, write its rows while none was bad.
        A code twice in the file is found at the end (``finish_checks``): here its later rows are
        only kept from being written."""
        assert self.writer is not None
        self.summary.rows += batch.rows
        self.writer.keep_codes(batch.codes)
        rows, seen = [], set()
        for r in batch.valid:  # a code's first row in the batch; the others are named at the end
            if r[1] not in seen:
                seen.add(r[1])
                rows.append(r)
        if not (self.dry_run or self.any_bad or batch.problems) and rows and self._written(rows):
            self.summary.imported += len(rows)
        else:
            rows = self._without_present(rows, batch.problems)
            if batch.problems:
                self.writer.keep_problems(batch.problems)
                self.any_bad = True
            if rows and not self.any_bad:
                self._ensure_procedures(rows)
                if not self.dry_run:
                    self.writer.start()
                    self.writer.write(rows, self.procedures)
                self.summary.imported += len(rows)
        if self.progress is not None and batch.lines:
            self.progress(batch.lines)

    def _written(self, rows: list[Prepared]) -> bool:
        """Write straight away, as if no code were in the database yet; False (nothing written) when
        one is: the unique index on codes refuses it, and the caller looks them up. Most batches
        of a large import have none, and the look-up per batch would cost more than this."""
        assert self.writer is not None
        self._ensure_procedures(rows)
        self.writer.start()
        try:
            with transaction.atomic():
                self.writer.write(rows, self.procedures)
        except IntegrityError:
            return False
        return True

    def _without_present(self, rows: list[Prepared], problems: dict[int, list[tuple[str, str]]]) -> list[Prepared]:
        """Rows to write: not already in the database, identical (skipped) or not (a bad row), nor
        written by an earlier batch (twice in the file)."""
        writer = self.writer
        assert writer is not None
        present = writer.present([r[1] for r in rows])
        stored = {}
        if others := [code for code, ours in present.items() if not ours]:
            stored = {
                values[0]: values[1:]
                for values in Dossier.objects.filter(code__in=others).values_list(
                    "code", *(field for _c, field in _COMPARED))
            }
        kept = []
        for r in rows:
            row_no, code, procedure_code, _name, _values = r
            if present.get(code):
                continue  # written by an earlier batch: twice in the file, the end check names it
            if code not in stored:
                kept.append(r)
                continue
            mine = writer.prepared_values(r)
            ours = (procedure_code, *(mine[_AT[field]] for _c, field in _COMPARED[1:]))
            theirs = (stored[code][0], *map(writer.as_prepared, stored[code][1:]))  # the code as is
            differ = [column for (column, _f), a, b in zip(_COMPARED, ours, theirs, strict=True) if a != b]
            if differ:
                problems[row_no] = [("code", _(
                    "%(code)r đã có trong cơ sở dữ liệu với giá trị khác ở: %(columns)s") % {
                    "code": code, "columns": ", ".join(differ)})]
            else:
                self.summary.skipped += 1
        return kept

    def _ensure_procedures(self, rows: list[Prepared]) -> None:
        """Unknown procedure codes become catalogue stubs named by procedure_name (or their code)."""
        for _row, _code, procedure_code, procedure_name, _values in rows:
            if procedure_code in self.procedures or procedure_code in self.stub_codes:
                continue
            name = procedure_name or next((o[3] for o in rows if o[2] == procedure_code and o[3]), "")
            self.summary.stubs += 1
            if self.dry_run:
                self.stub_codes.add(procedure_code)
                self.procedures[procedure_code] = (0, name or procedure_code)
            else:
                stub = Procedure.objects.create(code=procedure_code, name=name or procedure_code, is_stub=True)
                self.procedures[procedure_code] = (stub.pk, stub.name)


def duplicate_reason(code: str, first: int) -> str:
    return _("%(code)r trùng mã với dòng %(row)d") % {"code": code, "row": first}


def import_dossiers(
    stream: Any, *, dry_run: bool = False, report: Reporter, progress: Callable[[int], None] | None = None,
    expected_rows: int = 0, stage: Callable[[str], None] | None = None,
) -> Summary:
    """Import a legacy CSV from a text stream (opened with ``newline=""``); see docs/architecture.md.
    ``expected_rows`` (about how many rows the file has) decides whether the write goes in bulk;
    ``progress`` is told the lines read, ``stage`` what the import does once they all are."""
    reader = csv.reader(stream)
    try:
        return Importer(dry_run=dry_run, report=report, progress=progress, expected_rows=expected_rows,
                        stage=stage).run(reader)
    except (UnicodeDecodeError, csv.Error) as exc:  # in the header (the rest is read by pipeline.batches)
        raise pipeline.file_error(exc, reader.line_num) from None
