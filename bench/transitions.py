"""Transitions through the services on PostgreSQL, beside pgbench in the same run.

    .venv/bin/python bench/transitions.py [--threads 1,4,16] [--seconds 15] [--turns 3]
                                          [--pg postgres://postgres@127.0.0.1:5432/postgres]

1. A fresh database ``bench_transitions`` (dropped at the end): migrate, one commune with its
   one-stop agency, a procedure of three steps (counter → specialist → head), one officer per role.
2. For each count T: T officers at once, in the server's processes (deploy/gunicorn.conf.py: at most
   2 × CPUs + 1 worker processes, the officers spread over them as threads, which take turns on the
   interpreter lock every millisecond as its post_fork sets; ``--shape processes``: one process per
   officer instead). All T transitions are in hand at once: at 16 officers on two cores, three or four
   threads a process, as the server holds them with MOTCUA_THREADS=4 (with its default of two, ten at
   once). Each officer on its OWN dossiers of the SAME unit (the case that used to deadlock), started
   together once every process is warm, for ``--seconds``: receive a dossier (with the applicant's
   e-mail and phone, so the outbox and its tasks are written), hand it over twice, resolve it, return
   it — as the officers (``actor=``, the screens' path). Counted: transitions per second (a receipt
   counts as one), deadlocks, other errors, p50/p95 latency, and the CPU per transition of the worker
   processes and of their PostgreSQL sessions (from /proc; the sessions that draw receipts' codes, a
   small pool per process, included).
3. ``pgbench`` TPC-B, scale 10, the SAME number of clients (-c T -j T), as long: its tps is the reference
   (its slowest and fastest turn printed). Ratio = our transitions/s ÷ pgbench tps. Taken in ``--turns``
   turns (ours at 1, pgbench at 1, ours at 4, …, then again): each ratio, and 4 ÷ 1, compare the same
   stretches of a machine whose speed drifts. The budget printed: the CPU (workers and sessions) a
   transition may cost for 0.25, min(T, CPUs) at once.
4. Statements per transition (Django's query capture, one dossier: receive, hand_over, resolve, return,
   after one receipt that warms the per-process caches as any process's first request does), SAVEPOINTs
   included, BEGIN and COMMIT not; and round trips counted at the driver (bench/exchanges.py), on every
   connection: each exchange that sends and waits for the answer (BEGIN and COMMIT too; statements
   pipelined, one).

Prints a table, then each target and whether this run met it (judged on the unrounded figure), and
writes bench/out/transitions.json.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import queue
import re
import secrets
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the repository's root: bench.targets when run as a script

from bench.exchanges import counting_exchanges  # noqa: E402
from bench.pg import pg_admin, with_db  # noqa: E402
from bench.targets import print_targets, target  # noqa: E402

OUT = ROOT / "bench" / "out"
DB = "bench_transitions"
PGB = "bench_transitions_pgbench"
# deploy/gunicorn.conf.py's post_fork: the interval at which a worker's threads take turns on the interpreter lock.
SWITCH_INTERVAL = float(os.environ.get("MOTCUA_SWITCH_INTERVAL_MS", "1")) / 1000


def pgbench(url: str, clients: int, seconds: int) -> float:
    target = with_db(url, PGB)
    done = subprocess.run(["pgbench", "-n", "-c", str(clients), "-j", str(clients), "-T", str(seconds), target],
                          capture_output=True, text=True, check=True)
    match = re.search(r"tps = ([\d.]+)", done.stdout)
    assert match, done.stdout
    return float(match.group(1))


def setup_world():  # noqa: ANN201 - (procedure, unit, agency, users)
    from django.contrib.auth import get_user_model

    from motcua.units.models import StaffRole
    from tests.factories import make_procedure, make_world

    world = make_world("Z")  # codes no real unit has
    procedure = make_procedure(code="B.000001", days=30, shares=(480, 13440, 480))
    users = {}
    for role in ("counter", "specialist", "head"):
        users[role] = get_user_model().objects.create_user(f"bench_{role}")
        StaffRole.objects.create(user=users[role], role=role, agency=world.agency)
    return procedure, world.commune, world.agency, users


def one_dossier(world, n: int, timings: list[float]) -> int:  # noqa: ANN001
    """Receive, hand over twice, resolve, return: 5 transitions, each timed."""
    from motcua.dossiers import services

    procedure, unit, agency, users = world
    applicant = services.Applicant(name=f"Người nộp {n}", id_number=f"{n:012d}", phone="0912345678",
                                   email=f"nguoi{n}@example.vn")
    t0 = time.perf_counter()
    d = services.receive(procedure=procedure, unit=unit, agency=agency, applicant=applicant, actor=users["counter"])
    timings.append(time.perf_counter() - t0)
    for action, who in (("hand_over", "counter"), ("hand_over", "specialist"), ("resolve", "head"),
                        ("return", "counter")):
        t0 = time.perf_counter()
        services.perform(d.pk, action, actor=users[who])
        timings.append(time.perf_counter() - t0)
    return 5


def _load_world(ids: dict):  # noqa: ANN202 - the world's objects in a worker process
    from django.contrib.auth import get_user_model

    from motcua.catalog.models import Procedure
    from motcua.units.models import AdministrativeUnit, Agency

    users = {role: get_user_model().objects.get(pk=pk) for role, pk in ids["users"].items()}
    return (Procedure.objects.get(pk=ids["procedure"]), AdministrativeUnit.objects.get(pk=ids["unit"]),
            Agency.objects.get(pk=ids["agency"]), users)


def _cpu_of(pid: int) -> float:
    """A process's CPU seconds so far (user + system), from /proc (the server runs on this machine)."""
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _officer(world, n: int, stop: float, out: dict) -> None:  # noqa: ANN001
    """One officer (a server thread): its own dossiers, one after another, until ``stop``. Its database
    session's CPU is counted too."""
    from django.db import connection
    from psycopg import errors as pg_errors

    connection.ensure_connection()
    backend = connection.connection.info.backend_pid
    backend_cpu = _cpu_of(backend)
    try:
        while time.time() < stop:
            n += 1
            try:
                out["count"] += one_dossier(world, n, out["timings"])
            except Exception as exc:  # noqa: BLE001 - counted, reported
                cause = exc.__cause__ or exc
                if isinstance(cause, pg_errors.DeadlockDetected) or "deadlock" in str(exc).lower():
                    out["deadlocks"] += 1
                else:
                    out["errors"].append(f"{type(exc).__name__}: {exc}"[:200])
        out["backend_cpu"] = _cpu_of(backend) - backend_cpu
    finally:
        connection.close()


def _worker(i: int, threads: int, ids: dict, start, seconds: float, ready, results) -> None:  # noqa: ANN001
    """One server process (a gunicorn worker): ``threads`` officers at once, each on its own dossiers of
    the shared unit, switching the interpreter lock as deploy/gunicorn.conf.py sets it. Once warm it says
    so on ``ready`` and waits for the instant the parent then sets in ``start``."""
    import threading

    import django

    django.setup()
    sys.setswitchinterval(SWITCH_INTERVAL)
    world = _load_world(ids)
    # Warm, as a server's process that has served: one dossier through its lifecycle fills the process's
    # caches (the unit's calendar takes a few hundred milliseconds to build) before the clock starts.
    one_dossier(world, (i * 100 + 99) * 1_000_000, [])
    from django.db import connection

    connection.close()
    parts = [{"count": 0, "timings": [], "deadlocks": 0, "errors": [], "backend_cpu": 0.0} for _ in range(threads)]
    ready.put(i)
    while not start.value or time.time() < start.value:
        time.sleep(0.002)
    stop = start.value + seconds
    from motcua.dossiers import codes

    def draw_sessions() -> dict[int, float]:  # the CPU so far of the process's sessions drawing codes
        return {c.info.backend_pid: _cpu_of(c.info.backend_pid) for c in codes.pooled()}

    draws0 = draw_sessions()
    cpu0 = time.process_time()
    pool = [threading.Thread(target=_officer, args=(world, (i * 100 + t + 1) * 1_000_000, stop, part))
            for t, part in enumerate(parts)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    draws = sum(cpu - draws0.get(pid, 0.0) for pid, cpu in draw_sessions().items())
    results.put({"count": sum(p["count"] for p in parts), "timings": [x for p in parts for x in p["timings"]],
                 "deadlocks": sum(p["deadlocks"] for p in parts), "errors": [e for p in parts for e in p["errors"]],
                 "cpu": time.process_time() - cpu0, "backend_cpu": sum(p["backend_cpu"] for p in parts) + draws})


def layout(officers: int, shape: str) -> list[int]:
    """Officers per process. ``server``: spread evenly, as threads, over as many processes as
    deploy/gunicorn.conf.py starts (2 × CPUs + 1; each officer a request in hand, however many threads
    that makes a process); ``processes``: one process each."""
    if shape == "processes":
        return [1] * officers
    processes = min(officers, 2 * (os.cpu_count() or 1) + 1)
    per, extra = divmod(officers, processes)
    return [per + (k < extra) for k in range(processes)]


def run_workers(ids: dict, workers: int, seconds: float, shape: str) -> dict:
    """``workers`` officers at once, in the processes ``layout`` gives, started together, for ``seconds``:
    what each process counted."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    results, ready, start = ctx.Queue(), ctx.Queue(), ctx.Value("d", 0.0)
    shape_of = layout(workers, shape)
    pool = [ctx.Process(target=_worker, args=(i, threads, ids, start, seconds, ready, results))
            for i, threads in enumerate(shape_of)]
    for p in pool:
        p.start()
    # The clock starts once every process is warm: sixteen processes starting Django and warming their
    # caches on two cores took longer than a fixed head start, and their start-up ran in the counted time.
    warm, deadline = 0, time.time() + 300
    while warm < len(pool):
        try:
            ready.get(timeout=1)
            warm += 1
        except queue.Empty:
            if any(p.exitcode is not None for p in pool) or time.time() > deadline:
                for p in pool:
                    p.terminate()
                raise SystemExit("an officer's process ended or did not start within 300 s") from None
    start.value = time.time() + 0.1
    parts = [results.get(timeout=seconds + 120) for _ in pool]
    for p in pool:
        p.join()
    return {"workers": workers, "shape": shape_of, "seconds": seconds, "parts": parts}


def summary(runs: list[dict]) -> dict:
    """The runs of one officer count taken as one."""
    parts = [part for run in runs for part in run["parts"]]
    shape_of, seconds = runs[0]["shape"], sum(run["seconds"] for run in runs)
    flat = sorted(x for part in parts for x in part["timings"])
    errors = [e for part in parts for e in part["errors"]]
    total = sum(part["count"] for part in parts)
    return {"workers": runs[0]["workers"], "processes": len(shape_of), "threads_per_process": sorted(set(shape_of)),
            "transitions": total, "seconds": seconds, "tps": round(total / seconds, 1),
            "deadlocks": sum(part["deadlocks"] for part in parts), "errors": len(errors),
            "error_sample": errors[:3],
            "worker_cpu_ms": round(1000 * sum(part["cpu"] for part in parts) / total, 2) if total else None,
            "backend_cpu_ms": round(1000 * sum(part["backend_cpu"] for part in parts) / total, 2) if total else None,
            "p50_ms": round(1000 * statistics.median(flat), 1) if flat else None,
            "p95_ms": round(1000 * flat[int(0.95 * (len(flat) - 1))], 1) if flat else None}


def _cost(captured, exchanges: list[int]) -> dict[str, int]:  # noqa: ANN001 - a CaptureQueriesContext
    sql = [q["sql"] for q in captured.captured_queries]
    return {"statements": sum(s not in ("BEGIN", "COMMIT") for s in sql), "round_trips": exchanges[0]}


def statements(world) -> dict:  # noqa: ANN001
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from motcua.dossiers import services

    procedure, unit, agency, users = world
    out = {}
    applicant = services.Applicant(name="Đếm câu lệnh", id_number="009999999999", phone="0912345678",
                                   email="dem@example.vn")
    # One receipt first: the per-process caches (the unit's calendar, the procedure's route) are warm,
    # as they are for every request but a process's first.
    services.receive(procedure=procedure, unit=unit, agency=agency, applicant=applicant, actor=users["counter"])
    with CaptureQueriesContext(connection) as q, counting_exchanges() as n:
        d = services.receive(procedure=procedure, unit=unit, agency=agency, applicant=applicant,
                             actor=users["counter"])
    out["receive"] = _cost(q, n)
    for label, action, who in (("hand_over (counter)", "hand_over", "counter"),
                               ("hand_over (specialist)", "hand_over", "specialist"),
                               ("resolve", "resolve", "head"), ("return", "return", "counter")):
        with CaptureQueriesContext(connection) as q, counting_exchanges() as n:
            services.perform(d.pk, action, actor=users[who])
        out[label] = _cost(q, n)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", default="1,4,16")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--shape", choices=("server", "processes"), default="server",
                        help="server: the officers as threads of the server's processes (2 × CPUs + 1), all "
                             "in hand at once; processes: one process per officer")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--turns", type=int, default=3,
                        help="the seconds of each count split into this many turns, the counts taken in turn")
    args = parser.parse_args()
    thread_counts = [int(t) for t in args.threads.split(",")]

    pg_admin(args.pg, f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    pg_admin(args.pg, f"CREATE DATABASE {DB}")
    pg_admin(args.pg, f"DROP DATABASE IF EXISTS {PGB} WITH (FORCE)")
    pg_admin(args.pg, f"CREATE DATABASE {PGB}")
    subprocess.run(["pgbench", "-i", "-q", "-s", "10", with_db(args.pg, PGB)], check=True, capture_output=True)
    os.environ["DATABASE_URL"] = with_db(args.pg, DB)
    # As a province runs it: DEBUG off (no query log kept), so a throwaway key when none is set.
    os.environ.setdefault("MOTCUA_DEBUG", "0")
    if not (ROOT / "var" / "secret_key").exists():
        os.environ.setdefault("MOTCUA_SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True)
    import django

    django.setup()
    world = setup_world()
    procedure, unit, agency, users = world
    ids = {"procedure": procedure.pk, "unit": unit.pk, "agency": agency.pk,
           "users": {role: u.pk for role, u in users.items()}}
    results = {"statements": statements(world), "runs": []}
    from django.db import connections

    connections.close_all()
    try:
        # In turns (1, 4, 16, pgbench beside each, then again): every figure compared with another is taken
        # over the same stretches of time; the speed of this machine drifts within seconds.
        ours_runs: dict[int, list[dict]] = {t: [] for t in thread_counts}
        references: dict[int, list[float]] = {t: [] for t in thread_counts}
        turn_seconds = max(1, round(args.seconds / args.turns))
        for _turn in range(args.turns):
            for threads in thread_counts:
                ours_runs[threads].append(run_workers(ids, threads, turn_seconds, args.shape))
                references[threads].append(pgbench(args.pg, threads, turn_seconds))
        for threads in thread_counts:
            ours = summary(ours_runs[threads])
            turns = references[threads]
            reference = round(statistics.mean(turns), 1)
            budget = round(1000 * min(threads, os.cpu_count() or 1) / (0.25 * reference), 2)
            ours.update(pgbench_tps=reference, pgbench_turns=turns, cpu_budget_ms=budget,
                        ratio=target(results, f"{threads} officers ÷ pgbench", ours["tps"] / reference, at_least=0.25))
            target(results, f"{threads} officers: deadlocks and errors", ours["deadlocks"] + ours["errors"],
                   at_most=0)
            results["runs"].append(ours)
            print(f"{threads:>3} officers ({ours['processes']} processes × {ours['threads_per_process']} threads): "
                  f"{ours['tps']:>7} transitions/s  pgbench {reference:>8.1f} tps ({min(turns):.0f}–{max(turns):.0f})  "
                  f"ratio {ours['ratio']:.4f}  deadlocks {ours['deadlocks']}  errors {ours['errors']}  "
                  f"p50 {ours['p50_ms']} ms  p95 {ours['p95_ms']} ms  "
                  f"CPU per transition: workers {ours['worker_cpu_ms']} ms, their PostgreSQL sessions "
                  f"{ours['backend_cpu_ms']} ms (budget {budget} ms)", flush=True)
    finally:
        from django.db import connections

        connections.close_all()
        pg_admin(args.pg, f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        pg_admin(args.pg, f"DROP DATABASE IF EXISTS {PGB} WITH (FORCE)")
    one = next((r for r in results["runs"] if r["workers"] == 1), None)
    four = next((r for r in results["runs"] if r["workers"] == 4), None)
    if one and four:
        results["scaling_4_over_1"] = target(results, "4 officers ÷ 1 officer", four["tps"] / one["tps"], at_least=2)
    for label, limit in (("receive", 10), ("hand_over (counter)", 6), ("hand_over (specialist)", 6)):
        if label in results["statements"]:
            target(results, f"statements of {label}", results["statements"][label]["statements"], at_most=limit)
    print("per transition: statements (SAVEPOINTs included) / round trips (waits for the server's answer)")
    for label, cost in results["statements"].items():
        print(f"  {label:<24} {cost['statements']:>3} / {cost['round_trips']:>3}")
    print_targets(results)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "transitions.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
