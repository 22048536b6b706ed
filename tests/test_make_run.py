"""`make run HOST=… PORT=…`: the printed links and the QR codes' base URL name that server, and the
notification worker runs beside the development server (the demo's e-mails appear in the terminal)
and stops with it."""
from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from motcua.portal.links import procedure_url, public_url

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "run-demo.sh"


def _dry_run(**env: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("MOTCUA_PUBLIC_BASE_URL", "MOTCUA_ALLOWED_HOSTS")}
    done = subprocess.run(["bash", str(SCRIPT), "--dry-run"], env={**clean, **env}, capture_output=True, text=True,
                          check=True, timeout=30)
    lines = done.stdout.splitlines()
    values = dict(line.split("=", 1) for line in lines if "=" in line and " " not in line.split("=", 1)[0])
    values["commands"] = "\n".join(line for line in lines if line.startswith(".venv/"))
    return values


def test_make_run_passes_host_and_port_to_the_script() -> None:
    done = subprocess.run(["make", "-n", "run", "PORT=8123", "HOST=127.0.0.1"], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert "HOST=127.0.0.1 PORT=8123 bash scripts/run-demo.sh" in done.stdout


def test_the_script_makes_the_public_base_url_from_host_and_port() -> None:
    values = _dry_run(HOST="127.0.0.1", PORT="8123")
    assert values["MOTCUA_PUBLIC_BASE_URL"] == "http://127.0.0.1:8123"
    assert "runserver --insecure --noreload 127.0.0.1:8123" in values["commands"]
    assert "manage.py db_worker" in values["commands"]  # the worker runs beside the server
    # an address set by hand wins
    assert _dry_run(PORT="8123", MOTCUA_PUBLIC_BASE_URL="https://a.example")["MOTCUA_PUBLIC_BASE_URL"] == \
        "https://a.example"


@pytest.mark.django_db
def test_seed_demo_prints_links_and_the_qr_codes_use_that_base() -> None:
    base = _dry_run(HOST="127.0.0.1", PORT="8123")["MOTCUA_PUBLIC_BASE_URL"]
    out = io.StringIO()
    with override_settings(MOTCUA_PUBLIC_BASE_URL=base):
        call_command("seed_demo", dossiers=0, stdout=out, stderr=io.StringIO())
        assert public_url("HS-1").startswith("http://127.0.0.1:8123/tra-cuu/HS-1/?k=")  # the receipts' QR code
        assert procedure_url("1.000001").startswith("http://127.0.0.1:8123/thu-tuc/")  # the catalogue's QR sheet
    text = out.getvalue()
    assert "http://127.0.0.1:8123/office/" in text and "http://127.0.0.1:8123/thu-tuc/" in text
    assert ":8000" not in text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_demo_serves_and_its_worker_prints_the_e_mails_then_stops_with_the_server(tmp_path_factory) -> None:  # noqa: ANN001
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("make run is the SQLite demo; the SQLite pass runs it")
    port = _free_port()
    # A database of its own, migrated as `make run` migrates it (the test database may have been
    # emptied by an earlier transactional test, administrative units included).
    database = tmp_path_factory.mktemp("demo") / "db.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "HOST": "127.0.0.1", "PORT": str(port),
           "MOTCUA_DEMO_DOSSIERS": "2", "PYTHONUNBUFFERED": "1"}
    env.pop("MOTCUA_TEST_DB_NAME", None)
    subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "manage.py", "migrate", "--noinput", "-v", "0"],
                   cwd=ROOT, env=env, check=True, timeout=300)
    env.pop("MOTCUA_PUBLIC_BASE_URL", None)
    env.pop("MOTCUA_ALLOWED_HOSTS", None)
    log = tmp_path_factory.mktemp("run") / "terminal.txt"
    with open(log, "w") as terminal:
        proc = subprocess.Popen(["bash", str(SCRIPT)], cwd=ROOT, env=env, stdout=terminal, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail("the script stopped before serving:\n" + log.read_text())
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("the server did not answer:\n" + log.read_text())
        text = log.read_text()
        assert f"http://127.0.0.1:{port}/office/" in text and ":8000" not in text
        # A message for an applicant, queued as a transition queues it: the worker sends it to the terminal.
        code = ("from motcua.dossiers.models import Dossier; from motcua.notifications.models import Notification; "
                "from motcua.notifications.tasks import queue_new; "
                "n = Notification.objects.create(dossier=Dossier.objects.first(), event_seq=9999, kind='receipt', "
                "channel='email', recipient='congdan@example.vn', subject='Thu gui thu demo', body='Xin chao'); "
                "queue_new([n])")
        subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "manage.py", "shell", "-c", code], cwd=ROOT, env=env,
                       check=True, timeout=60, capture_output=True)
        deadline = time.monotonic() + 30
        while "Subject: Thu gui thu demo" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.5)
        assert "Subject: Thu gui thu demo" in log.read_text()
        assert "To: congdan@example.vn" in log.read_text()
    finally:
        os.kill(proc.pid, signal.SIGTERM)  # the script only: its trap stops the worker
        proc.wait(timeout=30)
    time.sleep(1)
    left = subprocess.run(["pgrep", "-a", "-s", str(proc.pid)], capture_output=True, text=True).stdout
    for line in left.splitlines():  # cleaned up, then reported
        os.kill(int(line.split()[0]), signal.SIGKILL)
    assert "db_worker" not in left and "runserver" not in left, left
