#!/usr/bin/env bash
# Installs kernelwright (and, with --dev, the test tools) into the current Python.
# Everything the project needs is installed here, so a fresh machine needs nothing else.
# Usage: bash scripts/install.sh [--dev]
set -euo pipefail
cd "$(dirname "$0")/.."

dev=false
if [[ "${1:-}" == "--dev" ]]; then dev=true; fi

# Python extras of pyproject.toml. nvidia brings nvcc (NVIDIA's wheels) and Triton: both
# compile without a GPU.
extras=(nvidia)
# Debian packages (apt-get), with what each is for.
# clang-19, lld-19, llvm-19: the hip: targets compile HIP C++ for gfx942 without a GPU;
# without them those targets say what to install, and everything else works.
apt_packages=(clang-19 lld-19 llvm-19)
if $dev; then
    # dev: the test tools; postgres: the PostgreSQL driver the store's tests use.
    extras+=(dev postgres)
    # tmux: the interactive-session test drives `kernelwright try` in a real terminal.
    # postgresql: initdb and pg_ctl, so the store's tests start a throwaway PostgreSQL server.
    # chromium: the report's browser test drives Debian's Chromium through Playwright (no
    # browser download).
    apt_packages+=(tmux postgresql chromium)
fi

apt_install() {
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# Only packages not installed yet, so a machine that has them needs neither root nor apt.
missing=()
for package in "${apt_packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done
if ((${#missing[@]})); then
    if command -v apt-get >/dev/null && [[ $(id -u) == 0 ]]; then
        apt-get update -qq || true
        if [[ " ${missing[*]} " == *" postgresql "* ]]; then
            # The server package would start a system cluster nobody uses (the tests start
            # their own): install its common part first and turn the main cluster off.
            apt_install postgresql-common &&
                sed -ri 's/^#? *create_main_cluster .*$/create_main_cluster = false/' \
                    /etc/postgresql-common/createcluster.conf || true
        fi
        apt_install "${missing[@]}" ||
            echo "could not install ${missing[*]} with apt-get; the tests that need them are skipped"
    else
        echo "${missing[*]} not installed (needs apt-get as root); the tests that need them are skipped"
    fi
fi

spec=".[$(IFS=,; echo "${extras[*]}")]"
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore -e "$spec"
