#!/usr/bin/env bash
# Create or refresh the virtualenv: CKAN (with its pinned requirements and test tools) and
# this plugin in editable mode. Skips the work when nothing changed since the last run.
#   VENV=path (default .venv)   CKAN_VERSION=2.12.0 | 2.11.5
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-$PWD/.venv}"
CKAN_VERSION="${CKAN_VERSION:-2.12.0}"
PYTHON="${PYTHON:-python3}"

# axe-core (npm) for the accessibility checks of the browser tests; without npm those checks
# are skipped with the reason printed.
axe_dir=ckanext/dinamis_relay/tests/browser
if [[ ! -f "$axe_dir/node_modules/axe-core/axe.min.js" ]]; then
    if command -v npm >/dev/null; then
        (cd "$axe_dir" && npm ci --silent --no-audit --no-fund) || echo "venv: npm ci failed: no axe-core" >&2
    else
        echo "venv: npm not found (apt-get install npm): the browser tests will skip axe-core" >&2
    fi
fi

stamp="$VENV/.dinamis_relay-stamp"
want="$CKAN_VERSION $(sha256sum pyproject.toml | cut -c1-16)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    echo "venv: $VENV up to date (CKAN $CKAN_VERSION)"
    exit 0
fi

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
    echo "venv: Python >= 3.10 is required ($PYTHON is $("$PYTHON" --version))" >&2
    exit 1
fi

start=$SECONDS
[[ -x "$VENV/bin/python" ]] || "$PYTHON" -m venv "$VENV"
pip=("$VENV/bin/python" -m pip install --quiet --disable-pip-version-check)
"${pip[@]}" --upgrade pip setuptools wheel
# ckan[dev] carries the pins of CKAN's own pytest plugin and its test tools.
"${pip[@]}" "ckan[requirements,dev]==$CKAN_VERSION"
"${pip[@]}" -e ".[dev]"
echo "$want" > "$stamp"
echo "venv: $VENV ready with CKAN $CKAN_VERSION in $((SECONDS - start)) s"
