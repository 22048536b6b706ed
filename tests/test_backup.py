"""A backup taken while officers work restores whole: the snapshot is consistent (the report figures
recount equal, every dossier's status is its last event's), the documents come back byte for byte,
and a damaged or misdirected restore is refused with one line."""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import sqlite3
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from motcua.dossiers import services
from motcua.notifications import outbox
from motcua.portal import uploads
from tests.factories import at, make_world

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parent.parent
PDF = b"%PDF-1.4\n%motcua test\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _restored_db_url(tmp_path: Path) -> tuple[str, object]:
    """An empty database to restore into, and how to drop it."""
    if connection.vendor == "sqlite":
        return f"sqlite:///{tmp_path / 'restored.sqlite3'}", lambda: None
    import psycopg

    s = connection.settings_dict
    name = f"motcua_restore_{uuid.uuid4().hex[:8]}"
    admin = {"host": s["HOST"] or None, "port": s["PORT"] or None, "user": s["USER"], "dbname": "postgres"}
    with psycopg.connect(**{k: v for k, v in admin.items() if v}, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(**{k: v for k, v in admin.items() if v}, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{name}", drop


def _raw(url: str):  # noqa: ANN202 - a DB-API connection to the restored database
    if url.startswith("sqlite"):
        return sqlite3.connect(url.removeprefix("sqlite:///"))
    import psycopg

    return psycopg.connect(url.replace("postgres://", "postgresql://"))


def test_a_backup_taken_while_transitions_run_restores_consistent(tmp_path, settings) -> None:  # noqa: ANN001
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("needs the test database in a file (make test sets MOTCUA_TEST_DB_NAME)")
    settings.MEDIA_ROOT = tmp_path / "media"
    world = make_world()
    start = at("2026-03-02 08:00")
    with outbox.suppressed():
        dossiers = [services.receive(procedure=world.procedure, unit=world.commune, agency=world.agency,
                                     at=start + dt.timedelta(minutes=i)) for i in range(40)]
    for i, d in enumerate(dossiers[:5]):
        uploads.store(d, f"Tờ khai {i}", SimpleUploadedFile(f"to-khai-{i}.pdf", PDF + bytes([i])))

    working, errors = threading.Event(), []

    def officers() -> None:
        try:
            with outbox.suppressed():
                for i, d in enumerate(dossiers):
                    when = at("2026-03-02 10:00") + dt.timedelta(minutes=i)
                    services.perform(d.pk, "hand_over", role="counter", at=when)
                    services.perform(d.pk, "resolve", role="head", at=when + dt.timedelta(seconds=30))
                    if i == 5:
                        working.set()
        except Exception as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            working.set()
            connection.close()

    thread = threading.Thread(target=officers)
    thread.start()
    working.wait(timeout=60)
    call_command("backup", "--to", str(tmp_path / "backups"))
    thread.join(timeout=120)
    assert not errors, errors

    [backup] = list((tmp_path / "backups").iterdir())
    url, drop = _restored_db_url(tmp_path)
    try:
        call_command("restore_backup", str(backup), "--database-url", url, "--media-root", str(tmp_path / "restored"))
        env = {**os.environ, "DATABASE_URL": url}
        recount = subprocess.run([sys.executable, "manage.py", "verify_counters"], cwd=ROOT, env=env,
                                 capture_output=True, text=True, timeout=300)
        assert recount.returncode == 0, recount.stdout + recount.stderr
        assert "số liệu khớp" in recount.stdout
        with _raw(url) as conn:
            cur = conn.cursor()
            cur.execute("SELECT COUNT(*) FROM dossiers_dossier")
            assert cur.fetchone()[0] == 40
            # Every dossier's status is the status its last event left (no half transition).
            cur.execute("SELECT d.code, d.status, e.to_status FROM dossiers_dossier d JOIN dossiers_dossierevent e "
                        "ON e.dossier_id = d.id AND e.seq = (SELECT MAX(seq) FROM dossiers_dossierevent "
                        "WHERE dossier_id = d.id)")
            rows = cur.fetchall()
            assert len(rows) == 40 and all(status == last for _code, status, last in rows)
            cur.execute("SELECT file, sha256 FROM dossiers_document ORDER BY id")
            documents = cur.fetchall()
        assert len(documents) == 5
        for name, digest in documents:
            assert hashlib.sha256((tmp_path / "restored" / name).read_bytes()).hexdigest() == digest
    finally:
        drop()


def test_a_damaged_backup_or_a_non_empty_target_is_refused_in_one_line(tmp_path, settings) -> None:  # noqa: ANN001
    settings.MEDIA_ROOT = tmp_path / "media"
    make_world()
    call_command("backup", "--to", str(tmp_path / "backups"))
    [backup] = list((tmp_path / "backups").iterdir())
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "x.pdf").write_bytes(PDF)
    url, drop = _restored_db_url(tmp_path)
    try:
        with pytest.raises(CommandError, match="không trống"):
            call_command("restore_backup", str(backup), "--database-url", url, "--media-root", str(occupied))
        with (backup / "media.tar.gz").open("ab") as f:
            f.write(b"tampered")
        with pytest.raises(CommandError, match="mã băm không khớp"):
            call_command("restore_backup", str(backup), "--database-url", url, "--media-root", str(tmp_path / "new"))
    finally:
        drop()
