#!/usr/bin/env bash
# Installs kernelwright (and, with --dev, the test tools) into the current Python.
# Everything the project needs is installed here, so a fresh machine needs nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."
# The nvidia extra brings nvcc (NVIDIA's wheels) and Triton: both compile without a GPU.
extras=".[nvidia]"
if [[ "${1:-}" == "--dev" ]]; then extras=".[dev,nvidia]"; fi
# The interactive-session test drives `kernelwright try` in a real terminal (tmux).
if [[ "$extras" == ".[dev,nvidia]" ]] && ! command -v tmux >/dev/null && command -v apt-get >/dev/null; then
    (apt-get update -qq && apt-get install -y -qq tmux) || echo "tmux not installed; its test will be skipped"
fi
# The hip: targets need Debian's clang-19, lld-19 and llvm-19 (scripts/apt-amd.txt); without
# apt they say what to install, and everything else works.
if ! command -v clang-19 >/dev/null && command -v apt-get >/dev/null; then
    mapfile -t amd < <(grep -v '^#' scripts/apt-amd.txt)
    (apt-get update -qq && apt-get install -y -qq "${amd[@]}") || echo "clang-19 not installed; the hip: targets will say so"
fi
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore -e "$extras"
