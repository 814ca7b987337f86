#!/usr/bin/env bash
# The whole test command: stack up, venv, quality gates, the pytest suite and, beside it,
# CKAN core's tests alone and with the plugin; stack down afterwards even on failure or
# Ctrl-C. Extra arguments go to pytest.
#   PYTEST_WORKERS=2: pytest-xdist workers, each with its own database, Solr core, Redis
#   database and storage (ckanext/dinamis_relay/tests/workers.py); 0 runs the suite in one
#   process.
#   KEEP_STACK=1 leaves the stack running (handy while developing).
#   CKAN_CORE=0 skips CKAN core's tests run alone and with the plugin; CKAN_CORE=only runs
#   nothing else (make test-ckan-core).
set -euo pipefail
cd "$(dirname "$0")/.."
export VENV="${VENV:-$PWD/.venv}"
export STACK_DIR="${STACK_DIR:-$PWD/.stack}"
export PYTEST_WORKERS="${PYTEST_WORKERS:-2}"

core_pid=""
stop_stack() {
    # The CKAN core comparison and its pytest, if still running (a step failed, or Ctrl-C).
    [[ -z $core_pid ]] || kill -- "-$core_pid" 2>/dev/null || true
    [[ "${KEEP_STACK:-}" == 1 ]] || scripts/stack.sh down
}
trap stop_stack EXIT
trap 'exit 130' INT TERM

start=$SECONDS
scripts/stack.sh deps   # Debian packages first: psycopg2 compiles against libpq
scripts/venv.sh         # then the venv: Solr's schema comes from the installed CKAN
scripts/stack.sh up
# shellcheck source=/dev/null
source "$STACK_DIR/env.sh"

mkdir -p test-artifacts
if [[ "${CKAN_CORE:-1}" != only ]]; then
    echo "== ruff"
    "$VENV/bin/ruff" check .
    "$VENV/bin/ruff" format --check .
    echo "== README configuration table"
    "$VENV/bin/python" scripts/config_table.py --check
    echo "== README permission tables"
    "$VENV/bin/python" scripts/policy_table.py --check
    echo "== README personal data register"
    "$VENV/bin/python" scripts/personal_data_register.py --check
    if [[ "${CKAN_VERSION:-2.12.0}" == 2.12* ]]; then
        echo "== mypy"
        "$VENV/bin/mypy"
    else
        # The code is typed against CKAN 2.12 and SQLAlchemy 2.0; 2.11 ships SQLAlchemy 1.4,
        # whose type stubs differ. The suite below still runs in full.
        echo "== mypy: skipped with CKAN $CKAN_VERSION (types are checked against CKAN 2.12)"
    fi
fi
core_log=test-artifacts/ckan-core/summary.log
if [[ "${CKAN_CORE:-1}" != 0 ]]; then
    mkdir -p "$(dirname "$core_log")"
    # Beside the suite: its own database (ckan_core), Redis database and site id in Solr.
    echo "== CKAN core's member, organization, user and auth tests, alone and with the plugin" \
        "(beside the suite; output at the end, log in $core_log)"
    # setsid: a process group of its own, which stop_stack can end with its pytest.
    setsid "$VENV/bin/python" scripts/ckan_core_tests.py >"$core_log" 2>&1 &
    core_pid=$!
fi
status=0
if [[ "${CKAN_CORE:-1}" != only ]]; then
    echo "== pytest (CKAN $("$VENV/bin/python" -c 'import ckan; print(ckan.__version__)')," \
        "$PYTEST_WORKERS workers)"
    pytest_start=$SECONDS
    "$VENV/bin/pytest" -p no:randomly -n "$PYTEST_WORKERS" "$@" || status=$?
    echo "test.sh: pytest in $((SECONDS - pytest_start)) s"
fi
if [[ -n $core_pid ]]; then
    core_status=0
    wait "$core_pid" || core_status=$?
    core_pid=""
    echo "== CKAN core's tests, alone and with the plugin (exit $core_status)"
    cat "$core_log"
    ((status)) || status=$core_status
fi
echo "test.sh: done in $((SECONDS - start)) s"
exit "$status"
