#!/usr/bin/env bash
# The README's production steps, in order, on loopback: create the database, venv, install,
# environment, migrate, collectstatic, first director, start web/worker/beat, check, sign in.
# The TLS proxy is played by the client, which sends what nginx would (Host, X-Forwarded-Proto,
# X-Forwarded-For). Everything it starts is stopped and its database dropped on exit.
#
#   PG_SERVER=postgres://postgres@127.0.0.1:5432 REDIS_URL=redis://127.0.0.1:6379/9 deploy/smoke.sh
set -euo pipefail
cd "$(dirname "$0")/.."

: "${PG_SERVER:?set PG_SERVER=postgres://user@host:port (a role that may create databases)}"
: "${REDIS_URL:?set REDIS_URL=redis://host:port/db}"
VENV="${VENV:-.venv}"
DB="kam_smoke_$$"
WORK="$(mktemp -d)"
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  psql "$PG_SERVER/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

step() { echo "== $*" >&2; }

step "1. create the database"
psql "$PG_SERVER/postgres" -qc "CREATE DATABASE $DB" >/dev/null

step "2-3. venv and install"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet -r requirements.txt
PY="$VENV/bin/python"

step "4. environment"
PORT="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export DEBUG=0
SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')"
export SECRET_KEY
export ALLOWED_HOSTS=kam.test CSRF_TRUSTED_ORIGINS=https://kam.test
export DATABASE_URL="$PG_SERVER/$DB" REDIS_URL
export TIME_ZONE=Europe/Berlin TIERING_NIGHTLY_AT=02:30
export SECURE_PROXY_SSL=1 SECURE_SSL_REDIRECT=1 TRUSTED_PROXY_COUNT=1
export SECURE_HSTS_SECONDS=31536000 SECURE_HSTS_INCLUDE_SUBDOMAINS=1 SECURE_HSTS_PRELOAD=1
export STATIC_ROOT="$WORK/static" KAM_STATE_DIR="$WORK/state"
export GUNICORN_BIND="127.0.0.1:$PORT" WEB_CONCURRENCY=2
# KAM_STATE_DIR is not made here: beat makes it (kam.celery.StateDirScheduler)

step "5. migrate"
"$PY" manage.py migrate --noinput >/dev/null
step "6. collectstatic"
"$PY" manage.py collectstatic --noinput >/dev/null
step "7. first director"
PASSWORD="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(16))')"
echo "$PASSWORD" | "$PY" manage.py create_director chief --email chief@kam.test --password-stdin

step "8. start web, worker, beat"
QUEUE="smoke-$$"  # its own queue, so a developer's or CI's other workers on this Redis stay apart
"$VENV/bin/gunicorn" -c deploy/gunicorn.conf.py kam.wsgi >"$WORK/web.log" 2>&1 &
PIDS+=($!)
"$VENV/bin/celery" -A kam --quiet worker -c 1 -Q "$QUEUE" -n "smoke-$$@%h" --without-gossip --without-mingle \
  >"$WORK/worker.log" 2>&1 &
PIDS+=($!)
"$VENV/bin/celery" -A kam --quiet beat >"$WORK/beat.log" 2>&1 &
PIDS+=($!)

step "9. check"
"$PY" manage.py check --deploy --fail-level WARNING
for _ in $(seq 60); do
  curl -s -o /dev/null "http://127.0.0.1:$PORT/login/" && break
  sleep 0.5
done
"$PY" deploy/smoke_login.py "http://127.0.0.1:$PORT" kam.test chief "$PASSWORD"
for _ in $(seq 60); do
  "$VENV/bin/celery" -A kam inspect ping -d "smoke-$$@$(hostname)" --timeout 1 >/dev/null 2>&1 && break
  sleep 1
done
"$VENV/bin/celery" -A kam inspect ping -d "smoke-$$@$(hostname)" --timeout 2 >/dev/null || {
  echo "the worker did not answer" >&2; cat "$WORK/worker.log" >&2; exit 1; }
for _ in $(seq 30); do ls "$KAM_STATE_DIR"/celerybeat-schedule* >/dev/null 2>&1 && break; sleep 0.5; done
ls "$KAM_STATE_DIR"/celerybeat-schedule* >/dev/null || { echo "beat wrote no state" >&2; cat "$WORK/beat.log" >&2; exit 1; }
# Every line in the documented format (README "Logs"). CI runs as root, where Celery warns before
# logging is set up; that warning block is expected there and only there.
skip_root_warning() {
  if [ "$(id -u)" = 0 ]; then awk '/SecurityWarning: You.re running the worker with superuser/{s=1} !s{print} /_warn_or_raise_security_error/{s=0}' "$1"; else cat "$1"; fi
}
for log in web worker beat; do
  if skip_root_warning "$WORK/$log.log" | grep -v '^ts=' >"$WORK/odd.log"; then
    echo "$log.log has lines not in the documented format:" >&2; cat "$WORK/odd.log" >&2; exit 1
  fi
done
echo "smoke: ok (web on 127.0.0.1:$PORT, worker, beat; signed in as chief)"
