#!/usr/bin/env bash
# Renders the console with live data to docs/screenshot.png: the real window and hub with a
# dozen real clients chatting, grabbed offscreen, so no display is needed. Beside it go
# join-dialog.png, moderation.png (bans and audit log) and history.png (a room's history
# viewer). Builds first.
# Usage: scripts/screenshot.sh [OUTPUT.png] [--seconds N] [--size WxH] [--select-user NAME]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh

tool=build/tools/confab-screenshot
if [ ! -x "$tool" ]; then
    echo "screenshot: $tool was not built (is add_subdirectory(tools) in CMakeLists.txt?)" >&2
    exit 1
fi

output="${1:-docs/screenshot.png}"
shift || true
QT_QPA_PLATFORM=offscreen QT_LOGGING_RULES="confab.*.info=false" "$tool" "$output" "$@"
