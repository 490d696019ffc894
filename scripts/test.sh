#!/usr/bin/env bash
# README command 2: install what is missing, build, check formatting and run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test
scripts/build.sh
scripts/check-format.sh
cd build
ctest --output-on-failure --timeout 300 "$@"
