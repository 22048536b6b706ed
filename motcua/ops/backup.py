"""Backups a province can restore: the database as one consistent snapshot, the uploaded documents,
and a manifest to check both against.

- PostgreSQL: this process opens a REPEATABLE READ transaction, exports its snapshot
  (``pg_export_snapshot``), counts the dossiers, events and documents in it, and ``pg_dump --snapshot``
  dumps exactly that state — while the counters keep working.
- SQLite: the online backup API (``sqlite3.Connection.backup``) copies the file consistently while
  it is in use; ``cp`` would not.
- Media: a tar of MEDIA_ROOT taken after the snapshot (a file uploaded meanwhile is an extra, never a
  missing one: documents are never deleted).

``restore`` checks the manifest's digests, restores into an EMPTY database (a new PostgreSQL database,
or a SQLite file that does not exist yet) and a media directory, then counts what it restored.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dj_database_url
from django.conf import settings
from django.db import connection

MANIFEST = "manifest.json"
COUNTED = {"dossiers": "dossiers_dossier", "events": "dossiers_dossierevent", "documents": "dossiers_document"}


class BackupError(Exception):
    """What went wrong, in one line for the operator."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _counts(cursor: Any) -> dict[str, int]:
    out = {}
    for name, table in COUNTED.items():
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - our own table names
        out[name] = int(cursor.fetchone()[0])
    return out


def _pg_env(db: dict[str, Any]) -> dict[str, str]:
    env = {**os.environ}
    for var, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    return env


def _run(args: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=24 * 3600)
    except FileNotFoundError as exc:
        raise BackupError(f"không tìm thấy {args[0]} (cài gói postgresql-client)") from exc
    if done.returncode != 0:
        raise BackupError(f"{args[0]} lỗi: {(done.stderr or done.stdout).strip().splitlines()[-1:]}")


def _dump_postgres(out: Path) -> dict[str, int]:
    db = connection.settings_dict
    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as cursor:
        previous = raw.autocommit
        raw.autocommit = False
        try:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _counts(cursor)
            _run(["pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot}",
                  f"--file={out / 'database.dump'}", db["NAME"]], _pg_env(db))
        finally:
            raw.rollback()
            raw.autocommit = previous
    return counts


def _copy_sqlite(out: Path) -> dict[str, int]:
    connection.ensure_connection()
    target = sqlite3.connect(out / "database.sqlite3")
    try:
        connection.connection.backup(target)
        return _counts(target.cursor())
    finally:
        target.close()


@dataclass(frozen=True)
class Backup:
    path: Path
    manifest: dict[str, Any]


def make_backup(target: Path, media_root: Path | None = None) -> Backup:
    media_root = Path(media_root or settings.MEDIA_ROOT)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    out = Path(target) / f"motcua-{stamp}"
    out.mkdir(parents=True, exist_ok=False)
    vendor = connection.vendor
    counts = _dump_postgres(out) if vendor == "postgresql" else _copy_sqlite(out)
    with tarfile.open(out / "media.tar.gz", "w:gz") as tar:
        if media_root.is_dir():
            tar.add(media_root, arcname=".")
    files = sorted(p.name for p in out.iterdir())
    manifest = {"created_at": stamp, "vendor": vendor, "counts": counts,
                "sha256": {name: _sha256(out / name) for name in files}}
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return Backup(out, manifest)


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((Path(path) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{path}: không đọc được {MANIFEST} ({exc})") from exc
    for name, digest in manifest.get("sha256", {}).items():
        file = Path(path) / name
        if not file.is_file() or _sha256(file) != digest:
            raise BackupError(f"{file}: thiếu hoặc đã bị thay đổi (mã băm không khớp với {MANIFEST})")
    return manifest


def _restore_postgres(path: Path, url: str) -> dict[str, int]:
    db = dj_database_url.parse(url)
    import psycopg

    conninfo = {"host": db.get("HOST") or None, "port": db.get("PORT") or None, "user": db.get("USER") or None,
                "password": db.get("PASSWORD") or None, "dbname": db["NAME"]}
    with psycopg.connect(**{k: v for k, v in conninfo.items() if v}) as conn:
        tables = conn.execute("SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0]
        if tables:
            raise BackupError(f"cơ sở dữ liệu {db['NAME']} không trống ({tables} bảng): khôi phục vào một CSDL mới")
    _run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={db['NAME']}", str(path / "database.dump")],
         _pg_env(db))
    with psycopg.connect(**{k: v for k, v in conninfo.items() if v}) as conn:
        return _counts(conn.cursor())


def _restore_sqlite(path: Path, url: str) -> dict[str, int]:
    target = Path(dj_database_url.parse(url)["NAME"])
    if target.exists():
        raise BackupError(f"{target} đã có: khôi phục vào một tệp mới")
    shutil.copyfile(path / "database.sqlite3", target)
    with sqlite3.connect(target) as conn:
        return _counts(conn.cursor())


def restore(path: Path, database_url: str, media_root: Path) -> dict[str, Any]:
    path = Path(path)
    manifest = read_manifest(path)
    media_root = Path(media_root)
    if media_root.exists() and any(media_root.iterdir()):
        raise BackupError(f"thư mục tệp {media_root} không trống: khôi phục vào một thư mục mới")
    is_pg = database_url.startswith(("postgres://", "postgresql://"))
    if is_pg != (manifest["vendor"] == "postgresql"):
        raise BackupError(f"bản sao lưu của {manifest['vendor']} không khôi phục được vào {database_url.split(':')[0]}")
    counts = _restore_postgres(path, database_url) if is_pg else _restore_sqlite(path, database_url)
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path / "media.tar.gz", "r:gz") as tar:
        tar.extractall(media_root, filter="data")  # nothing outside media_root, no devices or links out
    if counts != manifest["counts"]:
        raise BackupError(f"số bản ghi sau khôi phục {counts} khác bản sao lưu {manifest['counts']}")
    return {"counts": counts, "created_at": manifest["created_at"]}
