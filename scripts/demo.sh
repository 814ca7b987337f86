#!/usr/bin/env bash
# The demo command: stack, venv, demo database with the plugin's migrations and demo data,
# a jobs worker, a mail sink, and CKAN on http://127.0.0.1:5000 (French by default).
# Ctrl-C stops CKAN, the worker and the mail sink; the stack keeps running
# (scripts/stack.sh down stops it).
set -euo pipefail
cd "$(dirname "$0")/.."
export VENV="${VENV:-$PWD/.venv}"
export STACK_DIR="${STACK_DIR:-$PWD/.stack}"
PORT="${CKAN_PORT:-5000}"

scripts/stack.sh deps   # Debian packages first: psycopg2 compiles against libpq
scripts/venv.sh         # then the venv: Solr's schema comes from the installed CKAN
scripts/stack.sh up
# shellcheck source=/dev/null
source "$STACK_DIR/env.sh"
export CKAN_SQLALCHEMY_URL="$DINAMIS_DEMO_SQLALCHEMY_URL"
export CKAN_REDIS_URL="${CKAN_REDIS_URL%/*}/2"
export CKAN_INI="$PWD/demo.ini"
ckan=("$VENV/bin/ckan" -c "$CKAN_INI")

"${ckan[@]}" db init
"${ckan[@]}" db upgrade -p activity
"${ckan[@]}" db upgrade -p dinamis_relay
"${ckan[@]}" dinamis-relay demo-data | tee "$STACK_DIR/demo-users.txt"
"${ckan[@]}" search-index rebuild -q

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; }
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$STACK_DIR/log"
"$VENV/bin/python" -m aiosmtpd -n -c aiosmtpd.handlers.Debugging -l 127.0.0.1:8025 \
    >> "$STACK_DIR/log/demo-mail.log" 2>&1 &
pids+=($!)
# The plugin's worker: the priority queue (legal links, invitations) first, then the default one.
"${ckan[@]}" dinamis-relay worker >> "$STACK_DIR/log/demo-worker.log" 2>&1 &
pids+=($!)

cat <<MSG

  CKAN with ckanext-dinamis_relay: http://127.0.0.1:$PORT/dinamis/
  Demo accounts (also in $STACK_DIR/demo-users.txt) are listed above.
  Emails sent by the site are printed in $STACK_DIR/log/demo-mail.log
  (the legal representative's validation link is there).
  Ctrl-C stops the site; 'scripts/stack.sh down' stops PostgreSQL, Redis and Solr.

MSG
"${ckan[@]}" run -H 127.0.0.1 -p "$PORT"
