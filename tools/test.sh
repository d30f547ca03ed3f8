#!/usr/bin/env bash
# The test command of README.md: install what the tests need, then run them all.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
exec python3 -m pytest -q "$@"
