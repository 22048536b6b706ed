"""HTTP against the production stack (`make serve`: gunicorn, WhiteNoise, PostgreSQL), every figure
beside a plain ``/healthz`` of the same server, measured by the same load generator in the same run.

    .venv/bin/python bench/http.py [--seconds 10] [--clients 8] [--port 8199]
                                   [--pg postgres://postgres@127.0.0.1:5432/postgres] [--keep]
                                   [--only lookup,api,form06]

1. A fresh database ``bench_http`` with the demo (3,000 dossiers), then ``scripts/serve.sh`` on
   127.0.0.1:PORT (only loopback; every loop is bounded by time).
2. Throughput, ``--clients`` keep-alive clients (processes) as fast as they can for ``--seconds``:
   ``/healthz``, and the citizens' lookup (POST /tra-cuu/ with a real code and its 4 digits → 302).
   Target: lookup ≥ 0.6 × healthz. Every measure compared with another is taken in turns with it,
   five slices each (A B A B …), so that both see the same machine (its speed drifts within seconds).
3. Latency at half the lookup's throughput, paced (open loop): p95 of the lookup and of /healthz at
   that same rate. Target: lookup p95 ≤ 3 × healthz p95.
4. API transitions at 50 concurrent clients, by a counter's token, each with an Idempotency-Key:
   receipts only (POST /api/dossiers), then receipts each followed by the hand-over of the dossier
   received (POST /api/dossiers/<code>/actions/hand_over), against GET /healthz by 50 clients.
   Target: p95 ≤ 5 × healthz's. Every measure also gives the CPU the server's processes and
   PostgreSQL's spent per request meanwhile (from /proc).
5. Form 06 of the province, as the province's administrator: the page against its JSON export, each
   timed sequentially (median of 9). Target: page ≤ 2 × JSON.

Prints the figures, then each target and whether this run met it (judged on the unrounded ratio), and
writes bench/out/http.json.
"""
from __future__ import annotations

import sys
from pathlib import Path as _Path

# This file's name is the standard library's ``http``. Run as a script, its folder comes first on
# sys.path: take the folder out before importing ``http.client``. Imported as ``http`` by another
# script of bench/ (through Django), hand the importer the standard library's package instead.
sys.path[:] = [p for p in sys.path if _Path(p or ".").resolve() != _Path(__file__).resolve().parent]
if __name__ == "http":
    import importlib

    del sys.modules["http"]
    sys.modules["http"] = importlib.import_module("http")

import argparse  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import multiprocessing  # noqa: E402
import os  # noqa: E402
import pathlib  # noqa: E402
import re  # noqa: E402
import secrets  # noqa: E402
import signal  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import urllib.parse  # noqa: E402
import uuid  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
DB = "bench_http"
sys.path.insert(0, str(ROOT))  # the repository's root: bench.targets (this folder is left out, above)

from bench.pg import pg_admin, with_db  # noqa: E402
from bench.targets import print_targets, target  # noqa: E402

# --- the load generator ------------------------------------------------------------------------

def _request(conn: http.client.HTTPConnection, method: str, path: str, body: bytes | None,
             headers: dict[str, str]) -> int:
    return _exchange(conn, method, path, body, headers)[0]


def _exchange(conn: http.client.HTTPConnection, method: str, path: str, body: bytes | None,
              headers: dict[str, str]) -> tuple[int, bytes]:
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def _client(port: int, spec: dict, stop_at: float, start_at: float, interval: float | None, out,  # noqa: ANN001
            phase: float = 0.0) -> None:
    """One client: its own keep-alive connection; as fast as it can, or one request per ``interval``,
    the first ``phase`` seconds after the start (the paced clients spread over one interval, so that the
    requests arrive at the rate asked, not in bursts of one per client)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies, statuses, n = [], {}, 0
    while time.time() < start_at:
        time.sleep(0.001)
    next_at = time.perf_counter() + phase

    def timed(method: str, path: str, body: bytes | None, headers: dict[str, str]) -> tuple[int, bytes]:
        """One request, its latency and status counted; a broken connection is opened again (status 0)."""
        nonlocal conn
        t0 = time.perf_counter()
        try:
            status, answer = _exchange(conn, method, path, body, headers)
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            status, answer = 0, b""
        latencies.append(time.perf_counter() - t0)
        statuses[status] = statuses.get(status, 0) + 1
        return status, answer

    deadline = time.perf_counter() + (stop_at - time.time())
    while time.perf_counter() < deadline:
        if interval is not None:
            wait = next_at - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            next_at += interval
        body = spec["body"]
        headers = dict(spec["headers"])
        if spec.get("idempotent"):
            headers["Idempotency-Key"] = uuid.uuid4().hex
            body = spec["body"].replace(b"__N__", str(n).encode())
        status, answer = timed(spec["method"], spec["path"], body, headers)
        n += 1
        then = spec.get("then")  # a second request on what the first made (the dossier received, handed over)
        if then and status == 201 and time.perf_counter() < deadline:
            code = json.loads(answer)["code"]
            timed(then["method"], then["path"].replace("__CODE__", code), then["body"],
                  {**then["headers"], "Idempotency-Key": uuid.uuid4().hex})
    out.put({"latencies": latencies, "statuses": statuses})


SERVER_SID: int | None = None  # the server's session (scripts/serve.sh and every process it started)
TICK = os.sysconf("SC_CLK_TCK")
SLICES = 5  # turns of each measure compared with another (``alternated``)


def cpu_seconds() -> dict[str, float]:
    """CPU time used so far by the server's processes — gunicorn's (web) and the others of its session
    (worker: the notification worker and its sweeper) — and by PostgreSQL's, read from /proc (Linux)."""
    out = {"web": 0.0, "worker": 0.0, "database": 0.0}
    server: list[tuple[int, int, float, bytes]] = []  # pid, parent, CPU, command line
    for stat in pathlib.Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        comm, fields = text[text.index("(") + 1:text.rindex(")")], text[text.rindex(")") + 2:].split()
        # utime, stime, and the children's it has reaped (gunicorn's recycled workers, PostgreSQL's backends
        # that ended): each process's CPU is counted once, alive or gone.
        used = sum(int(x) for x in fields[11:15]) / TICK
        if SERVER_SID is not None and int(fields[3]) == SERVER_SID:
            try:
                server.append((int(stat.parent.name), int(fields[1]), used, (stat.parent / "cmdline").read_bytes()))
            except OSError:
                continue
        elif comm.startswith("postgres"):
            out["database"] += used
    # A gunicorn worker that has just ended (not yet reaped) has no command line: known by its parent.
    web = {pid for pid, _parent, _used, cmdline in server if b"gunicorn" in cmdline}
    for pid, parent, used, _cmdline in server:
        out["web" if pid in web or parent in web else "worker"] += used  # the worker: notifications, their sweeper
    return out


def _run(port: int, spec: dict, clients: int, seconds: float, rate: float | None = None) -> dict:
    """``clients`` processes for ``seconds``; with ``rate`` (requests/s in all), paced: their latencies and
    statuses, and the CPU the server's processes and the database's spent meanwhile (s)."""
    before = cpu_seconds()
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    start_at = time.time() + 0.5
    interval = clients / rate if rate else None
    procs = [ctx.Process(target=_client, args=(port, spec, start_at + seconds, start_at, interval, out,
                                               i * interval / clients if interval else 0.0))
             for i in range(clients)]
    for p in procs:
        p.start()
    parts = [out.get(timeout=seconds + 120) for _ in procs]
    for p in procs:
        p.join()
    after = cpu_seconds()
    statuses: dict[int, int] = {}
    for part in parts:
        for k, v in part["statuses"].items():
            statuses[k] = statuses.get(k, 0) + v
    return {"latencies": [x for part in parts for x in part["latencies"]], "statuses": statuses,
            "seconds": seconds, "cpu": {k: after[k] - before[k] for k in after}}


def _summary(runs: list[dict]) -> dict:
    """The runs of one measure taken as one: requests per second, p50 and p95, CPU per request (ms)."""
    lat = sorted(x for run in runs for x in run["latencies"])
    seconds = sum(run["seconds"] for run in runs)
    statuses: dict[int, int] = {}
    for run in runs:
        for k, v in run["statuses"].items():
            statuses[k] = statuses.get(k, 0) + v
    cpu = {k: sum(run["cpu"][k] for run in runs) for k in runs[0]["cpu"]}
    return {"requests": len(lat), "rps": round(len(lat) / seconds, 1), "statuses": statuses,
            "p50_ms": round(1000 * statistics.median(lat), 2) if lat else None,
            "p95_ms": round(1000 * lat[int(0.95 * (len(lat) - 1))], 2) if lat else None,
            **{f"{k}_cpu_ms_per_request": round(1000 * v / len(lat), 2) if lat else None for k, v in cpu.items()}}


def load(port: int, spec: dict, clients: int, seconds: float, rate: float | None = None) -> dict:
    """``_run`` summed up (``_summary``)."""
    return _summary([_run(port, spec, clients, seconds, rate)])


def alternated(port: int, measures: dict[str, tuple[dict, int, float | None]], seconds: float,
               slices: int = SLICES) -> dict[str, dict]:
    """Each of ``measures`` (name: spec, clients, rate) for ``seconds`` in all, in ``slices`` turns taken one
    after the other (A B C A B C …): a measure and its reference see the same machine. Here the speed of
    the machine drifts within seconds (between runs of the same code, /healthz's rate alone moved by a
    fifth), and a ratio of two measures taken ten seconds apart moved with it."""
    runs: dict[str, list[dict]] = {name: [] for name in measures}
    for _turn in range(slices):
        for name, (spec, clients, rate) in measures.items():
            runs[name].append(_run(port, spec, clients, seconds / slices, rate))
    return {name: _summary(found) for name, found in runs.items()}


# --- the server and its data ------------------------------------------------------------------

def start_server(pg: str, port: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": with_db(pg, DB), "MOTCUA_SERVE_DEMO": "1", "PORT": str(port),
           "HOST": "127.0.0.1", "MOTCUA_WORKERS": os.environ.get("MOTCUA_WORKERS", "3")}
    env.pop("MOTCUA_DEBUG", None)
    if not (ROOT / "var" / "secret_key").exists():  # `make serve` makes one; this server gets a throwaway key
        env.setdefault("MOTCUA_SECRET_KEY", secrets.token_urlsafe(50))
    server = subprocess.Popen(["bash", "scripts/serve.sh"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    for _ in range(1200):  # the demo takes a while
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            if _request(conn, "GET", "/healthz", None, {}) == 200:
                return server
        except OSError:
            pass
        if server.poll() is not None:
            raise SystemExit("scripts/serve.sh stopped before serving")
        time.sleep(0.5)
    raise SystemExit("the server did not answer in 10 minutes")


def fixtures(pg: str) -> dict:
    """A dossier's code and 4 digits, a counter's token, the province's code — read from the demo."""
    env = {**os.environ, "DATABASE_URL": with_db(pg, DB), "MOTCUA_DEBUG": "1",
           "DJANGO_SETTINGS_MODULE": "motcua.settings"}
    script = r"""
import json, django; django.setup()
from django.contrib.auth import get_user_model
from motcua.api.models import ApiToken
from motcua.dossiers.models import Dossier
from motcua.units.models import StaffRole
d = Dossier.objects.exclude(applicant_phone="").select_related("agency", "procedure").order_by("pk").first()
counter = StaffRole.objects.filter(role="counter", agency=d.agency).select_related("user").first().user
key = ApiToken.issue(user=counter, role="counter", name="bench")[1]
print(json.dumps({"code": d.code, "digits": "".join(c for c in d.applicant_phone if c.isdigit())[-4:],
                  "token": key, "procedure": d.procedure.code, "unit": d.unit.code,
                  "agency": d.agency.code,
                  "province": next(u.code for u in [d.unit, *d.unit.ancestors()] if u.level == "province")}))
"""
    done = subprocess.run([PYTHON, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"reading the demo failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def csrf_session(port: int, path: str) -> tuple[str, str]:
    """(cookie header, csrf token) from a GET of a form."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path)
    response = conn.getresponse()
    page = response.read().decode()
    cookies = "; ".join(c.split(";")[0] for c in response.headers.get_all("Set-Cookie") or [])
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    return cookies, token


def login(port: int, username: str, password: str) -> str:
    cookies, token = csrf_session(port, "/accounts/login/")
    body = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("POST", "/accounts/login/", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookies,
        "Referer": f"http://127.0.0.1:{port}/accounts/login/"})
    response = conn.getresponse()
    response.read()
    got = [c.split(";")[0] for c in response.headers.get_all("Set-Cookie") or []]
    assert response.status == 302, f"login failed: {response.status}"
    return "; ".join(got)


def timed_get(port: int, path: str, cookie: str, runs: int = 9) -> float:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    times = []
    for i in range(runs + 1):
        t0 = time.perf_counter()
        status = _request(conn, "GET", path, None, {"Cookie": cookie})
        assert status == 200, (path, status)
        if i:  # the first is a warm-up
            times.append(time.perf_counter() - t0)
    return round(1000 * statistics.median(times), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--port", type=int, default=8199)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--keep", action="store_true", help="leave the database bench_http")
    parser.add_argument("--only", default="lookup,api,form06",
                        help="the measures to take, of lookup, api, form06 (comma-separated; all by default)")
    args = parser.parse_args()
    pg_admin(args.pg, f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    server = start_server(args.pg, args.port)
    global SERVER_SID
    SERVER_SID = server.pid  # started in a session of its own
    results: dict = {}
    only = set(args.only.split(","))
    try:
        f = fixtures(args.pg)
        port, secs, c = args.port, args.seconds, args.clients
        healthz = {"method": "GET", "path": "/healthz", "body": None, "headers": {}}
        cookies, token = csrf_session(port, "/tra-cuu/")
        lookup = {"method": "POST", "path": "/tra-cuu/", "headers": {
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookies,
            "Referer": f"http://127.0.0.1:{port}/tra-cuu/"},
            "body": urllib.parse.urlencode({"code": f["code"], "verification": f["digits"],
                                            "csrfmiddlewaretoken": token}).encode()}
        if "lookup" in only:
            lookups(results, port, healthz, lookup, secs, c)
        if "api" in only:
            api(results, port, healthz, f, secs)
        if "form06" in only:
            form06(results, port, f)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
        if not args.keep:
            pg_admin(args.pg, f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "http.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))
    print(json.dumps(results, ensure_ascii=False, indent=1))
    print_targets(results)


def lookups(results: dict, port: int, healthz: dict, lookup: dict, secs: float, c: int) -> None:
    """Throughput of the lookup against /healthz's, then both paced at half the lookup's (each pair taken
    in turns: ``alternated``)."""
    results.update(alternated(port, {"healthz_max": (healthz, c, None), "lookup_max": (lookup, c, None)}, secs))
    assert set(results["lookup_max"]["statuses"]) == {302}, results["lookup_max"]["statuses"]
    results["lookup_vs_healthz_throughput"] = target(
        results, "lookup throughput ÷ /healthz's", results["lookup_max"]["rps"] / results["healthz_max"]["rps"],
        at_least=0.6)
    rate = results["lookup_max"]["rps"] / 2
    results["paced_rate"] = round(rate, 1)
    results.update(alternated(port, {"lookup_paced": (lookup, c, rate), "healthz_paced": (healthz, c, rate)}, secs))
    results["lookup_vs_healthz_p95_at_half_rate"] = target(
        results, "lookup p95 at half rate ÷ /healthz's", results["lookup_paced"]["p95_ms"]
        / results["healthz_paced"]["p95_ms"], at_most=3)


def api(results: dict, port: int, healthz: dict, f: dict, secs: float) -> None:
    """Receipts, and receipts each followed by a hand-over, by 50 clients, and /healthz by 50 clients,
    in turns (``alternated``)."""
    body = json.dumps({"procedure_code": f["procedure"], "unit_code": f["unit"], "agency_code": f["agency"],
                       "applicant": {"name": "Người nộp __N__", "id_number": "001090000001",
                                     "phone": "0912345678"}}).encode()
    receipts = {"method": "POST", "path": "/api/dossiers", "body": body, "idempotent": True,
                "headers": {"Authorization": f"Bearer {f['token']}", "Content-Type": "application/json"}}
    # Transitions of the lifecycle in turn: each client receives a dossier, then hands it over to the
    # specialist (the counter's two transitions), each request timed on its own.
    hand_over = {"method": "POST", "path": "/api/dossiers/__CODE__/actions/hand_over", "body": b"{}",
                 "headers": receipts["headers"]}
    results.update(alternated(port, {"api_receipts_50": (receipts, 50, None),
                                     "api_transitions_50": ({**receipts, "then": hand_over}, 50, None),
                                     "healthz_50": (healthz, 50, None)}, secs))
    assert set(results["api_receipts_50"]["statuses"]) == {201}, results["api_receipts_50"]
    assert set(results["api_transitions_50"]["statuses"]) <= {200, 201}, results["api_transitions_50"]
    results["api_vs_healthz_p95_at_50"] = target(
        results, "API receipts p95 at 50 ÷ /healthz's", results["api_receipts_50"]["p95_ms"]
        / results["healthz_50"]["p95_ms"], at_most=5)
    results["api_transitions_vs_healthz_p95_at_50"] = target(
        results, "API transitions p95 at 50 ÷ /healthz's", results["api_transitions_50"]["p95_ms"]
        / results["healthz_50"]["p95_ms"], at_most=5)


def form06(results: dict, port: int, f: dict) -> None:
    """Form 06 of the province: its page against its JSON export."""
    session = login(port, "admin", "demo12345")
    query = urllib.parse.urlencode({"unit": f["province"]})
    results["form06_page_ms"] = timed_get(port, f"/thong-ke/mau-06/?{query}", session)
    results["form06_json_ms"] = timed_get(port, f"/thong-ke/mau-06/tai-ve.json?{query}", session)
    results["form06_page_vs_json"] = target(
        results, "form 06 page ÷ its JSON", results["form06_page_ms"] / results["form06_json_ms"], at_most=2)


if __name__ == "__main__":
    sys.exit(main())
