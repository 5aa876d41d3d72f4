#!/usr/bin/env bash
# Updates the project catalogue (core, accounts, api, config, shared templates) only; each app
# keeps its own catalogue in src/maklerwerk/<app>/locale (see CONTRIBUTING.md).
set -euo pipefail
cd "$(dirname "$0")/../src/maklerwerk"
ignores=(--ignore=static)
for d in */; do
  d=${d%/}
  case "$d" in core|accounts|api|config|templates|locale|static|__pycache__) ;; *) ignores+=(--ignore="$d") ;; esac
done
MAKLERWERK_DATA_DIR=$(mktemp -d) ../../.venv/bin/maklerwerk makemessages -l de --no-obsolete -v0 "${ignores[@]}"
