#!/usr/bin/env bash
# Installs the Debian packages the tests and benchmarks drive (real browser, real servers), when missing.
set -euo pipefail
need=()
command -v chromium >/dev/null || need+=(chromium chromium-driver)
command -v dovecot >/dev/null || need+=(dovecot-imapd)
command -v pdftoppm >/dev/null || need+=(poppler-utils)
command -v wrk >/dev/null || need+=(wrk)
command -v msgfmt >/dev/null || need+=(gettext)
if ((${#need[@]})); then
  if [ "$(id -u)" != 0 ]; then
    echo "Missing: ${need[*]}. Install them with: sudo apt-get install ${need[*]}" >&2
    exit 1
  fi
  echo "Installing ${need[*]} from Debian's packages…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
