#!/usr/bin/env bash
# Installs, from Debian 12's own packages, whatever Confab needs that this machine lacks.
# Usage: scripts/deps.sh [build|test]   (test adds what the test suite needs)
set -euo pipefail

# libqt6opengl6-dev: Qt Charts' CMake package needs Qt6OpenGL and Debian does not pull it in.
# fonts-dejavu-core: the console renders text offscreen (tests, screenshots) with it.
# libqrencode-dev and pkg-config: QR codes of the join and pairing links.
# libqt6sql6-sqlite: the SQLite driver Qt Sql loads for the data directory's confab.db.
packages=(g++ cmake ninja-build pkg-config qt6-base-dev qt6-websockets-dev qt6-charts-dev
    libqt6opengl6-dev libqt6sql6-sqlite libqrencode-dev fonts-dejavu-core)
if [ "${1:-build}" = test ]; then
    # python3-websockets: the third-party client the interop tests drive (system python3).
    packages+=(clang-format python3 python3-websockets)
    # chromium: the browser the web client's end-to-end tests drive (tests/web, playwright-core).
    # nodejs npm: Node's test runner and npm for those tests, only where no node/npm is on PATH
    # (Debian's npm conflicts with a Node that bundles its own npm).
    packages+=(chromium)
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        packages+=(nodejs npm)
    fi
fi

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
    echo "These Debian packages are missing; run as root or install them: ${missing[*]}" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
