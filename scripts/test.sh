#!/usr/bin/env bash
# Installs kernelwright with its test tools, then runs the linters and the offline tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh --dev
python3 -m ruff check .
python3 -m mypy
python3 -m pytest -q -p no:cacheprovider "$@"
