"""Form 06 on screen against the same figures as JSON, on the demo province.

    .venv/bin/python bench/form06.py [--database-url URL] [--runs 15] [--dossiers 3000]

The database is ``bench/out/form06.sqlite3`` unless ``--database-url`` names another (a PostgreSQL
database the demo is in, say); when it holds no demo dossiers, ``migrate`` and ``seed_demo`` fill
it first (about a minute). Each selection is requested through Django's test client as the demo's
``admin`` (the whole request: middleware, session, view, template; no network): a warm-up, then
``--runs`` runs alternating the screen (``/thong-ke/mau-06/``) and its JSON download
(``/thong-ke/mau-06/tai-ve.json``) with the same query. Prints the median server time of each, the
ratio (target: the screen at most 1.5x the JSON) and the queries of each request, and writes
bench/out/form06.json.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import secrets
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
SELECTIONS = {
    "province by commune (empty rows hidden)": "unit=08&by=child&period=year&year={year}",
    "province by commune, every row": "unit=08&by=child&period=year&year={year}&empty=1",
    "province by procedure": "unit=08&by=procedure&period=year&year={year}&empty=1",
    "province by field": "unit=08&by=field&period=year&year={year}&empty=1",
    "province, totals only": "unit=08&by=none&period=year&year={year}",
}


def prepare(database_url: str, dossiers: int) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "MOTCUA_DEBUG": "1"}
    probe = ("from motcua.dossiers.models import Dossier; from motcua.demo.dossiers import KEY_PREFIX; "
             "print(Dossier.objects.filter(idempotency_key__startswith=KEY_PREFIX).count())")
    done = subprocess.run([PYTHON, "manage.py", "shell", "-c", probe], cwd=ROOT, env=env, capture_output=True,
                          text=True)
    last = (done.stdout.strip().splitlines() or [""])[-1]  # after the shell's "N objects imported" line
    if done.returncode == 0 and last.isdigit() and int(last) > 0:
        return
    print(f"bench: filling {database_url} with the demo ({dossiers} dossiers)...", flush=True)
    for args in (["migrate", "--noinput", "-v", "0"], ["createcachetable"],
                 ["seed_demo", "--dossiers", str(dossiers)]):
        subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def measure(runs: int) -> list[dict]:
    import django
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(get_user_model().objects.get(username="admin"))
    from motcua.stats.params import now
    from motcua.workdays import TZ

    year = now().astimezone(TZ).year - 1  # the last whole year: every month of the demo's dossiers
    results = []
    for name, query in SELECTIONS.items():
        query = query.format(year=year)
        paths = {"html": f"/thong-ke/mau-06/?{query}", "json": f"/thong-ke/mau-06/tai-ve.json?{query}"}
        times: dict[str, list[float]] = {"html": [], "json": []}
        queries, sizes = {}, {}
        for kind, path in paths.items():  # warm-up, and the queries of one request
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            queries[kind], sizes[kind] = len(captured.captured_queries), len(response.content)
        for _ in range(runs):
            for kind, path in paths.items():
                start = time.perf_counter()
                client.get(path)
                times[kind].append(time.perf_counter() - start)
        html, js = statistics.median(times["html"]), statistics.median(times["json"])
        results.append({"selection": name, "query": query, "html_ms": round(html * 1000, 1),
                        "json_ms": round(js * 1000, 1), "ratio": round(html / js, 2), "queries": queries,
                        "bytes": sizes})
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=f"sqlite:///{OUT / 'form06.sqlite3'}")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--dossiers", type=int, default=3000)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    prepare(args.database_url, args.dossiers)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    os.environ["MOTCUA_DEBUG"] = "0"  # as in production (debug mode slows the templates down)
    os.environ.setdefault("MOTCUA_SECRET_KEY", secrets.token_urlsafe(40))
    sys.path.insert(0, str(ROOT))
    results = measure(args.runs)
    print(f"{'selection':42} {'screen ms':>10} {'json ms':>8} {'ratio':>6} {'queries':>9} {'screen KB':>10}")
    for r in results:
        print(f"{r['selection']:42} {r['html_ms']:10.1f} {r['json_ms']:8.1f} {r['ratio']:6.2f} "
              f"{r['queries']['html']:>4}/{r['queries']['json']:<4} {r['bytes']['html'] / 1024:10.0f}")
    worst = max(r["ratio"] for r in results)
    print(f"worst ratio {worst:.2f} (target <= 1.5)")
    (OUT / "form06.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
