#!/usr/bin/env bash
# Installs kernelwright (and, with --dev, the test tools) into the current Python.
# Everything the project needs is installed here, so a fresh machine needs nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."
# The nvidia extra brings nvcc (NVIDIA's wheels) and Triton: both compile without a GPU.
extras=".[nvidia]"
if [[ "${1:-}" == "--dev" ]]; then extras=".[dev,nvidia]"; fi
# The interactive-session test drives `kernelwright try` in a real terminal (tmux); the
# report's browser test drives Debian's chromium through Playwright (no browser download).
if [[ "$extras" == ".[dev,nvidia]" ]] && ! command -v tmux >/dev/null && command -v apt-get >/dev/null; then
    (apt-get update -qq && apt-get install -y -qq tmux) || echo "tmux not installed; its test will be skipped"
fi
if [[ "$extras" == ".[dev,nvidia]" ]] && ! command -v chromium >/dev/null && command -v apt-get >/dev/null; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
        || echo "chromium not installed; the report's browser test will be skipped"
fi
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore -e "$extras"
