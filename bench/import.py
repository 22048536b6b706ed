"""Benchmark of ``import_dossiers``: rows/s and peak memory on SQLite and PostgreSQL.

    .venv/bin/python bench/import.py [--rows 1000000] [--seed 1] [--province 01] [--only sqlite|postgres]
                                     [--pg postgres://postgres@127.0.0.1:5432/postgres] [--profile]

1. SQLite: a fresh database file in bench/out/ is migrated (which loads the real units).
2. A CSV of ``--rows`` realistic legacy dossiers of one province (``--province``, default 01 Hà Nội:
   a legacy import is one province's old system) is generated into bench/out/ from those units:
   receipts 2019-01 .. 2026-06 at its legacy units (province, districts, communes) before 2025-07
   and at its current ones after, 300 procedure codes (none in the catalogue, so stubs are
   created), the channels, apologies, supplement requests and outcomes in plausible shares, 12%
   still in progress.
3. ``manage.py import_dossiers`` runs as a child process on the SQLite file, then on a fresh
   PostgreSQL database ``bench_import`` (created, migrated, and dropped afterwards).

Each import is timed (wall clock) and its peak resident memory read from the child's own
rusage (``os.wait4``: ``ru_maxrss``, the larger of the importer and the process it forks to read
the file), so the migrate step does not count.

4. The floor: what the database alone needs to write the rows the import wrote and index them. In
   one transaction, rolled back, each table the import filled (dossiers, their events, the four
   rollup tables) is copied with one ``CREATE TABLE … AS SELECT`` (the database's bulk path) and
   the copy gets the same indexes, built once over all its rows: no Python, no reading of the CSV,
   no checks, no rollups to compute, no foreign keys. No import of those rows can be faster.

5. ``--profile``: where the time goes. The import runs through bench/import_profile.py (the same
   command, each SQL statement timed by what it does), and ``import_dossiers --dry-run`` runs
   too: reading and checking every row with nothing written, the Python share of the work.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import pathlib
import random
import sqlite3
import subprocess
import sys
import time
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the repository's root: bench.pg when run as a script

from bench.pg import pg_admin  # noqa: E402

OUT = ROOT / "bench" / "out"
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
TZ = dt.timezone(dt.timedelta(hours=7))
HEADER = [
    "code", "procedure_code", "procedure_name", "unit_code", "level", "channel", "received_at", "due_at",
    "extended_due_at", "supplement_requests", "finished_at", "outcome", "returned_at", "applicant_name",
    "applicant_id", "applicant_phone",
]
SWITCH = dt.date(2025, 7, 1)
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô")
GIVEN = ("Văn An", "Thị Bình", "Minh Châu", "Quốc Dũng", "Thu Hà", "Đức Hải", "Thị Lan", "Văn Nam", "Ngọc Mai")


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run a child process; (seconds, peak RSS in MB of that child alone). Exits on failure."""
    started = time.perf_counter()
    child = subprocess.Popen(cmd, cwd=ROOT, env=env)
    _pid, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        sys.exit(f"{' '.join(cmd)}: exit {child.returncode}")
    return seconds, usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


def manage(*args: str, database_url: str) -> tuple[float, float]:
    return run([PYTHON, "manage.py", *args], {**os.environ, "DATABASE_URL": database_url})


def import_file(data: pathlib.Path, database_url: str, name: str, profile: bool) -> dict[str, Any]:
    """Import ``data``: seconds, rows/s, peak MB; with ``profile``, also the statements' times and
    the time of a dry run (done first: it writes nothing)."""
    if not profile:
        seconds, peak = manage("import_dossiers", str(data), database_url=database_url)
        return {"seconds": seconds, "peak_mb": peak}
    dry_s, _peak = manage("import_dossiers", "--dry-run", str(data), database_url=database_url)
    out = OUT / f"import-profile-{name}.json"
    seconds, peak = run([PYTHON, "bench/import_profile.py", str(out), str(data)],
                        {**os.environ, "DATABASE_URL": database_url})
    return {"seconds": seconds, "peak_mb": peak, "dry_run_s": dry_s, "profile": json.loads(out.read_text())}


def print_profile(name: str, r: dict[str, Any]) -> None:
    p = r["profile"]
    print(f"\n{name}: dry run (reading and checking in the reading process, nothing written) {r['dry_run_s']:.1f} s; "
          f"import {p['wall']:.1f} s in the command, of which statements:")
    for kind, seconds in sorted(p["statements"].items(), key=lambda item: -item[1]):
        print(f"  {seconds:>7.1f} s  {kind}")
    print(f"  (putting the dossier rows together in Python, within 'dossier rows': {p['dossier_values']:.1f} s)")
    print(f"  {p['database_only']:>7.1f} s  the database alone (statements with no row from Python)")
    print(f"  peak memory: importer {p['peak_mb']['importer']:.0f} MB, reading process {p['peak_mb']['reader']:.0f} MB")


def units_from(db: pathlib.Path, province: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(legacy, current) unit (code, level) pairs of one province — a legacy import is one province's
    old system — from a migrated SQLite file: its legacy tree (province, districts, communes) and the
    tree of the province it became in 2025 (its successor)."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT id, code, level, parent_id, valid_to FROM units_administrativeunit").fetchall()
        successors = conn.execute(
            "SELECT s.to_administrativeunit_id FROM units_administrativeunit_successors s "
            "JOIN units_administrativeunit u ON u.id = s.from_administrativeunit_id "
            "WHERE u.code = ? AND u.level = 'province'", [province]).fetchall()
    by_id = {r[0]: r for r in rows}

    def root(unit_id: int) -> int:
        while by_id[unit_id][3] is not None:
            unit_id = by_id[unit_id][3]
        return unit_id

    old_roots = {r[0] for r in rows if r[1] == province and r[2] == "province" and r[4] is not None}
    new_roots = {s[0] for s in successors} or {r[0] for r in rows if r[1] == province and r[4] is None}
    legacy = [(r[1], r[2]) for r in rows if r[4] is not None and root(r[0]) in old_roots]
    current = [(r[1], r[2]) for r in rows if r[4] is None and root(r[0]) in new_roots]
    if not legacy or not current:
        sys.exit(f"no units for province {province!r}")
    return legacy, current


def instant(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S")  # no offset: Asia/Ho_Chi_Minh


def generate(path: pathlib.Path, rows: int, seed: int, legacy: list, current: list) -> None:
    rnd = random.Random(seed)
    procedures = [(f"1.{rnd.randrange(10**5, 10**6):06d}", f"Thủ tục hành chính số {i}") for i in range(300)]
    start = dt.datetime(2019, 1, 1, 7, 30)
    span_minutes = int((dt.datetime(2026, 6, 30) - start).total_seconds() // 60)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for i in range(rows):
            received = start + dt.timedelta(minutes=rnd.randrange(span_minutes))
            unit_code, unit_level = rnd.choice(legacy if received.date() < SWITCH else current)
            level = ""
            if unit_level != "commune" and rnd.random() < 0.3:
                level = unit_level  # a department or office of that unit, said explicitly
            due = received + dt.timedelta(days=rnd.choice((1, 3, 5, 7, 10, 15, 20)), hours=rnd.randrange(8))
            extended = due + dt.timedelta(days=rnd.randrange(1, 10)) if rnd.random() < 0.04 else None
            finished = outcome = returned = None
            if rnd.random() < 0.88:
                finished = received + (due - received) * rnd.uniform(0.2, 1.3)
                outcome = rnd.choices(("approved", "refused", "stopped", "withdrawn"), (90, 4, 2, 4))[0]
                if outcome in ("approved", "refused") and rnd.random() < 0.8:
                    returned = finished + dt.timedelta(hours=rnd.randrange(1, 200))
            code, name = rnd.choice(procedures)
            writer.writerow([
                f"{unit_code}-{received:%y%m%d}-{i:07d}", code, name if rnd.random() < 0.9 else "", unit_code, level,
                rnd.choices(("counter", "online", "postal"), (60, 35, 5))[0], instant(received), instant(due),
                instant(extended) if extended else "", rnd.choices((0, 1, 2), (90, 8, 2))[0],
                instant(finished) if finished else "", outcome or "", instant(returned) if returned else "",
                f"{rnd.choice(FAMILY)} {rnd.choice(GIVEN)}", f"0{rnd.randrange(10**10, 10**11)}",
                f"09{rnd.randrange(10**7, 10**8)}",
            ])


# The tables the import fills.
FILLED = ("dossiers_dossier", "dossiers_dossierevent", "reports_dailycounter", "reports_monthlycounter",
          "reports_unitdailycounter", "reports_unitmonthlycounter")


def index_statements(cur, table: str, copy: str, pg: bool) -> list[str]:
    """The CREATE INDEX statements of every index of ``table`` (primary and unique keys included),
    made for ``copy``."""
    if pg:
        cur.execute("SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = %s::regclass", [table])
        return [definition.replace(f" ON public.{table} ", f" ON {copy} ", 1).replace(
            "INDEX ", f"INDEX {copy}_", 1) for (definition,) in cur.fetchall()]
    statements = []
    for _seq, name, unique, _origin, _partial in cur.execute(f"PRAGMA index_list({table})").fetchall():
        sql = cur.execute("SELECT sql FROM sqlite_master WHERE name = ?", [name]).fetchone()
        if sql and sql[0]:
            statements.append(sql[0].replace(f'ON "{table}"', f'ON "{copy}"', 1).replace(
                f'INDEX "{name}"', f'INDEX "{copy}_{name}"', 1))
        else:  # a key declared in the table: its columns from the index itself
            columns = ", ".join(f'"{c[2]}"' for c in cur.execute(f'PRAGMA index_info("{name}")').fetchall())
            statements.append(f'CREATE {"UNIQUE " if unique else ""}INDEX "{copy}_{name}" ON "{copy}" ({columns})')
    return statements


def floor(conn, pg: bool) -> tuple[float, int]:
    """(seconds, rows) for the database alone to write the rows of the filled tables once more — each
    copied into a new table with CREATE TABLE … AS SELECT (its bulk path) — and to build the same
    indexes on the copies; rolled back."""
    cur = conn.cursor()
    if not pg:
        cur.execute("BEGIN")  # DDL too: the connection is in autocommit mode
    seconds = rows = 0
    for table in FILLED:
        copy = f"floor_{table}"
        statements = index_statements(cur, table, copy, pg)
        started = time.perf_counter()
        cur.execute(f"CREATE TABLE {copy} AS SELECT * FROM {table}")
        for statement in statements:
            cur.execute(statement)
        seconds += time.perf_counter() - started
        cur.execute(f"SELECT COUNT(*) FROM {copy}")
        rows += cur.fetchone()[0]
    conn.rollback()
    return seconds, rows


def sqlite_floor(db: pathlib.Path) -> tuple[float, int]:
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA cache_size = -131072")  # as the import has it
    try:
        return floor(conn, pg=False)
    finally:
        conn.close()


def pg_floor(url: str) -> tuple[float, int]:
    import psycopg

    with psycopg.connect(url) as conn:
        return floor(conn, pg=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--province", default="01", help="legacy province code whose units receive the dossiers")
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/postgres", help="maintenance database")
    parser.add_argument("--profile", action="store_true",
                        help="time each statement, and a dry run (bench/import_profile.py)")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict[str, float]] = {}

    db = OUT / "import-bench.sqlite3"
    db.unlink(missing_ok=True)
    sqlite_url = f"sqlite:///{db}"
    print(f"migrating {db} ...", flush=True)
    manage("migrate", "-v0", database_url=sqlite_url)
    data = OUT / f"legacy-{args.province}-{args.rows}-{args.seed}.csv"
    if not data.exists():
        legacy, current = units_from(db, args.province)
        print(f"generating {args.rows:,} rows into {data} ({len(legacy)} legacy and {len(current)} current units)",
              flush=True)
        generate(data, args.rows, args.seed, legacy, current)
    print(f"{data.name}: {data.stat().st_size / 2**20:.0f} MiB", flush=True)

    if args.only in (None, "sqlite"):
        results["sqlite"] = r = import_file(data, sqlite_url, "sqlite", args.profile)
        r["rows_per_s"] = args.rows / r["seconds"]
        print("the floor: the same rows copied by SQLite alone ...", flush=True)
        floor_s, written = sqlite_floor(db)
        results["sqlite"].update(floor_s=floor_s, floor_rows_per_s=args.rows / floor_s, table_rows=written)
    db.unlink(missing_ok=True)

    if args.only in (None, "postgres"):
        base = args.pg.rsplit("/", 1)[0]
        pg_admin(args.pg, "DROP DATABASE IF EXISTS bench_import")
        pg_admin(args.pg, "CREATE DATABASE bench_import")
        try:
            pg_url = f"{base}/bench_import"
            print("migrating PostgreSQL bench_import ...", flush=True)
            manage("migrate", "-v0", database_url=pg_url)
            results["postgres"] = r = import_file(data, pg_url, "postgres", args.profile)
            r["rows_per_s"] = args.rows / r["seconds"]
            print("the floor: the same rows copied by PostgreSQL alone ...", flush=True)
            floor_s, written = pg_floor(pg_url)
            results["postgres"].update(floor_s=floor_s, floor_rows_per_s=args.rows / floor_s, table_rows=written)
        finally:
            pg_admin(args.pg, "DROP DATABASE IF EXISTS bench_import")

    print(f"\n{args.rows:,} rows   seconds   rows/s   peak MB | floor: seconds   rows/s   (table rows written)")
    for name, r in results.items():
        print(f"{name:<12} {r['seconds']:>8.1f} {r['rows_per_s']:>9,.0f} {r['peak_mb']:>8.0f} | "
              f"{r['floor_s']:>14.1f} {r['floor_rows_per_s']:>8,.0f}   ({r['table_rows']:,})")
    for name, r in results.items():
        if "profile" in r:
            print_profile(name, r)
    (OUT / "import.json").write_text(json.dumps({"rows": args.rows, **results}, indent=2))


if __name__ == "__main__":
    main()
