#!/usr/bin/env bash
# Installs kernelwright (and, with --dev, the test tools) into the current Python.
# Everything the project needs is installed here, so a fresh machine needs nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."
# The nvidia extra brings nvcc (NVIDIA's wheels) and Triton: both compile without a GPU.
extras=".[nvidia]"
if [[ "${1:-}" == "--dev" ]]; then extras=".[dev,nvidia]"; fi
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore -e "$extras"
