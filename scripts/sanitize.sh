#!/usr/bin/env bash
# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer, built into build-asan/ (or
# $RINGMINER_ASAN_BUILD_DIR): every test, the GUI ones offscreen, the CLI ones through the sanitized
# ringminer-cli, and the fuzz regression inputs. Any report fails the test that caused it.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${RINGMINER_ASAN_BUILD_DIR:-build-asan}"
# -O1 and line tables only: a sanitized build at -O2 -g compiles a third slower on two cores, and line
# tables are all a report's stack trace needs.
RINGMINER_BUILD_DIR="$build" bash scripts/build.sh -DRINGMINER_SANITIZE=ON -DRINGMINER_OPENCV=ON \
  -DRINGMINER_BENCH=OFF -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
  -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG"
supp="$(pwd)/tests/sanitizers"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=0:check_initialization_order=1:suppressions=$supp/asan.supp"
export LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$supp/ubsan.supp"
cd "$build"
# Not packaging_deb: a .deb of an ASan build is not what ships (dpkg-shlibdeps would make it depend on
# libasan8), and the programs it runs from the package are tested here by the CLI and workbench tests.
QT_QPA_PLATFORM=offscreen RINGMINER_REQUIRE_PARITY=1 RINGMINER_SANITIZED=1 \
  ctest --output-on-failure -j "$(nproc)" --timeout 1800 -E '^packaging_deb$'
