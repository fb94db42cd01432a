#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite (what CI runs), then builds it again under
# AddressSanitizer + UndefinedBehaviorSanitizer and runs it there too (RINGMINER_SANITIZERS=0 skips that).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
started=$(date +%s)
# OpenCV is required here: without it every decoding test would skip and still report "Passed".
bash scripts/build.sh -DRINGMINER_OPENCV=ON
# RINGMINER_REQUIRE_PARITY=1: the timm reference files in tests/data/parity are committed, so a missing one fails
# the parity test instead of skipping its rows.
(cd "${RINGMINER_BUILD_DIR:-build}" &&
  QT_QPA_PLATFORM=offscreen RINGMINER_REQUIRE_PARITY=1 ctest --output-on-failure -j "$(nproc)" --timeout 900)
echo "test: suite passed in $(($(date +%s) - started)) s"

if [ "${RINGMINER_SANITIZERS:-1}" != 0 ]; then
  started=$(date +%s)
  bash scripts/sanitize.sh
  echo "test: sanitizer stage passed in $(($(date +%s) - started)) s"
fi
