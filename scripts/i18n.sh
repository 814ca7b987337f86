#!/usr/bin/env bash
# Refresh the translation template and the French catalogue, then compile it.
#   scripts/i18n.sh          extract + update + compile
#   scripts/i18n.sh compile  compile only
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${VENV:-$PWD/.venv}/bin/python"
if [[ "${1:-}" != compile ]]; then
    "$PY" setup.py -q extract_messages
    if [[ -f ckanext/dinamis_relay/i18n/fr/LC_MESSAGES/ckanext-dinamis_relay.po ]]; then
        "$PY" setup.py -q update_catalog -l fr --no-fuzzy-matching
    else
        "$PY" setup.py -q init_catalog -l fr
    fi
fi
"$PY" setup.py -q compile_catalog -l fr
