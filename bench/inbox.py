"""The officials' inbox and search on PostgreSQL at 10,000 and at 1,000,000 dossiers, in the same run.

    .venv/bin/python bench/inbox.py [--sizes 10000,1000000] [--runs 15] [--pg postgres://postgres@127.0.0.1:5432/postgres]
                                    [--keep]

1. A scratch database ``bench_inbox`` (dropped at the end unless --keep): migrate; a province of 20
   communes, each with its one-stop agency and a counter, a specialist and a head; one procedure of
   three steps (counter → specialist → head, 15 working days).
2. The dossiers, by set-based INSERT ... SELECT over generate_series (with their 3 route steps and
   their events: the receipt, and the return for those returned), spread over the 20 agencies:
     - rows 1..10,000: the last 50 days' work, in every state (3 % online awaiting intake, 25 % open
       at one of the steps or waiting for the citizen, 5 % waiting to be returned, the rest returned;
       30 % of those at the specialist's step assigned by name);
     - rows 10,001..N: older history, 200 dossiers a day going back (1,000,000 rows: 13.5 years),
       all returned. This is how a province's table grows: history accumulates, the open work does
       not. Going from 10,000 to 1,000,000 adds only history, so a query whose cost follows the open
       work (the inbox's tabs) or a selective search should not slow down; one that scans history does.
   Applicants' names drawn from common Vietnamese family names (weighted: Nguyễn 38 %...), middle and
   given names, folded like Dossier.save() does; ID numbers unique, phones derived from them. The
   bulk INSERT takes the indexes away and puts them back as the legacy import does
   (motcua.dossiers.legacy.bulk), then ANALYZE.
3. At each size, through Django's test client in this process (the view's whole server time: the
   middleware, the queries, the template), logged in as agency 1's officers: the inbox's first page
   of each tab (counter: intake, step, citizen, return, done; specialist: step, mine; head: step),
   and the search screen (/office/tim-kiem/) by a full name typed without diacritics, by an ID
   number, and by a common family name alone; /healthz as the machine's reference of the same run.
   Median of --runs runs after 3 warm-ups.
4. EXPLAIN (ANALYZE, BUFFERS) of each tab's page query and each search's query at each size:
   bench/out/inbox-explain-<size>.txt, and the indexes each plan used.

Prints a table and writes bench/out/inbox.json.
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

ROOT = pathlib.Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))  # the repository's root: bench.pg when run as a script

from bench.pg import pg_admin, with_db  # noqa: E402

DB = "bench_inbox"
AGENCIES = 20
RECENT = 10_000
PER_DAY = 200
FAMILY = [("Nguyễn", 38), ("Trần", 11), ("Lê", 9.5), ("Phạm", 7), ("Hoàng", 5), ("Huỳnh", 4), ("Phan", 4.5),
          ("Vũ", 3.9), ("Võ", 3), ("Đặng", 2.1), ("Bùi", 2), ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3),
          ("Dương", 1), ("Lý", 0.5)]
MIDDLE = ["Văn", "Thị", "Minh", "Quốc", "Thanh", "Ngọc", "Đức", "Hữu", "Thu", "Xuân"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hồng", "Hùng", "Hương",
         "Khánh", "Lan", "Linh", "Long", "Mai", "Minh", "Nam", "Nga", "Ngân", "Nhung", "Phong", "Phương",
         "Quân", "Quang", "Sơn", "Tâm", "Thảo", "Thủy", "Trang", "Tuấn", "Tùng", "Uyên", "Vân", "Việt", "Yến",
         "Bích", "Đạt"]
SEARCH_NAME = "tran thi bich"  # typed without diacritics: "Trần Thị Bích"
COMMON_NAME = "nguyen"
GIVEN_NAME = "bich"  # one word: looked for inside the names (the trigram index)
SEARCH_ID_ROW = 20  # a recent dossier of agency 1 (row 20 % 20 == 0)


def uniform(k: int) -> str:
    """A pseudo-random number in [0, 1) from the row number ``i`` (bench/report.py's hash)."""
    multiplier = (742938285, 950706376, 1226874159, 62089911, 1343714438, 1583458089, 784588716, 1117566791)[k]
    return f"((CAST(i AS BIGINT) * {multiplier} + {k * 7919}) % 2147483647)::float8 / 2147483647"


def setup_world() -> dict:
    import datetime as dt

    from django.contrib.auth import get_user_model

    from motcua.units.models import AdministrativeUnit, Agency, StaffRole
    from tests.factories import make_procedure

    since = dt.date(2000, 1, 1)
    province = AdministrativeUnit.objects.create(code="Z9", name="Tỉnh Thử Tải", level="province", valid_from=since)
    agencies, users = [], {}
    for n in range(1, AGENCIES + 1):
        commune = AdministrativeUnit.objects.create(code=f"Z9{n:03d}", name=f"Xã Thử {n}", level="commune",
                                                    parent=province, valid_from=since)
        agency = Agency.objects.create(code=f"ZX{n:02d}", name=f"UBND xã Thử {n}", kind="ubnd", unit=commune,
                                       level="commune", has_one_stop=True, valid_from=since)
        agencies.append(agency)
        for role in ("counter", "specialist", "head"):
            user = get_user_model().objects.create_user(f"bench_{role}_{n}", first_name=role.title())
            StaffRole.objects.create(user=user, role=role, agency=agency)
            users[(role, n)] = user
    procedure = make_procedure(code="B.000001", days=15, shares=(480, 6240, 480))
    return {"agencies": agencies, "users": users, "procedure": procedure}


def _pick(r: str, values: list[str]) -> str:
    return f"(ARRAY[{', '.join(values)}])[1 + floor({r} * {len(values)})::int]"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _names(r_fam: str, r_mid: str, r_giv: str) -> tuple[str, str]:
    from motcua.catalog.search import fold

    total = sum(w for _, w in FAMILY)
    cases, folded_cases, acc = [], [], 0.0
    for name, weight in FAMILY:
        acc += weight / total
        cases.append(f"WHEN {r_fam} < {acc:.6f} THEN {_quote(name)}")
        folded_cases.append(f"WHEN {r_fam} < {acc:.6f} THEN {_quote(fold(name))}")
    family = f"(CASE {' '.join(cases)} ELSE {_quote(FAMILY[-1][0])} END)"
    family_f = f"(CASE {' '.join(folded_cases)} ELSE {_quote(fold(FAMILY[-1][0]))} END)"
    middle, middle_f = _pick(r_mid, [_quote(m) for m in MIDDLE]), _pick(r_mid, [_quote(fold(m)) for m in MIDDLE])
    given, given_f = _pick(r_giv, [_quote(g) for g in GIVEN]), _pick(r_giv, [_quote(fold(g)) for g in GIVEN])
    return (f"{family} || ' ' || {middle} || ' ' || {given}", f"{family_f} || ' ' || {middle_f} || ' ' || {given_f}")


def insert_dossiers(cursor, world: dict, lo: int, hi: int) -> None:  # noqa: ANN001
    """Rows ``lo``..``hi`` (see the module doc), their steps and their events."""
    from django.db import connection

    agency_ids = [str(a.pk) for a in world["agencies"]]
    unit_ids = [str(a.unit_id) for a in world["agencies"]]
    counters = [str(world["users"][("counter", n)].pk) for n in range(1, AGENCIES + 1)]
    specialists = [str(world["users"][("specialist", n)].pk) for n in range(1, AGENCIES + 1)]
    name, folded = _names(uniform(1), uniform(2), uniform(3))
    fate = uniform(4)
    status = (f"CASE WHEN i > {RECENT} THEN 'returned' WHEN {fate} < 0.03 THEN 'submitted' WHEN {fate} < 0.08 "
              f"THEN 'received' WHEN {fate} < 0.24 THEN 'in_processing' WHEN {fate} < 0.265 THEN "
              f"'awaiting_supplement' WHEN {fate} < 0.28 THEN 'awaiting_payment' WHEN {fate} < 0.32 THEN "
              f"'result_ready' WHEN {fate} < 0.33 THEN 'refused' ELSE 'returned' END")
    # recent: within the last 50 days; history: 200 a day before that
    start = (f"CASE WHEN i <= {RECENT} THEN now() - ({uniform(5)} * 50) * interval '1 day' "
             f"ELSE now() - interval '50 days' - ((i - {RECENT})::float8 / {PER_DAY}) * interval '1 day' END")
    base = (f"SELECT i, {status} AS st, {start} AS t0, {uniform(6)} AS r_step, {uniform(7)} AS r_assign, "
            f"1 + (i % {AGENCIES}) AS a FROM generate_series({lo}, {hi}) AS i")
    finished = "st IN ('result_ready', 'refused', 'returned')"
    values = {
        "code": "'B-' || i", "regime": "CASE WHEN i > 200000 THEN '2018' ELSE '2025' END",
        "procedure_id": str(world["procedure"].pk), "unit_id": f"(ARRAY[{','.join(unit_ids)}])[a]",
        "agency_id": f"(ARRAY[{','.join(agency_ids)}])[a]", "level": "'commune'",
        "channel": "CASE WHEN st = 'submitted' OR r_step < 0.4 THEN 'online' ELSE 'counter' END", "status": "st",
        "applicant_name": name, "applicant_name_folded": folded, "applicant_id": "lpad(i::text, 12, '0')",
        "applicant_phone": "'09' || lpad(((i::bigint * 7919) % 100000000)::text, 8, '0')",
        "matter": "'Hồ sơ thử tải'", "sets": "1", "submitted_at": "t0",
        "received_at": "CASE WHEN st = 'submitted' THEN NULL ELSE t0 END",
        "clock_start": "CASE WHEN st = 'submitted' THEN NULL ELSE t0 END",
        "due_at": "CASE WHEN st = 'submitted' THEN NULL ELSE t0 + interval '21 days' END",
        "paused_at": "CASE WHEN st LIKE 'awaiting%' THEN t0 + interval '2 days' END",
        "remaining_minutes": "CASE WHEN st LIKE 'awaiting%' THEN 4800 END",
        "supplement_requests": "CASE WHEN st = 'awaiting_supplement' THEN 1 ELSE 0 END",
        "finished_at": f"CASE WHEN {finished} THEN LEAST(t0 + interval '12 days', now()) END",
        "outcome": "CASE WHEN st = 'refused' THEN 'refused' WHEN st IN ('result_ready', 'returned') THEN 'approved' "
                   "ELSE '' END",
        "returned_at": "CASE WHEN st = 'returned' THEN LEAST(t0 + interval '13 days', now()) END",
        "current_step": ("CASE WHEN st = 'submitted' THEN 0 WHEN st = 'received' THEN 1 WHEN st = 'in_processing' "
                         "AND r_step < 0.7 THEN 2 WHEN st LIKE 'awaiting%' THEN 2 ELSE 3 END"),
        "assignee_id": (f"CASE WHEN st = 'in_processing' AND r_step < 0.7 AND r_assign < 0.3 "
                        f"THEN (ARRAY[{','.join(specialists)}])[a] END"),
        "imported": "FALSE", "version": "1",
        "last_event_at": "COALESCE(CASE WHEN st = 'returned' THEN LEAST(t0 + interval '13 days', now()) END, t0)",
        "created_at": "t0",
    }
    table = "dossiers_dossier"
    for column in connection.introspection.get_table_description(cursor, table):
        if column.name in values or column.name == "id" or column.null_ok:
            continue
        values[column.name] = "0" if column.type_code in (20, 21, 23) else (
            "FALSE" if column.type_code == 16 else "''")
    columns = list(values)
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
    before = cursor.fetchone()[0]
    cursor.execute(f"INSERT INTO {table} ({', '.join(columns)}) "
                   f"SELECT {', '.join(values[c] for c in columns)} FROM ({base}) AS b")
    written = f"d.id > {before}"  # the rows just written
    cursor.execute(
        "INSERT INTO dossiers_dossierstep (dossier_id, \"order\", name, role, agency_id, share_minutes, started_at, "
        "due_at, finished_at) SELECT d.id, s.o, s.name, s.role, d.agency_id, s.share, "
        "CASE WHEN s.o <= d.current_step THEN d.received_at + (s.o - 1) * interval '1 day' END, "
        "d.received_at + s.days * interval '1 day', "
        "CASE WHEN s.o < d.current_step OR d.finished_at IS NOT NULL THEN d.received_at + s.o * interval '1 day' END "
        "FROM dossiers_dossier d CROSS JOIN (VALUES (1, 'Tiếp nhận', 'counter', 480, 1), "
        "(2, 'Thẩm định', 'specialist', 6240, 14), (3, 'Phê duyệt', 'head', 480, 21)) AS s(o, name, role, share, days) "
        f"WHERE {written}")
    counter_of = f"(ARRAY[{','.join(counters)}])[1 + ((substr(d.code, 3)::int) % {AGENCIES})]"
    cursor.execute(
        "INSERT INTO dossiers_dossierevent (dossier_id, seq, action, at, actor_id, actor_label, from_status, "
        "to_status, step, note, reason, payload) "
        f"SELECT d.id, 1, CASE WHEN d.channel = 'online' THEN 'submit' ELSE 'receive' END, d.submitted_at, "
        f"CASE WHEN d.channel = 'online' THEN NULL ELSE {counter_of} END, 'Cán bộ một cửa', '', "
        "CASE WHEN d.status = 'submitted' THEN 'submitted' ELSE 'received' END, NULL, '', '', '{}'::jsonb "
        f"FROM dossiers_dossier d WHERE {written}")
    cursor.execute(
        "INSERT INTO dossiers_dossierevent (dossier_id, seq, action, at, actor_id, actor_label, from_status, "
        "to_status, step, note, reason, payload) "
        f"SELECT d.id, 2, 'return', d.returned_at, {counter_of}, 'Cán bộ một cửa', 'result_ready', 'returned', 3, "
        f"'', '', '{{}}'::jsonb FROM dossiers_dossier d WHERE d.status = 'returned' AND {written}")


def grow(world: dict, lo: int, hi: int) -> float:
    """Write rows lo..hi as the legacy import writes: indexes away, rows, indexes back; then ANALYZE."""
    from django.db import connection, transaction

    from motcua.dossiers.legacy import bulk
    from motcua.dossiers.models import Dossier, DossierEvent, DossierStep

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")
        restore = bulk.take_away([Dossier, DossierStep, DossierEvent], keep_unique=(Dossier,))
        insert_dossiers(cursor, world, lo, hi)
        bulk.put_back(restore)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE dossiers_dossier")
        cursor.execute("VACUUM ANALYZE dossiers_dossierstep")
        cursor.execute("VACUUM ANALYZE dossiers_dossierevent")
    return time.perf_counter() - started


def cases(world: dict) -> list[tuple[str, str, str]]:
    """(label, user key, URL) of what is timed."""
    out = [("healthz (reference)", "counter", "/healthz")]
    for tab in ("intake", "step", "citizen", "return", "done"):
        out.append((f"inbox counter: {tab}", "counter", f"/office/?tab={tab}"))
    out += [("inbox specialist: step", "specialist", "/office/?tab=step"),
            ("inbox specialist: mine", "specialist", "/office/?tab=mine"),
            ("inbox head: step", "head", "/office/?tab=step"),
            (f"search: name '{SEARCH_NAME}'", "counter", f"/office/tim-kiem/?name={SEARCH_NAME.replace(' ', '+')}"),
            ("search: ID number", "counter", f"/office/tim-kiem/?id_number={SEARCH_ID_ROW:012d}"),
            (f"search: name '{COMMON_NAME}' (common)", "counter", f"/office/tim-kiem/?name={COMMON_NAME}"),
            (f"search: name '{GIVEN_NAME}' (a given name)", "counter", f"/office/tim-kiem/?name={GIVEN_NAME}")]
    return out


def measure(world: dict, runs: int) -> dict[str, dict]:
    from django.test import Client

    clients = {}
    for role in ("counter", "specialist", "head"):
        clients[role] = Client()
        clients[role].force_login(world["users"][(role, 1)])
    results = {}
    for label, who, url in cases(world):
        client = clients[who]
        for _ in range(3):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
        rows = len(re.findall(rb'<tr data-code="', response.content))
        results[label] = {"median_ms": round(statistics.median(times), 2), "rows": rows}
        print(f"  {label:<40} {results[label]['median_ms']:>8.2f} ms  ({rows} rows on the page)", flush=True)
    return results


def explain(world: dict, size: int) -> dict[str, list[str]]:
    """EXPLAIN (ANALYZE, BUFFERS) of each tab's page and each search; the indexes each plan used."""
    from django.utils import timezone

    from motcua.office import dossier_search, queues

    now = timezone.now()
    plans: dict[str, str] = {}
    users = {role: world["users"][(role, 1)] for role in ("counter", "specialist", "head")}
    for who, tab in (("counter", "intake"), ("counter", "step"), ("counter", "citizen"), ("counter", "return"),
                     ("counter", "done"), ("specialist", "mine"), ("specialist", "step")):
        qs = queues.queue(users[who], tab, now)[:25]
        plans[f"{who} {tab} (page)"] = qs.explain(analyze=True, buffers=True)
        count = queues.Dossier.objects.filter(queues._condition(users[who], tab, now)).values("pk")
        plans[f"{who} {tab} (count)"] = count.explain(analyze=True, buffers=True)
    for label, criteria in ((f"search name '{SEARCH_NAME}'", dossier_search.Criteria(name=SEARCH_NAME)),
                            ("search ID", dossier_search.Criteria(id_number=f"{SEARCH_ID_ROW:012d}")),
                            (f"search name '{COMMON_NAME}'", dossier_search.Criteria(name=COMMON_NAME))):
        qs = dossier_search.search(users["counter"], dossier_search.check(criteria))[:26]
        plans[label] = qs.explain(analyze=True, buffers=True)
    # The full name's probe: does a name the counter sees begin with it? (then the page above reads those)
    probe = dossier_search.Dossier.objects.filter(
        dossier_search.condition(dossier_search.check(dossier_search.Criteria(name=SEARCH_NAME)), name_from_start=True),
        dossier_search.scope(users["counter"]))[:1]
    plans[f"search name '{SEARCH_NAME}' (probe: begins with)"] = probe.explain(analyze=True, buffers=True)
    criteria = dossier_search.check(dossier_search.Criteria(name=GIVEN_NAME))
    plans[f"search name '{GIVEN_NAME}'"] = dossier_search.search(users["counter"], criteria)[:26].explain(
        analyze=True, buffers=True)
    text = "\n\n".join(f"== {k}\n{v}" for k, v in plans.items())
    (OUT / f"inbox-explain-{size}.txt").write_text(text)
    used = {}
    for k, v in plans.items():
        names = re.findall(r"(?:Index Scan|Index Only Scan|Bitmap Index Scan)(?: Backward)? (?:using|on) (\w+)", v)
        used[k] = sorted(set(names)) + (["Seq Scan on " + t for t in sorted(set(re.findall(r"Seq Scan on (\w+)", v)))])
    return used


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    assert sizes[0] >= RECENT, f"the smallest size holds the {RECENT:,} recent dossiers"
    pg_admin(args.pg, f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    pg_admin(args.pg, f"CREATE DATABASE {DB}")
    os.environ["DATABASE_URL"] = with_db(args.pg, DB)
    os.environ.setdefault("MOTCUA_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True)
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # no query log kept in memory while timing
    OUT.mkdir(parents=True, exist_ok=True)
    world = setup_world()
    report: dict = {"runs": args.runs, "sizes": {}}
    written = 0
    try:
        for size in sizes:
            seconds = grow(world, written + 1, size)
            print(f"{size:,} dossiers (+{size - written:,} in {seconds:.1f} s, with steps, events, indexes)",
                  flush=True)
            written = size
            report["sizes"][size] = {"grow_s": round(seconds, 1), "timings": measure(world, args.runs),
                                     "indexes": explain(world, size)}
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            pg_admin(args.pg, f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    small, large = report["sizes"][sizes[0]]["timings"], report["sizes"][sizes[-1]]["timings"]
    report["ratio"] = {k: round(large[k]["median_ms"] / small[k]["median_ms"], 2) for k in small}
    print(f"\n{'':<40} {sizes[0]:>10,} {sizes[-1]:>12,}   ratio")
    for k in small:
        print(f"{k:<40} {small[k]['median_ms']:>8.2f} ms {large[k]['median_ms']:>9.2f} ms   "
              f"{report['ratio'][k]:.2f}×")
    for k, names in report["sizes"][sizes[-1]]["indexes"].items():
        print(f"  {k}: {', '.join(names) or '(no index)'}")
    (OUT / "inbox.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(f"wrote {(OUT / 'inbox.json').relative_to(ROOT)}")


if __name__ == "__main__":
    main()
