"""Legacy import, the reading: the file in batches of parsed rows, read and parsed in a thread
while the importer waits for the database (the two overlap on two cores)."""
from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation

from motcua.dossiers.legacy.rows import LegacyRow, RowParser

BATCH_SIZE = 5000


@dataclass
class Batch:
    """Up to BATCH_SIZE lines of the file, parsed."""

    valid: list[LegacyRow] = field(default_factory=list)
    problems: dict[int, list[tuple[str, str]]] = field(default_factory=dict)  # row → its problems
    codes: list[tuple[int, str]] = field(default_factory=list)  # (row, code), the bad rows' too
    lines: int = 0
    rows: int = 0  # lines less the blank ones


def batches(reader: Iterator[list[str]], parser: RowParser, code_at: int) -> Iterator[Batch]:
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
                batch.valid.append(result)
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


