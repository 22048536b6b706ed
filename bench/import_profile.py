"""``manage.py import_dossiers`` with every SQL statement it runs timed, by what the statement does.

    .venv/bin/python bench/import_profile.py PROFILE.json FILE.csv      (DATABASE_URL as for manage.py)

bench/import.py runs it with ``--profile``. It is the command as users run it (``call_command``), with
a Django execute wrapper around each statement, and the putting together of the dossier rows in
Python timed apart (they are made while the driver sends them, so inside their statement's time).
What it writes to PROFILE.json, in seconds: ``wall`` (the whole command), ``statements`` (per kind,
below), ``dossier_values`` (this process putting the dossier rows together from the values the
reading process made, part of ``dossier rows``). The file is read, checked and made into values in
another process (``pipeline.in_process``) while this one writes: the time outside statements is
this process's own Python (taking the batches in) and what it waited for the reader.

Every kind but ``dossier rows`` and ``codes and problems`` is work of the database alone — a statement
made of SQL with no row from Python in it — so their sum is a time no faster Python can take away.
"""
from __future__ import annotations

import json
import os
import pathlib
import re
import resource
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parents[1]

# (kind, pattern on the statement), the first match wins.
KINDS = (
    ("dossier rows", r'^(INSERT INTO|COPY) "dossiers_dossier" '),
    ("events (made by the database)", r'^INSERT INTO "dossiers_dossierevent"'),
    ("codes and problems", r"legacy_import_(codes|problems)"),
    ("rollups: summing the moves", r"^CREATE TEMPORARY TABLE rollup_final_states(_units)? AS"),
    ("rollups: adding to the tables",
     r'^(INSERT INTO|UPDATE|SELECT EXISTS \(SELECT 1 FROM) "reports_\w+counter"|rollup_final_states_table'),
    ("indexes and keys rebuilt", r"^(CREATE (UNIQUE )?INDEX|ALTER TABLE \S+ ADD CONSTRAINT)"),
)
DATABASE_ONLY = ("events (made by the database)", "rollups: summing the moves",
                 "rollups: adding to the tables", "indexes and keys rebuilt")


def kind_of(sql: str) -> str:
    for kind, pattern in KINDS:
        if re.search(pattern, sql):
            return kind
    return "other statements"


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit("usage: import_profile.py PROFILE.json FILE.csv")
    out, data = pathlib.Path(sys.argv[1]), sys.argv[2]
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from motcua.dossiers.legacy.writer import BulkWriter

    spent: dict[str, float] = defaultdict(float)
    slowest: list[tuple[float, str]] = []  # statements of a second or more

    def count(sql: str, seconds: float) -> None:
        spent[kind_of(sql)] += seconds
        if seconds >= 1:
            slowest.append((round(seconds, 2), " ".join(sql.split())[:100]))
    values = [0.0]

    def timed(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            count(sql, time.perf_counter() - started)

    making = BulkWriter._dossier_rows

    def dossier_rows(self: BulkWriter, *args: Any) -> Iterator[tuple[Any, ...]]:
        rows = making(self, *args)
        while True:
            started = time.perf_counter()
            try:
                row = next(rows)
            except StopIteration:
                return
            finally:
                values[0] += time.perf_counter() - started
            yield row

    BulkWriter._dossier_rows = dossier_rows  # type: ignore[method-assign]
    # COPY goes through the driver's cursor, not Django's: the writer's one way to it is timed as a whole.
    copy_text = BulkWriter._copy_text

    def timed_copy_text(sql: str, text: str) -> None:
        started = time.perf_counter()
        try:
            return copy_text(sql, text)
        finally:
            count(sql, time.perf_counter() - started)

    BulkWriter._copy_text = staticmethod(timed_copy_text)  # type: ignore[assignment]
    started = time.perf_counter()
    with connection.execute_wrapper(timed):
        call_command("import_dossiers", data)
    wall = time.perf_counter() - started
    # Peak memory of this process and of the largest child it waited for: the reading process.
    own, reader = (resource.getrusage(who).ru_maxrss / 1024 for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    out.write_text(json.dumps({"wall": wall, "dossier_values": values[0], "statements": dict(spent),
                               "database_only": sum(spent[k] for k in DATABASE_ONLY),
                               "peak_mb": {"importer": own, "reader": reader},
                               "slowest": sorted(slowest, reverse=True)}, indent=2))


if __name__ == "__main__":
    main()
