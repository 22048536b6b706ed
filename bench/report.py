"""Benchmark of report form 06 on a province: rollups against the GROUP BY over the dossier table.

    .venv/bin/python bench/report.py --rows 1000000 --db postgres|sqlite [--province 08] [--runs 5]
                                     [--scan-runs 5] [--pg postgres://postgres@127.0.0.1:5432/postgres]
                                     [--keep] [--reuse]

1. A fresh database, removed afterwards unless --keep: PostgreSQL ``bench_report_<rows>`` or SQLite
   ``bench/out/report-<rows>.sqlite3``; ``migrate`` (the real units) and ``load_catalog``.
2. ``--rows`` dossiers are written by one set-based INSERT (PostgreSQL generate_series, SQLite a
   recursive CTE) across the current communes of the province (and 10% at the province itself),
   received 2024-10-01 .. 2026-11-15 at working hours, the catalogue's procedures, channels
   counter 55% / online 40% / postal 5%, due 1-20 days later; 86% finished (approved, refused,
   stopped, withdrawn) after 20%-130% of their time, 3% paused for the citizen, the rest open.
3. The rollups are built by ``reports.rollups_sql.add_final_states`` — the SQL the legacy import
   uses, set-based twin of ``rollups.add_final_state`` (opened on the day received in the bucket of
   its due date; closed, withdrawn or paused on its day), summed into the four tables.
   Events are not written: the report reads none.
4. ``compute_form06`` for the province, by child unit and totals only, for the last complete
   quarter (2026-07-01 .. 2026-09-30) and year (2025) of the data: median wall time of
   ``--runs`` runs after a warm-up, from the rollups and from the dossiers (source="dossiers",
   the conditional-aggregation GROUP BY). Every result from the rollups must equal the scan's.
   Also 2026-01-01 .. 2026-11-15, which does not end on a month's end (the rollups then read daily rows too).

Prints a table and writes bench/out/report-<db>-<rows>.json. ``--keep`` leaves the database; a later
``--reuse`` run skips steps 1-3 on it and times again.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the repository's root: bench.pg when run as a script

from bench.pg import pg_admin  # noqa: E402

OUT = ROOT / "bench" / "out"
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
FIRST, LAST, TODAY = dt.date(2024, 10, 1), dt.date(2026, 11, 15), dt.date(2026, 11, 23)
PERIODS = {"quarter": (dt.date(2026, 7, 1), dt.date(2026, 9, 30)), "year": (dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
           "to date": (dt.date(2026, 1, 1), dt.date(2026, 11, 15))}  # not whole months: reads daily rows too


def manage(database_url: str, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, check=True,
                   env={**os.environ, "DATABASE_URL": database_url})


class Sql:
    """The few expressions that differ between PostgreSQL and SQLite."""

    def __init__(self, vendor: str) -> None:
        self.pg = vendor == "postgresql"

    @staticmethod
    def uniform(k: int) -> str:
        """A pseudo-random number in [0, 1) from the row number ``i``, the same on both databases
        (a multiplicative hash: deterministic, so no query planner can make two draws of it differ)."""
        multiplier = (742938285, 950706376, 1226874159, 62089911, 1343714438, 1583458089, 784588716, 1117566791)[k]
        return f"(CAST((CAST(i AS BIGINT) * {multiplier} + {k * 7919}) % 2147483647 AS DOUBLE PRECISION) / 2147483647)"

    def plus_days(self, ts: str, days: str) -> str:
        """A timestamp ``days`` (a float expression) after ``ts``."""
        if self.pg:
            return f"({ts} + ({days}) * interval '1 day')"
        return f"strftime('%Y-%m-%d %H:%M:%S', julianday({ts}) + ({days}))"

    def ts(self, value: str) -> str:
        """A UTC timestamp literal for a local wall time."""
        local = dt.datetime.fromisoformat(value)
        utc = local - dt.timedelta(hours=7)
        return f"timestamptz '{utc:%Y-%m-%d %H:%M:%S}+00'" if self.pg else f"'{utc:%Y-%m-%d %H:%M:%S}'"

    def rows(self, n: int) -> str:
        if self.pg:
            return f"SELECT i FROM generate_series(1, {n}) AS i"
        return f"WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n}) SELECT i FROM s"


def generate(cursor, sql: Sql, rows: int, units: list[tuple[int, str]], procedures: list[int]) -> None:
    """INSERT ``rows`` dossiers in one statement; every NOT NULL column gets a value."""
    from django.db import connection

    u = sql.uniform
    n_units, n_procs = len(units), len(procedures)
    span = (LAST - FIRST).days
    if sql.pg:
        pick_unit = f"(ARRAY[{','.join(str(pk) for pk, _ in units)}])[1 + floor(r_unit * {n_units})::int]"
        pick_level = f"(ARRAY[{','.join(repr(lv) for _, lv in units)}])[1 + floor(r_unit * {n_units})::int]"
        pick_proc = f"(ARRAY[{','.join(map(str, procedures))}])[1 + floor(r_proc * {n_procs})::int]"
    else:
        pick_unit = f"CASE CAST(r_unit * {n_units} AS INTEGER) " + " ".join(
            f"WHEN {i} THEN {pk}" for i, (pk, _) in enumerate(units)) + " END"
        pick_level = f"CASE CAST(r_unit * {n_units} AS INTEGER) " + " ".join(
            f"WHEN {i} THEN '{lv}'" for i, (_, lv) in enumerate(units)) + " END"
        pick_proc = f"CASE CAST(r_proc * {n_procs} AS INTEGER) " + " ".join(
            f"WHEN {i} THEN {pk}" for i, pk in enumerate(procedures)) + " END"
    whole_days = f"floor(r_time * {span})" if sql.pg else f"CAST(r_time * {span} AS INTEGER)"
    minutes = "floor(r_hour * 540)" if sql.pg else "CAST(r_hour * 540 AS INTEGER)"
    received = sql.plus_days(sql.ts(f"{FIRST} 07:30"), f"{whole_days} + {minutes} / 1440.0")
    due_days = "(CASE WHEN r_due < 0.3 THEN 1 WHEN r_due < 0.5 THEN 3 WHEN r_due < 0.7 THEN 5 WHEN r_due < 0.8 " \
               "THEN 7 WHEN r_due < 0.9 THEN 10 WHEN r_due < 0.97 THEN 15 ELSE 20 END + 0.1 * r_hour)"
    now = sql.ts(f"{TODAY} 00:00")
    base = (
        f"SELECT i, {u(0)} AS r_unit, {u(1)} AS r_time, {u(2)} AS r_hour, {u(3)} AS r_proc, {u(4)} AS r_chan, "
        f"{u(5)} AS r_due, {u(6)} AS r_fate, {u(7)} AS r_speed FROM ({sql.rows(rows)}) AS g"
    )
    timed = (
        f"SELECT b.*, {received} AS received_at, {sql.plus_days(received, due_days)} AS due_at FROM ({base}) AS b"
    )
    ended = sql.plus_days("received_at", f"{due_days} * (0.2 + 1.1 * r_speed)")
    shaped = (
        f"SELECT t.*, CASE WHEN r_fate < 0.86 AND {ended} < {now} THEN {ended} END AS ended_at, "
        f"CASE WHEN r_fate >= 0.86 AND r_fate < 0.89 THEN {sql.plus_days('received_at', f'{due_days} * r_speed')} "
        f"END AS paused_at FROM ({timed}) AS t"
    )
    outcome = ("CASE WHEN ended_at IS NULL THEN '' WHEN r_fate < 0.78 THEN 'approved' WHEN r_fate < 0.815 "
               "THEN 'refused' WHEN r_fate < 0.835 THEN 'stopped' ELSE 'withdrawn' END")
    values = {
        "code": "'B-' || i",
        "regime": f"CASE WHEN received_at < {sql.ts('2025-07-01 00:00')} THEN '2018' ELSE '2025' END",
        "procedure_id": pick_proc, "unit_id": pick_unit, "agency_id": "NULL", "level": pick_level,
        "channel": "CASE WHEN r_chan < 0.55 THEN 'counter' WHEN r_chan < 0.95 THEN 'online' ELSE 'postal' END",
        "status": (f"CASE WHEN ended_at IS NULL AND paused_at IS NOT NULL THEN 'awaiting_supplement' "
                   f"WHEN ended_at IS NULL THEN 'in_processing' WHEN {outcome} = 'approved' THEN 'returned' "
                   f"ELSE {outcome} END"),
        "applicant_name": "'Nguyễn Văn An'", "matter": "'Hồ sơ thử'", "sets": "1",
        "submitted_at": "received_at", "received_at": "received_at", "clock_start": "received_at",
        "due_at": "due_at", "paused_at": "CASE WHEN ended_at IS NULL THEN paused_at END",
        "finished_at": f"CASE WHEN {outcome} NOT IN ('', 'withdrawn') THEN ended_at END",
        "withdrawn_at": f"CASE WHEN {outcome} = 'withdrawn' THEN ended_at END",
        "outcome": outcome, "supplement_requests": "0", "current_step": "0", "imported": "TRUE" if sql.pg else "1",
        "version": "1", "last_event_at": "COALESCE(ended_at, paused_at, received_at)", "created_at": now,
    }
    table = "dossiers_dossier"
    for column in connection.introspection.get_table_description(cursor, table):
        if column.name in values or column.name == "id" or column.null_ok:
            continue
        kind = column.type_code if sql.pg else str(column.type_code).lower()
        values[column.name] = "0" if ("int" in str(kind) or kind in (20, 21, 23)) else (
            "FALSE" if kind in ("bool", 16) else "''")
    columns = list(values)
    cursor.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values[c] for c in columns)} "
                   f"FROM ({shaped}) AS s")


def timed(fn, runs: int) -> tuple[float, object]:
    result = fn()  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        again = fn()
        times.append(time.perf_counter() - started)
        assert again == result
    return statistics.median(times) * 1000, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--db", choices=("postgres", "sqlite"), required=True)
    parser.add_argument("--province", default="08")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scan-runs", type=int, default=5, help="runs of the dossier scan (slow at 10 M)")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/postgres", help="maintenance database")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="time again on the database a --keep run left")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    label = f"{args.rows // 1_000_000}m" if args.rows % 1_000_000 == 0 else str(args.rows)
    if args.db == "postgres":
        name = f"bench_report_{label}"
        if not args.reuse:
            pg_admin(args.pg, f"DROP DATABASE IF EXISTS {name}")
            pg_admin(args.pg, f"CREATE DATABASE {name}")
        url = f"{args.pg.rsplit('/', 1)[0]}/{name}"
    else:
        path = OUT / f"report-{label}.sqlite3"
        for suffix in ("", "-wal", "-shm") if not args.reuse else ():
            pathlib.Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    try:
        run(args, url, label)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            if args.db == "postgres":
                pg_admin(args.pg, f"DROP DATABASE IF EXISTS bench_report_{label}")
            else:
                for suffix in ("", "-wal", "-shm"):
                    pathlib.Path(f"{path}{suffix}").unlink(missing_ok=True)


def run(args: argparse.Namespace, url: str, label: str) -> None:
    steps: dict[str, float] = {}
    started = time.perf_counter()
    if not args.reuse:
        manage(url, "migrate", "-v0")
        manage(url, "load_catalog")
        steps["migrate_and_catalog_s"] = time.perf_counter() - started
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    import django

    django.setup()
    from django.db import connection, transaction

    from motcua.catalog.models import Procedure
    from motcua.reports import rollups_sql
    from motcua.reports.form06 import compute_form06
    from motcua.units.models import AdministrativeUnit

    province = AdministrativeUnit.objects.get(code=args.province, valid_to__isnull=True)
    communes = list(AdministrativeUnit.objects.filter(parent=province, valid_to__isnull=True, level="commune")
                    .values_list("pk", "level"))
    units = communes + [(province.pk, "province")] * max(1, len(communes) // 9)  # ~10% at the province
    procedures = list(Procedure.objects.values_list("pk", flat=True))
    print(f"{province.name}: {len(communes)} communes, {len(procedures)} procedures; {args.rows:,} dossiers "
          f"on {connection.vendor}", flush=True)
    sql = Sql(connection.vendor)
    if not sql.pg:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA cache_size = -1000000")
    # Rollups merged by "insert": the tables are empty and nobody else writes (the import's bulk merge).
    for step, fn in () if args.reuse else (("generate_s", lambda c: generate(c, sql, args.rows, units, procedures)),
                     ("rollups_s", lambda _c: rollups_sql.add_final_states("dossiers_dossier", merge="insert"))):
        t0 = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            if sql.pg:
                cursor.execute("SET LOCAL work_mem = '512MB'")
            fn(cursor)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        steps[step] = time.perf_counter() - t0
        print(f"  {step}: {steps[step]:.1f} s", flush=True)
    with connection.cursor() as cursor:
        sizes = {}
        for table in ("dossiers_dossier", "reports_dailycounter", "reports_monthlycounter",
                      "reports_unitdailycounter", "reports_unitmonthlycounter"):
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            sizes[table] = cursor.fetchone()[0]
    print("  rows: " + ", ".join(f"{t.split('_', 1)[1]} {n:,}" for t, n in sizes.items()), flush=True)
    results = []
    for period, (date_from, date_to) in PERIODS.items():
        for by in ("child", None):
            line = {"period": period, "from": str(date_from), "to": str(date_to), "by": by or "totals"}
            for source, runs in (("rollups", args.runs), ("dossiers", args.scan_runs)):
                ms, out = timed(lambda s=source, f=date_from, t=date_to, b=by: compute_form06(
                    args.province, f, t, by=b, source=s), runs)
                line[f"{source}_ms"] = round(ms, 1)
                line[f"{source}_result"] = out
            assert line.pop("rollups_result") == (scanned := line.pop("dossiers_result")), f"{period} {by}: differ"
            line["received_total"] = scanned["totals"]["received_total"]
            line["rows"] = len(scanned["rows"])
            line["speedup"] = round(line["dossiers_ms"] / line["rollups_ms"], 1)
            results.append(line)
            print(f"  {period:<8} {line['by']:<7} rollups {line['rollups_ms']:>8.1f} ms   GROUP BY "
                  f"{line['dossiers_ms']:>9.1f} ms   ×{line['speedup']:<7} (equal; {line['received_total']:,} "
                  f"dossiers handled, {line['rows']} rows)", flush=True)
    report = {"db": args.db, "rows": args.rows, "province": args.province, "communes": len(communes),
              "runs": args.runs, "scan_runs": args.scan_runs, "reused": args.reuse,
              "steps": {k: round(v, 1) for k, v in steps.items()}, "table_rows": sizes, "results": results}
    target = OUT / f"report-{args.db}-{label}.json"
    target.write_text(json.dumps(report, indent=2))
    print(f"wrote {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
