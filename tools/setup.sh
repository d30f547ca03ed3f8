#!/usr/bin/env bash
# Installs everything yunzhao's tests need on a fresh Debian machine; quick when all is there.
# Python packages go to the current Python; Debian packages need root (CI runs as root).
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v chromium >/dev/null || need_apt+=(chromium)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need_apt+=(nginx)
command -v pdftotext >/dev/null || need_apt+=(poppler-utils)
command -v java >/dev/null || need_apt+=(default-jre-headless)
command -v faketime >/dev/null || need_apt+=(faketime)   # tests: no build-machine clock in output
fc-list :lang=zh 2>/dev/null | grep -q . || need_apt+=(fonts-noto-cjk)
# Brochure PDFs and posters: fontconfig finds the CJK font, WeasyPrint draws with Pango.
command -v fc-match >/dev/null || need_apt+=(fontconfig)
ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0.so.0 || need_apt+=(libpango-1.0-0 libpangoft2-1.0-0)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian packages: ${need_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    echo "setup: missing Debian packages (install them as root): ${need_apt[*]}" >&2
  fi
fi

python3 -m pip install -q --disable-pip-version-check -e ".[test]"

# Node tools for the quality gates live in a local, git-ignored folder, from the npm registry
# only: --ignore-scripts stops vnu-jar's postinstall, which would fetch a Java from GitHub (we
# run Debian's); with node_modules up to date npm checks the lock file and is done in a second.
if [ -f quality/package.json ]; then
  (cd quality && npm install --silent --no-audit --no-fund --ignore-scripts --prefer-offline >/dev/null)
fi
