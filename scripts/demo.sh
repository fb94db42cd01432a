#!/usr/bin/env bash
# Installs what is missing, builds, makes the built-in demo project (a synthetic survey with known truth) and
# opens it. No network and no shared data are needed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
build="${RINGMINER_BUILD_DIR:-build}"
demo="${RINGMINER_DEMO_DIR:-$HOME/.local/share/RingMiner/demo}"
if [ ! -f "$demo/demo.rmproj" ]; then
  mkdir -p "$demo"
  "$build/app/ringminer-cli" demo make "$demo"
fi
if [ -x "$build/app/ringminer" ]; then
  exec "$build/app/ringminer" "$demo/demo.rmproj"
fi
# No GUI in this build: show the demo project from the command line instead.
"$build/app/ringminer-cli" project info "$demo/demo.rmproj"
"$build/app/ringminer-cli" targets show "$demo/demo.rmproj" demo
