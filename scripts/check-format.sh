#!/usr/bin/env bash
# Fails if any tracked C++ file differs from what .clang-format asks for.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cpp' '*.h')
[ ${#files[@]} -eq 0 ] && exit 0
if ! clang-format --dry-run --Werror "${files[@]}"; then
    echo "Formatting differs; run: clang-format -i \$(git ls-files '*.cpp' '*.h')" >&2
    exit 1
fi
echo "format: ${#files[@]} files clean"
