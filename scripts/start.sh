#!/usr/bin/env bash
# README command 1: install what is missing, build, and start Confab on port 8765 with its
# data in the default directory (~/.local/share/confab). The console opens where there is a
# display; elsewhere the hub runs headless. Extra arguments go to confab (see --help).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh build
scripts/build.sh

args=()
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
    args+=(--headless)
fi
exec build/app/confab "${args[@]}" "$@"
