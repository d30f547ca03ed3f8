#!/usr/bin/env bash
# Installs yunzhao and what its build needs on a fresh Debian machine: a CJK font (posters and
# PDFs are drawn with it; without one the build stops and says so), fontconfig and Pango
# (WeasyPrint). Debian packages need root; without root it names what to install.
# tools/setup.sh (the tests' setup) passes the further Debian packages it needs as arguments,
# and YUNZHAO_EXTRAS=test for the test extra of the Python package.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=("$@")
fc-list :lang=zh 2>/dev/null | grep -q . || need_apt+=(fonts-noto-cjk)
command -v fc-match >/dev/null || need_apt+=(fontconfig)
ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0.so.0 || need_apt+=(libpango-1.0-0 libpangoft2-1.0-0)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "install: Debian packages: ${need_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    echo "install: please install these Debian packages as root: ${need_apt[*]}" >&2
  fi
fi
python3 -m pip install -q --disable-pip-version-check -e ".${YUNZHAO_EXTRAS:+[$YUNZHAO_EXTRAS]}"
