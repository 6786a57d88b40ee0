#!/usr/bin/env bash
# `make run`: migrate, seed the demo (into an empty database only), start a Celery worker with its beat
# (the sweeper that requeues jobs whose worker died) and the ASGI server; Ctrl-C stops them.
set -euo pipefail
cd "$(dirname "$0")/.."
# Ctrl-C (or a TERM) is how this is meant to end, at any moment (during migrate or seed too): stop
# whatever runs, say so and exit 0, so make does not report "Error 1" or "Interrupt". Any other way
# out (a failed step) still stops them and keeps its exit status.
web="" worker="" step_pid=""
stop() {
  trap - INT TERM EXIT
  kill $web $worker $step_pid 2>/dev/null || true
  wait 2>/dev/null || true
  echo stopped
  exit 0
}
trap stop INT TERM
trap 'kill $web $worker $step_pid 2>/dev/null || true' EXIT
# A step runs in the background and is waited for: a background job ignores the terminal's Ctrl-C
# (so Python prints no KeyboardInterrupt traceback), the trap above runs at once and ends it.
step() { "$@" <&0 & step_pid=$!; wait $step_pid; step_pid=""; }
mkdir -p .run
[ -s .run/secret_key ] || .venv/bin/python -c "import secrets; print(secrets.token_urlsafe(50))" > .run/secret_key
export SECRET_KEY="${SECRET_KEY:-$(cat .run/secret_key)}"
export DJANGO_SETTINGS_MODULE=writersroom.settings
HOST="${HOST:-127.0.0.1}"; PORT="${PORT:-8000}"
export ALLOWED_HOSTS="${ALLOWED_HOSTS:-localhost,127.0.0.1,$HOST}"
PY=.venv/bin/python
# A server still running on the port would answer the readiness check below in the new one's place.
if ! $PY -c "import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((sys.argv[1], int(sys.argv[2])))" "$HOST" "$PORT" 2>/dev/null; then
  echo "Port $PORT on $HOST is in use (is Writers' Room already running?). Stop it, or choose another: PORT=8001 make run" >&2
  exit 1
fi
if [ -z "${DATABASE_URL:-}" ]; then echo "Database: SQLite (db.sqlite3); set DATABASE_URL for Postgres."; fi
step $PY manage.py migrate --noinput -v 0
step $PY manage.py collectstatic --noinput -v 0
step $PY manage.py seed_demo
# -B: this worker also runs celery beat (one beat per deployment; docker compose runs it on its own).
.venv/bin/celery -A writersroom worker -B --schedule .run/celerybeat-schedule --loglevel WARNING \
  --concurrency 2 > .run/celery.log 2>&1 &
worker=$!
# Pings every 5 s: a connection that died without closing leaves the room (and its presence) within seconds.
.venv/bin/daphne -b "$HOST" -p "$PORT" --ping-interval 5 --ping-timeout 15 writersroom.asgi:application > .run/web.log 2>&1 &
web=$!
step $PY - "$HOST" "$PORT" <<'PYEOF'
import sys, time, urllib.request
for _ in range(150):
    try:
        urllib.request.urlopen(f"http://{sys.argv[1]}:{sys.argv[2]}/accounts/login/", timeout=1)
        break
    except Exception:
        time.sleep(0.2)
PYEOF
echo
echo "Writers' Room is running at http://$HOST:$PORT/  (logs in .run/; Ctrl-C stops it)"
echo "Demo logins, made on the first start into an empty database (change them anywhere real):"
echo "  showrunner / writersroom  (also writer, viewer)"
wait $web
