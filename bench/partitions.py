"""Dossiers and events partitioned by year of receipt, against the app's tables, at 10 M dossiers, in the same run.

    .venv/bin/python bench/partitions.py [--sizes 1000000,10000000] [--runs 5] [--burst 10000]
                                         [--pg postgres://postgres@127.0.0.1:5432/postgres] [--keep]

1. A template database (migrate; 4 provinces of 10 communes, each commune with its one-stop agency and a
   counter officer; one procedure), copied into two scratch databases:
     plain — ``dossiers_dossier`` and ``dossiers_dossierevent`` exactly as the migrations make them;
     part  — the same two tables re-made by SQL, ``(LIKE ... INCLUDING DEFAULTS INCLUDING IDENTITY
             INCLUDING CONSTRAINTS) PARTITION BY RANGE``: dossiers on ``received_at`` (one partition per
             local year, and a DEFAULT partition for the online dossiers not yet received, received_at
             NULL), events on their own instant ``at`` (an event has no receipt instant; the receipt
             event's ``at`` is the receipt). Keys must include the partition key: dossiers UNIQUE (id, received_at),
             (code, received_at), (idempotency_key, received_at); events PRIMARY KEY (id, at), UNIQUE (dossier_id,
             seq, at); no foreign key can point at the dossiers (dropped; see docs/scaling.md).
2. The same rows in both, set-based (INSERT ... SELECT over generate_series, 1 M rows a statement, the
   indexes and keys taken away and put back as motcua.dossiers.legacy.bulk does; on ``part`` they are
   made on the partitioned parents after the load): N dossiers over 13 years back from 2026-12-05, the
   last 60 days in every state, older ones finished (0.2 % left open), and one event per dossier.
3. Timed in both, alternating plain/part: a burst of --burst single-row receipts of this year (INSERT of
   the dossier RETURNING id, INSERT of its event, COMMIT — each its own transaction), and form-06-like
   aggregates (conditional counts by commune: received in the period, carried over open at its start,
   resolved early/late, in progress, overdue) for one province, quarter 3 of 2026 and the whole of 2024,
   median of --runs runs after 2 warm-ups; a dossier read by id alone (median of 2,000); EXPLAIN (ANALYZE, BUFFERS) to
   bench/out/partitions-explain-<size>.txt. Reference in the same run: pgbench TPC-B (scale 10, 4 clients,
   20 s) before and after, and the median latency of ``SELECT 1``.

Prints the figures as they come and writes bench/out/partitions.json.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import re
import statistics
import subprocess
import sys
import time
from typing import Any

import psycopg

ROOT = pathlib.Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))
from inbox import _names, uniform  # noqa: E402  (bench/inbox.py: names and the row hash)

from bench.pg import with_db  # noqa: E402

TEMPLATE, PGBENCH, LAYOUTS = "motcua_bench_tmpl", "motcua_bench_pgbench", ("motcua_bench_plain", "motcua_bench_part")
PROVINCES, COMMUNES, YEARS = 4, 10, 13
ANCHOR = "TIMESTAMPTZ '2026-12-05 08:00:00+07'"  # "now" for the generated rows: the same in both databases
CHUNK = 1_000_000
PERIODS = {"Q3 2026 (province)": ("2026-07-01", "2026-10-01"), "year 2024 (province)": ("2024-01-01", "2025-01-01")}
SINCE = 2013  # the first partition's year (13 years back from 2026-12)


def admin(url: str, sql: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


def build_template(pg: str) -> dict[str, Any]:
    """Migrate the template and give it the world the rows point at (through the ORM, as bench/inbox.py)."""
    admin(pg, f"DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)")
    admin(pg, f"CREATE DATABASE {TEMPLATE}")
    env = dict(os.environ, DATABASE_URL=with_db(pg, TEMPLATE), MOTCUA_DEBUG="1")
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    os.environ.update(DATABASE_URL=env["DATABASE_URL"], MOTCUA_DEBUG="1", DJANGO_SETTINGS_MODULE="motcua.settings")
    import datetime as dt

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connections

    from motcua.units.models import AdministrativeUnit, Agency
    from tests.factories import make_procedure

    since = dt.date(2000, 1, 1)
    world: dict[str, Any] = {"units": [], "agencies": [], "counters": [], "province_units": []}
    for p in range(1, PROVINCES + 1):
        province = AdministrativeUnit.objects.create(code=f"Z{p}", name=f"Tỉnh Thử {p}", level="province",
                                                     valid_from=since)
        for n in range(1, COMMUNES + 1):
            commune = AdministrativeUnit.objects.create(code=f"Z{p}{n:03d}", name=f"Xã Thử {p}.{n}",
                                                        level="commune", parent=province, valid_from=since)
            agency = Agency.objects.create(code=f"Z{p}X{n:02d}", name=f"UBND xã Thử {p}.{n}", kind="ubnd",
                                           unit=commune, level="commune", has_one_stop=True, valid_from=since)
            user = get_user_model().objects.create_user(f"bench_counter_{p}_{n}")
            world["units"].append(commune.pk)
            world["agencies"].append(agency.pk)
            world["counters"].append(user.pk)
            if p == 1:
                world["province_units"].append(commune.pk)
    world["procedure"] = make_procedure(code="B.000001", days=15, shares=(480, 6240, 480)).pk
    connections.close_all()
    return world


def partition(conn: psycopg.Connection) -> tuple[list[str], list[str]]:
    """Re-make the two tables partitioned (empty); returns (indexes and keys, foreign keys) to put on after the load."""
    indexes, keys = [], []
    for table in ("dossiers_dossier", "dossiers_dossierevent"):
        for (definition,) in conn.execute(
                "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = %s::regclass "
                "AND NOT i.indisunique ORDER BY 1", [table]).fetchall():
            indexes.append(definition)
        for (definition,) in conn.execute(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f' "
                "AND confrelid NOT IN ('dossiers_dossier'::regclass) ORDER BY 1", [table]).fetchall():
            keys.append(f"ALTER TABLE {table} ADD {definition}")
        key = "received_at" if table == "dossiers_dossier" else "at"
        conn.execute(f"CREATE TABLE {table}_p (LIKE {table} INCLUDING DEFAULTS INCLUDING IDENTITY "
                     f"INCLUDING CONSTRAINTS) PARTITION BY RANGE ({key})")
    conn.execute("DROP TABLE dossiers_dossierevent")
    conn.execute("DROP TABLE dossiers_dossier CASCADE")  # and the foreign keys that pointed at it
    for table in ("dossiers_dossier", "dossiers_dossierevent"):
        conn.execute(f"ALTER TABLE {table}_p RENAME TO {table}")
        for year in range(SINCE, 2028):
            conn.execute(f"CREATE TABLE {table}_y{year} PARTITION OF {table} FOR VALUES FROM "
                         f"('{year}-01-01 00:00+07') TO ('{year + 1}-01-01 00:00+07')")
        conn.execute(f"CREATE TABLE {table}_default PARTITION OF {table} DEFAULT")
    indexes += ["ALTER TABLE dossiers_dossier ADD CONSTRAINT dossier_id_received_unique UNIQUE (id, received_at)",
                "ALTER TABLE dossiers_dossier ADD CONSTRAINT dossier_code_unique UNIQUE (code, received_at)",
                "CREATE UNIQUE INDEX dossier_idempotency_key_unique ON dossiers_dossier (idempotency_key, received_at) "
                "WHERE idempotency_key IS NOT NULL",
                "ALTER TABLE dossiers_dossierevent ADD PRIMARY KEY (id, at)",
                "ALTER TABLE dossiers_dossierevent ADD CONSTRAINT dossier_event_seq_unique "
                "UNIQUE (dossier_id, seq, at)"]
    return indexes, keys


def take_away(conn: psycopg.Connection) -> list[str]:
    """The app's tables: drop every index and key but the dossier's primary key (the legacy import's way)."""
    statements: list[str] = []
    for table in ("dossiers_dossier", "dossiers_dossierevent"):
        for name, kind, definition in conn.execute(
                "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
                "AND contype IN ('f', 'u', 'p') AND NOT (contype = 'p' AND conrelid = 'dossiers_dossier'::regclass) "
                "ORDER BY contype DESC", [table]).fetchall():
            conn.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
            restore = f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}"
            statements.insert(len(statements) if kind == "f" else 0, restore)
        for name, definition in conn.execute(
                "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = %s::regclass "
                "AND NOT i.indisprimary AND NOT EXISTS (SELECT 1 FROM pg_constraint k "
                "WHERE k.conindid = i.indexrelid)", [table]).fetchall():
            conn.execute(f"DROP INDEX {name}")
            statements.insert(0, definition)
    return statements


def rows_sql(world: dict[str, Any], lo: int, hi: int, total: int) -> tuple[str, str]:
    """INSERTs of dossiers lo..hi and of their one event each; the same rows in both layouts."""
    per_day = total / (YEARS * 365.25)
    units = f"(ARRAY[{','.join(map(str, world['units']))}])"
    agencies = f"(ARRAY[{','.join(map(str, world['agencies']))}])"
    counters = f"(ARRAY[{','.join(map(str, world['counters']))}])"
    fate, age = uniform(4), f"((i - 1)::float8 / {per_day})"
    status = (f"CASE WHEN {age} >= 60 THEN (CASE WHEN {fate} < 0.002 THEN 'in_processing' WHEN {fate} < 0.012 "
              f"THEN 'refused' ELSE 'returned' END) WHEN {fate} < 0.03 THEN 'submitted' WHEN {fate} < 0.08 "
              f"THEN 'received' WHEN {fate} < 0.24 THEN 'in_processing' WHEN {fate} < 0.265 THEN "
              f"'awaiting_supplement' WHEN {fate} < 0.32 THEN 'result_ready' WHEN {fate} < 0.33 THEN 'refused' "
              "ELSE 'returned' END")
    base = (f"SELECT i, {status} AS st, {ANCHOR} - {age} * interval '1 day' AS t0, {uniform(6)} AS r, "
            f"1 + (i % {len(world['units'])}) AS a FROM generate_series({lo}, {hi}) AS i")
    name, folded = _names(uniform(1), uniform(2), uniform(3))
    done = "st IN ('result_ready', 'refused', 'returned')"
    finished = f"CASE WHEN {done} THEN LEAST(t0 + (2 + r * 20) * interval '1 day', {ANCHOR}) END"
    values = {
        "id": "i", "code": "'B-' || i", "regime": "'2025'", "level": "'commune'",
        "channel": "CASE WHEN st = 'submitted' OR r < 0.4 THEN 'online' ELSE 'counter' END", "status": "st",
        "applicant_name": name, "applicant_name_folded": folded, "applicant_id": "lpad(i::text, 12, '0')",
        "applicant_phone": "'09' || lpad(((i::bigint * 7919) % 100000000)::text, 8, '0')", "applicant_email": "''",
        "applicant_address": "''", "matter": "'Hồ sơ thử tải'", "sets": "1", "submitted_at": "t0",
        "received_at": "CASE WHEN st = 'submitted' THEN NULL ELSE t0 END",
        "clock_start": "CASE WHEN st = 'submitted' THEN NULL ELSE t0 END",
        "due_at": "CASE WHEN st = 'submitted' THEN NULL ELSE t0 + interval '21 days' END",
        "paused_at": "CASE WHEN st LIKE 'awaiting%' THEN t0 + interval '2 days' END",
        "remaining_minutes": "CASE WHEN st LIKE 'awaiting%' THEN 4800 END",
        "supplement_requests": "CASE WHEN st = 'awaiting_supplement' THEN 1 ELSE 0 END", "finished_at": finished,
        "outcome": "CASE WHEN st = 'refused' THEN 'refused' WHEN st IN ('result_ready', 'returned') THEN 'approved' "
                   "ELSE '' END",
        "returned_at": f"CASE WHEN st = 'returned' THEN LEAST({finished} + interval '1 day', {ANCHOR}) END",
        "current_step": "CASE WHEN st = 'submitted' THEN 0 WHEN st = 'received' THEN 1 WHEN st IN ('in_processing', "
                        "'awaiting_supplement') THEN 2 ELSE 3 END",
        "imported": "FALSE", "created_at": "t0", "agency_id": f"{agencies}[a]",
        "procedure_id": str(world["procedure"]), "unit_id": f"{units}[a]", "version": "1", "last_event_at": "t0",
    }
    dossiers = (f"INSERT INTO dossiers_dossier ({', '.join(values)}) SELECT {', '.join(values.values())} "
                f"FROM ({base}) AS b")
    events = ("INSERT INTO dossiers_dossierevent (id, dossier_id, seq, action, at, actor_id, actor_label, from_status, "
              "to_status, step, note, reason, payload) SELECT i, i, 1, CASE WHEN st = 'submitted' OR r < 0.4 THEN "
              f"'submit' ELSE 'receive' END, t0, {counters}[a], 'Cán bộ một cửa', '', CASE WHEN st = 'submitted' "
              f"THEN 'submitted' ELSE 'received' END, NULL, '', '', '{{}}'::jsonb FROM ({base}) AS b")
    return dossiers, events


def load(url: str, world: dict[str, Any], lo: int, hi: int, total: int, after: list[str] | None) -> float:
    """Rows lo..hi with the indexes away, then ``after`` (None: the app's tables' own, taken away and put back; [] on
    the partitioned layout grown again: its indexes kept); VACUUM ANALYZE. Seconds."""
    started = time.perf_counter()
    with psycopg.connect(url) as conn:
        conn.execute("SET maintenance_work_mem = '512MB'")
        statements = take_away(conn) if after is None else after
        for start in range(lo, hi + 1, CHUNK):
            dossiers, events = rows_sql(world, start, min(hi, start + CHUNK - 1), total)
            conn.execute(dossiers)
            conn.execute(events)
            conn.commit()
            print(f"    {url.rsplit('/', 1)[1]}: {min(hi, start + CHUNK - 1):,} rows "
                  f"({time.perf_counter() - started:.0f} s)", flush=True)
        for statement in statements:
            conn.execute(statement)
        conn.execute(f"SELECT setval(pg_get_serial_sequence('dossiers_dossier', 'id'), {hi})")
        conn.execute(f"SELECT setval(pg_get_serial_sequence('dossiers_dossierevent', 'id'), {hi})")
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE dossiers_dossier")
        conn.execute("VACUUM ANALYZE dossiers_dossierevent")
    return time.perf_counter() - started


def burst(urls: list[str], world: dict[str, Any], count: int, rounds: int = 5) -> dict[str, dict[str, float]]:
    """``count`` receipts, each its own transaction, in rounds alternating the layouts: total s, p50, p95."""
    times: dict[str, list[float]] = {u: [] for u in urls}
    conns = {u: psycopg.connect(u) for u in urls}
    n = 0
    for _ in range(rounds):
        for url in urls:
            conn = conns[url]
            for k in range(count // rounds):
                n += 1
                a = k % len(world["units"])
                t0 = time.perf_counter()
                (dossier,) = conn.execute(
                    "INSERT INTO dossiers_dossier (code, regime, level, channel, status, applicant_name, "
                    "applicant_name_folded, applicant_id, applicant_phone, applicant_email, applicant_address, matter, "
                    "sets, submitted_at, received_at, clock_start, due_at, supplement_requests, outcome, current_step, "
                    "imported, created_at, agency_id, procedure_id, unit_id, version, last_event_at) VALUES (%s, "
                    "'2025', 'commune', 'counter', 'received', 'Nguyễn Văn An', 'nguyen van an', %s, '0900000000', "
                    "'', '', 'Hồ sơ mới', 1, now(), now(), now(), now() + interval '21 days', 0, '', 1, FALSE, now(), "
                    "%s, %s, %s, 1, now()) RETURNING id",
                    [f"N-{url[-4:]}-{n}", f"{n:012d}", world["agencies"][a], world["procedure"], world["units"][a]],
                ).fetchone()
                conn.execute("INSERT INTO dossiers_dossierevent (dossier_id, seq, action, at, actor_id, actor_label, "
                             "from_status, to_status, step, note, reason, payload) "
                             "VALUES (%s, 1, 'receive', now(), %s, 'Cán bộ một cửa', '', 'received', NULL, '', '', "
                             "'{}')", [dossier, world["counters"][a]])
                conn.commit()
                times[url].append(time.perf_counter() - t0)
    for conn in conns.values():
        conn.close()
    return {u: {"total_s": round(sum(t), 2), "p50_ms": round(statistics.median(t) * 1000, 3),
                "p95_ms": round(sorted(t)[int(len(t) * 0.95)] * 1000, 3)} for u, t in times.items()}


def form06_sql(world: dict[str, Any], start: str, end: str) -> str:
    """Counts by commune of one province over [start, end), as compute_form06(source="dossiers") counts them."""
    a, b = f"TIMESTAMPTZ '{start} 00:00+07'", f"TIMESTAMPTZ '{end} 00:00+07'"
    in_period = f"(received_at >= {a} AND received_at < {b})"
    withdrawn = f"(withdrawn_at <= {b} OR (outcome = 'withdrawn' AND finished_at <= {b}))"
    resolved = f"(finished_at <= {b} AND NOT {withdrawn})"
    in_progress = f"(NOT {withdrawn} AND (finished_at IS NULL OR finished_at > {b}))"
    return (
        f"SELECT unit_id, count(*) AS received_total, count(*) FILTER (WHERE {in_period} AND channel = 'online') "
        f"AS online, count(*) FILTER (WHERE NOT {in_period}) AS carried_over, count(*) FILTER (WHERE {resolved}) "
        f"AS resolved, count(*) FILTER (WHERE {resolved} AND finished_at < due_at) AS early, count(*) FILTER "
        f"(WHERE {resolved} AND finished_at > due_at) AS late, count(*) FILTER (WHERE {in_progress}) AS in_progress, "
        f"count(*) FILTER (WHERE {in_progress} AND due_at < {b}) AS overdue, count(*) FILTER (WHERE outcome = "
        f"'refused') AS refused FROM dossiers_dossier WHERE unit_id IN ({','.join(map(str, world['province_units']))}) "
        f"AND received_at IS NOT NULL AND received_at <= {b} AND ({in_period} OR (received_at < {a} AND "
        f"(finished_at IS NULL OR finished_at >= {a}) AND (withdrawn_at IS NULL OR withdrawn_at >= {a}))) "
        "GROUP BY unit_id ORDER BY unit_id")


def reports(urls: list[str], world: dict[str, Any], runs: int, size: int) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    plans = []
    conns = {u: psycopg.connect(u, autocommit=True) for u in urls}
    for label, (start, end) in PERIODS.items():
        sql = form06_sql(world, start, end)
        times: dict[str, list[float]] = {u: [] for u in urls}
        answers = {}
        for i in range(runs + 2):
            for url in urls:
                t0 = time.perf_counter()
                answers[url] = conns[url].execute(sql).fetchall()
                if i >= 2:
                    times[url].append((time.perf_counter() - t0) * 1000)
        assert len({repr(a) for a in answers.values()}) == 1, f"{label}: the layouts disagree"
        out[label] = {u: round(statistics.median(t), 1) for u, t in times.items()}
        out[label]["rows"] = sum(row[1] for row in answers[urls[0]])
        for url in urls:
            plan = "\n".join(r[0] for r in conns[url].execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}").fetchall())
            plans.append(f"== {label} — {url.rsplit('/', 1)[1]}\n{plan}")
        print(f"  {label}: " + ", ".join(f"{u.rsplit('/', 1)[1]} {out[label][u]} ms" for u in urls), flush=True)
    for conn in conns.values():
        conn.close()
    (OUT / f"partitions-explain-{size}.txt").write_text("\n\n".join(plans))
    return out


def lookups(urls: list[str], size: int, count: int = 2000) -> dict[str, float]:
    """Median ms of ``Dossier.objects.get(pk=...)``'s query by id alone (no partition key: every partition probed)."""
    times: dict[str, list[float]] = {u: [] for u in urls}
    conns = {u: psycopg.connect(u, autocommit=True) for u in urls}
    for k in range(count):
        for url in urls:
            t0 = time.perf_counter()
            conns[url].execute("SELECT * FROM dossiers_dossier WHERE id = %s", [1 + (k * 7919) % size]).fetchone()
            times[url].append((time.perf_counter() - t0) * 1000)
    for conn in conns.values():
        conn.close()
    return {u.rsplit("/", 1)[1]: round(statistics.median(t[count // 10:]), 4) for u, t in times.items()}


def reference(pg: str) -> dict[str, float]:
    """pgbench TPC-B tps (scale 10, 4 clients, 20 s) on its own database, and SELECT 1's median latency."""
    admin(pg, f"DROP DATABASE IF EXISTS {PGBENCH} WITH (FORCE)")
    admin(pg, f"CREATE DATABASE {PGBENCH}")
    url = with_db(pg, PGBENCH)
    subprocess.run(["pgbench", "-i", "-s", "10", "-q", url], check=True, capture_output=True)
    run = subprocess.run(["pgbench", "-c", "4", "-j", "2", "-T", "20", url], check=True, capture_output=True, text=True)
    tps = float(re.search(r"tps = ([\d.]+)", run.stdout).group(1))  # type: ignore[union-attr]
    with psycopg.connect(url, autocommit=True) as conn:
        lat = []
        for _ in range(2000):
            t0 = time.perf_counter()
            conn.execute("SELECT 1").fetchone()
            lat.append((time.perf_counter() - t0) * 1000)
    admin(pg, f"DROP DATABASE IF EXISTS {PGBENCH} WITH (FORCE)")
    return {"pgbench_tps": round(tps, 1), "select1_ms": round(statistics.median(lat), 4)}


def sizes_of(url: str) -> dict[str, float]:
    """GB of each table with its indexes (the partitions' sum), and of the DEFAULT partitions."""
    patterns = {"dossiers_dossier": "dossiers\\_dossier(\\_y%)?",
                "dossiers_dossierevent": "dossiers\\_dossierevent(\\_y%)?", "default": "dossiers\\_%\\_default"}
    with psycopg.connect(url) as conn:
        return {k: round(conn.execute("SELECT coalesce(sum(pg_total_relation_size(oid)), 0)::float8 / 1e9 "
                                      "FROM pg_class WHERE relkind = 'r' AND relname SIMILAR TO %s",
                                      [p]).fetchone()[0], 3)
                for k, p in patterns.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="1000000,10000000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--burst", type=int, default=10_000)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    OUT.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {"runs": args.runs, "burst": args.burst, "reference_before": reference(args.pg)}
    print(f"reference: {report['reference_before']}", flush=True)
    world = build_template(args.pg)
    urls = [with_db(args.pg, db) for db in LAYOUTS]
    try:
        for db in LAYOUTS:
            admin(args.pg, f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
            admin(args.pg, f"CREATE DATABASE {db} TEMPLATE {TEMPLATE}")
        admin(args.pg, f"DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)")
        with psycopg.connect(urls[1]) as conn:
            indexes, keys = partition(conn)
        written, report["sizes"] = 0, {}
        for size in sizes:
            entry: dict[str, Any] = {"load_s": {}}
            for url in urls:
                after = None if url == urls[0] else (indexes + keys if written == 0 else [])
                seconds = load(url, world, written + 1, size, sizes[-1], after)
                entry["load_s"][url.rsplit("/", 1)[1]] = round(seconds, 1)
                print(f"  {url.rsplit('/', 1)[1]}: +{size - written:,} dossiers and events in {seconds:.1f} s")
            written = size
            entry["storage_gb"] = {u.rsplit("/", 1)[1]: sizes_of(u) for u in urls}
            entry["reports_ms"] = {k: {kk.rsplit("/", 1)[-1]: vv for kk, vv in v.items()}
                                   for k, v in reports(urls, world, args.runs, size).items()}
            entry["by_id_ms"] = lookups(urls, size)
            entry["burst"] = {k.rsplit("/", 1)[1]: v for k, v in burst(urls, world, args.burst).items()}
            print(f"{size:,}: {json.dumps(entry, ensure_ascii=False)}", flush=True)
            report["sizes"][size] = entry
        report["reference_after"] = reference(args.pg)
        print(f"reference after: {report['reference_after']}", flush=True)
    finally:
        if not args.keep:
            for db in (*LAYOUTS, TEMPLATE):
                admin(args.pg, f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
    (OUT / "partitions.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(f"wrote {(OUT / 'partitions.json').relative_to(ROOT)}")


if __name__ == "__main__":
    main()
