#!/usr/bin/env bash
# `make serve`: motcua as a province runs it, on this machine — PostgreSQL, gunicorn with
# deploy/gunicorn.conf.py, static files from the application (WhiteNoise), persistent database
# connections, the notification worker and its sweeper as their own processes. Ctrl-C stops all.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/motcua}"
export MOTCUA_DEBUG=0
export MOTCUA_CONN_MAX_AGE="${MOTCUA_CONN_MAX_AGE:-60}"
export MOTCUA_BIND="${MOTCUA_BIND:-${HOST:-127.0.0.1}:${PORT:-8000}}"
export MOTCUA_ALLOWED_HOSTS="${MOTCUA_ALLOWED_HOSTS:-127.0.0.1,localhost}"
export MOTCUA_PUBLIC_BASE_URL="${MOTCUA_PUBLIC_BASE_URL:-http://${MOTCUA_BIND}}"

# The database named in DATABASE_URL, created when missing (PostgreSQL only).
$PY - <<'PYEOF'
import os
from urllib.parse import urlsplit

url = urlsplit(os.environ["DATABASE_URL"])
if url.scheme.startswith("postgres"):
    import psycopg
    name = url.path.lstrip("/")
    admin = url._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"motcua: created the database {name}")
PYEOF

$PY manage.py migrate --noinput
$PY manage.py createcachetable
$PY manage.py collectstatic --noinput --verbosity 0
if [ "${MOTCUA_SERVE_DEMO:-0}" = "1" ]; then $PY manage.py seed_demo; fi

pids=()
stop() { kill "${pids[@]}" 2>/dev/null || true; wait || true; }
trap stop EXIT INT TERM

$PY manage.py db_worker --interval 1 &
pids+=($!)
( while sleep 300; do $PY manage.py resend_notifications || true; done ) &
pids+=($!)
echo "motcua (production stack): http://${MOTCUA_BIND}/  — database ${DATABASE_URL%%\?*}"
.venv/bin/gunicorn -c deploy/gunicorn.conf.py motcua.wsgi &
pids+=($!)
wait -n "${pids[@]}"
