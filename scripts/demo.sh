#!/usr/bin/env bash
# Installs kernelwright and runs the main job: the smoke suite on TILE with the offline
# default agent (the template compiler), then the leaderboard.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
kernelwright run --suite smoke --target tile --agent template
kernelwright leaderboard
