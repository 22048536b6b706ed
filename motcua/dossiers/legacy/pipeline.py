"""Legacy import, the reading: the file in batches of parsed rows, each valid one already made into
the values the writer sends (``BulkWriter.prepare``), read and parsed in another process while the
importer writes (``in_process``): the two work on two cores, with no lock of Python's between them."""
from __future__ import annotations

import csv
import multiprocessing
import os
import pickle
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from motcua.dossiers.legacy.rows import ImportFileError, LegacyRow, RowParser

BATCH_SIZE = 5000
# A valid row as the writer takes it: (row number, code, procedure code, procedure name, the
# dossier's values in BulkWriter.VALUES order — a tuple, or on PostgreSQL one piece of COPY's text).
# Plain strings and numbers: a process reads them from the reading one several times faster than a
# LegacyRow.
Prepared = tuple[int, str, str, str, "tuple[Any, ...] | str"]


def file_error(exc: UnicodeDecodeError | csv.Error, line_num: int) -> ImportFileError:
    """The one-line message for a file that cannot be read on (``line_num``: the reader's)."""
    if isinstance(exc, UnicodeDecodeError):
        return ImportFileError(_("không phải văn bản UTF-8 (gần dòng %(line)d)") % {"line": line_num + 1})
    return ImportFileError(_("dòng %(line)d: không phải CSV hợp lệ: %(error)s") % {"line": line_num, "error": exc})


@dataclass
class Batch:
    """Up to BATCH_SIZE lines of the file, parsed."""

    valid: list[Prepared] = field(default_factory=list)
    problems: dict[int, list[tuple[str, str]]] = field(default_factory=dict)  # row → its problems
    codes: list[tuple[int, str]] = field(default_factory=list)  # (row, code), the bad rows' too
    lines: int = 0
    rows: int = 0  # lines less the blank ones


def batches(reader: Any, parser: RowParser, code_at: int,
            prepare: Callable[[LegacyRow], Prepared]) -> Iterator[Batch]:
    """The rest of ``reader`` (a csv.reader past the header) in batches."""
    try:
        yield from _batches(reader, parser, code_at, prepare)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise file_error(exc, reader.line_num) from None


def _batches(reader: Iterator[list[str]], parser: RowParser, code_at: int,
             prepare: Callable[[LegacyRow], Prepared]) -> Iterator[Batch]:
    batch = Batch()
    for row_no, record in enumerate(reader, start=2):
        batch.lines += 1
        if record and any(value.strip() for value in record):  # else a blank line
            batch.rows += 1
            result = parser.parse(row_no, record)
            code = record[code_at].strip() if code_at < len(record) else ""
            if code:
                batch.codes.append((row_no, code))
            if isinstance(result, list):
                batch.problems[row_no] = result
            else:
                batch.valid.append(prepare(result))
        if batch.lines >= BATCH_SIZE:
            yield batch
            batch = Batch()
    yield batch


_DONE = object()


def in_background(items: Iterator[Batch], ahead: int = 4) -> Iterator[Batch]:
    """The items of ``items``, produced in a thread at most ``ahead`` in advance (memory stays
    bounded); an exception raised there is raised here. The thread speaks the caller's language."""
    out: queue.Queue[Any] = queue.Queue(maxsize=ahead)
    stop = threading.Event()
    language = translation.get_language()

    def hand_over(item: Any) -> bool:
        """Put ``item`` for the consumer; False once it has stopped taking (its queue may be full)."""
        while not stop.is_set():
            try:
                out.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            with translation.override(language):
                for item in items:
                    if not hand_over(item):
                        return
            hand_over(_DONE)
        except BaseException as exc:  # noqa: BLE001 - handed over to the consumer, which raises it
            hand_over(exc)

    thread = threading.Thread(target=produce, name="import-reader", daemon=True)
    thread.start()
    try:
        while (item := out.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


def in_process(items: Iterator[Batch]) -> Iterator[Batch]:
    """The items of ``items``, produced in a child process (forked: it has the parser, the units,
    the language and the file as they are here; it touches no database) and sent through a pipe,
    which holds about one batch: memory stays bounded. An exception raised there is raised here.
    Where processes cannot be forked, a thread does the work (``in_background``)."""
    if "fork" not in multiprocessing.get_all_start_methods():
        yield from in_background(items)
        return
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)

    def produce() -> None:
        receiving.close()
        status = 0
        try:
            for item in items:
                sending.send_bytes(pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL))
            sending.send_bytes(pickle.dumps(None))  # the end (no item is None)
        except BaseException as exc:  # noqa: BLE001 - handed over to the importer, which raises it
            status = 1
            try:
                sending.send_bytes(pickle.dumps(exc))
            except (OSError, pickle.PicklingError):  # the importer has gone, or the error cannot travel
                pass
        finally:
            sending.close()
            os._exit(status)  # nothing of the parent's (its database connection above all) is closed here

    reader = context.Process(target=produce, name="import-reader", daemon=True)
    reader.start()
    sending.close()
    try:
        while True:
            try:
                item = pickle.loads(receiving.recv_bytes())
            except EOFError:
                reader.join(5)
                raise ImportFileError(_("tiến trình đọc tệp đã dừng (mã thoát %(code)s)") % {
                    "code": reader.exitcode}) from None
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        receiving.close()
        if reader.is_alive():
            reader.terminate()
        reader.join()
