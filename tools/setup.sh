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
# The build's own needs (CJK font, fontconfig, Pango) and the package come from install.sh.
YUNZHAO_EXTRAS=test bash tools/install.sh "${need_apt[@]}"

# Node tools for the quality gates live in a local, git-ignored folder, from the npm registry
# only: --ignore-scripts stops vnu-jar's postinstall, which would fetch a Java from GitHub (we
# run Debian's); with node_modules up to date npm checks the lock file and is done in a second.
if [ -f quality/package.json ]; then
  (cd quality && npm install --silent --no-audit --no-fund --ignore-scripts --prefer-offline >/dev/null)
fi
