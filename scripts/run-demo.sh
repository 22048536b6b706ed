#!/usr/bin/env bash
# `make run [HOST=…] [PORT=…]`: the demo on this machine — the demo province (seed_demo, idempotent),
# the notification worker (db_worker: e-mails are printed in this terminal, SMS logged) in the
# background, and Django's development server in front. The worker stops when the server stops
# (Ctrl-C, or the server failing to start). HOST and PORT go into MOTCUA_PUBLIC_BASE_URL: the links
# printed below and the QR codes on the printed forms point at this server.
#   --dry-run   print the addresses and the commands, run nothing (tests/test_make_run.py)
#   MOTCUA_DEMO_DOSSIERS=N   seed_demo's number of dossiers (default 3000)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"

# Listening on every interface: the links and QR codes name this machine's first address, so a
# phone on the same network can open them.
public_host="$HOST"
if [ "$HOST" = "0.0.0.0" ] || [ "$HOST" = "::" ]; then
    public_host="$(hostname -I 2>/dev/null | awk '{print $1}')"
    public_host="${public_host:-127.0.0.1}"
fi
export MOTCUA_PUBLIC_BASE_URL="${MOTCUA_PUBLIC_BASE_URL:-http://${public_host}:${PORT}}"
export MOTCUA_ALLOWED_HOSTS="${MOTCUA_ALLOWED_HOSTS:-127.0.0.1,localhost,testserver,${public_host}}"

if [ "${1:-}" = "--dry-run" ]; then
    echo "MOTCUA_PUBLIC_BASE_URL=${MOTCUA_PUBLIC_BASE_URL}"
    echo "MOTCUA_ALLOWED_HOSTS=${MOTCUA_ALLOWED_HOSTS}"
    echo "$PY manage.py collectstatic --noinput --verbosity 0"
    echo "$PY manage.py seed_demo --dossiers ${MOTCUA_DEMO_DOSSIERS:-3000}"
    echo "$PY manage.py db_worker --interval 1 --no-reload &"
    echo "$PY manage.py runserver --insecure --noreload ${HOST}:${PORT} &"
    exit 0
fi

$PY manage.py collectstatic --noinput --verbosity 0  # var/static, which WhiteNoise expects (no warning)
$PY manage.py seed_demo --dossiers "${MOTCUA_DEMO_DOSSIERS:-3000}"

pids=()
stop() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop EXIT
trap 'exit 130' INT TERM

# Both in the background, the script waiting on the server: a signal to the script (Ctrl-C, kill)
# reaches its trap at once, which stops both. --no-reload / --noreload: no second process that
# could outlive the script (restart `make run` after editing the code).
$PY manage.py db_worker --interval 1 --no-reload &
pids+=($!)
echo
echo "motcua: ${MOTCUA_PUBLIC_BASE_URL}/  (tài khoản mẫu in ở trên; Ctrl-C để dừng)"
echo "motcua: bộ gửi thông báo chạy kèm (pid ${pids[0]}): e-mail gửi công dân được in ngay tại đây"
$PY manage.py runserver --insecure --noreload "${HOST}:${PORT}" &
pids+=($!)
wait "${pids[1]}"
