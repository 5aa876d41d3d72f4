#!/usr/bin/env bash
# Every `# type: ignore` names its error codes and says why, on the same line
# (CONTRIBUTING.md "Types"):   x = y  # type: ignore[attr-defined]  # django-stubs lacks Z
set -euo pipefail
cd "$(dirname "$0")/.."
pattern='#\s*type:\s*ignore(?!\[[a-z0-9-]+(,\s*[a-z0-9-]+)*\]  # \S)'
if bad="$(grep -rnP --include='*.py' "$pattern" "$@")"; then
  echo "$bad"
  echo "A '# type: ignore' needs its error code and a reason: '# type: ignore[code]  # why'." >&2
  exit 1
fi
