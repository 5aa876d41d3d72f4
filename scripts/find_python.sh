#!/usr/bin/env sh
# Prints the path of a Python >= 3.12 (Django 6 needs it): $PYTHON if given, then python3.14 …
# python3.12 and python3 on PATH, then pyenv's installed versions. Exits 1 with a hint if none.
for cand in "${PYTHON:-}" python3.14 python3.13 python3.12 python3 \
    "$HOME"/.pyenv/versions/3.14*/bin/python3 "$HOME"/.pyenv/versions/3.13*/bin/python3 \
    "$HOME"/.pyenv/versions/3.12*/bin/python3 /usr/local/bin/python3.1[234]; do
  [ -n "$cand" ] || continue
  if "$cand" -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then
    command -v "$cand" 2>/dev/null || echo "$cand"
    exit 0
  fi
done
echo "Maklerwerk needs Python 3.12 or newer (Django 6); set PYTHON=/path/to/python3.12" >&2
exit 1
