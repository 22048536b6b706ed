"""Reports read from a streaming standby: the test makes its own PostgreSQL primary (initdb, on a free
port), a hot standby of it with ``pg_basebackup -R`` on another port, migrates and fills the primary
with the demo, then reads form 06 and the public dashboard through the router in a Django process
configured with MOTCUA_REPLICA_URL: the reads run on the standby (``pg_is_in_recovery()`` is true
there) and give exactly the primary's figures."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = next((p for p in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), None)
pytestmark = [pytest.mark.slow, pytest.mark.postgres]

CHILD = r"""
import json, datetime as dt, django
django.setup()
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from motcua.dossiers.models import Dossier
from motcua.replica import reports
from motcua.reports.form06 import compute_form06

unit = Dossier.objects.select_related("unit").order_by("pk").first().unit
args = (unit.code, dt.date(2020, 1, 1), dt.date.today())
primary = compute_form06(*args, source="dossiers")
with reports(), CaptureQueriesContext(connections["replica"]) as seen:
    standby = compute_form06(*args, source="dossiers")
with connections["replica"].cursor() as c:
    c.execute("SELECT pg_is_in_recovery()")
    replica_in_recovery = c.fetchone()[0]
with connections["default"].cursor() as c:
    c.execute("SELECT pg_is_in_recovery()")
    primary_in_recovery = c.fetchone()[0]
with CaptureQueriesContext(connections["replica"]) as page_reads:
    page = Client().get("/cong-khai/")
print(json.dumps({"equal": primary == standby, "dossiers": primary["rows"][0] if primary.get("rows") else None,
                  "replica_queries": len(seen), "replica_in_recovery": replica_in_recovery,
                  "primary_in_recovery": primary_in_recovery, "page": page.status_code,
                  "page_replica_queries": len(page_reads)}, default=str))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["runuser", "-u", "postgres", "--", *args], capture_output=True, text=True, timeout=300,
                          check=True)


@pytest.fixture
def primary_and_standby():  # noqa: ANN201
    if PG_BIN is None or shutil.which("runuser") is None or os.geteuid() != 0:
        pytest.skip("needs PostgreSQL's server binaries and root to run them as the postgres user")
    base = Path(tempfile.mkdtemp(prefix="motcua-replica-"))  # pytest's own are root-only: postgres must enter
    shutil.chown(base, "postgres", "postgres")
    primary, standby = base / "primary", base / "standby"
    p1, p2 = _free_port(), _free_port()
    _as_postgres(str(PG_BIN / "initdb"), "-D", str(primary), "-A", "trust", "-U", "postgres", "--no-sync")
    with (primary / "postgresql.conf").open("a") as conf:
        conf.write(f"port = {p1}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{base}'\n"
                   "wal_level = replica\nmax_wal_senders = 4\nfsync = off\nsynchronous_commit = off\n")
    started = []
    try:
        _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(primary), "-l", str(base / "primary.log"), "-w", "start")
        started.append(primary)
        _as_postgres(str(PG_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(p1), "-U", "postgres",
                     "-D", str(standby), "-R", "-X", "stream")
        with (standby / "postgresql.conf").open("a") as conf:
            conf.write(f"port = {p2}\nhot_standby = on\n")
        _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(standby), "-l", str(base / "standby.log"), "-w", "start")
        started.append(standby)
        yield p1, p2
    finally:
        for data in reversed(started):
            subprocess.run(["runuser", "-u", "postgres", "--", str(PG_BIN / "pg_ctl"), "-D", str(data), "-m",
                            "immediate", "stop"], capture_output=True, timeout=120)
        shutil.rmtree(base, ignore_errors=True)


def _wait_for_replay(p1: int, p2: int) -> None:
    import psycopg

    with psycopg.connect(f"postgresql://postgres@127.0.0.1:{p1}/postgres", autocommit=True) as primary:
        target = primary.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:{p2}/postgres", autocommit=True) as standby:
        for _ in range(300):
            if standby.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]).fetchone()[0]:
                return
            time.sleep(0.1)
    raise AssertionError("the standby did not catch up in 30 s")


def test_reports_read_through_the_router_come_from_the_standby_and_equal_the_primarys(primary_and_standby) -> None:  # noqa: ANN001
    p1, p2 = primary_and_standby
    env = {**os.environ, "MOTCUA_DEBUG": "1", "DATABASE_URL": f"postgres://postgres@127.0.0.1:{p1}/postgres"}
    env.pop("MOTCUA_TEST_DB_NAME", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True,
                   timeout=600)
    subprocess.run([sys.executable, "manage.py", "createcachetable"], cwd=ROOT, env=env, check=True, timeout=120)
    subprocess.run([sys.executable, "manage.py", "seed_demo", "--dossiers", "150"], cwd=ROOT, env=env, check=True,
                   timeout=600, capture_output=True)
    _wait_for_replay(p1, p2)
    env["MOTCUA_REPLICA_URL"] = f"postgres://postgres@127.0.0.1:{p2}/postgres"
    done = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE":
                          "motcua.settings"}, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["replica_in_recovery"] is True and seen["primary_in_recovery"] is False
    assert seen["replica_queries"] > 0  # form 06 was read on the standby…
    assert seen["equal"] is True  # …and equals the primary's
    assert seen["page"] == 200 and seen["page_replica_queries"] > 0  # the public dashboard too
