#!/usr/bin/env bash
# Builds the Debian package of a build folder (cpack -G DEB), unpacks it with dpkg -x into a scratch root and
# checks it from there: the files a desktop needs, the declared dependencies, ringminer-cli --version and a
# CLI round trip (project new, catalog import of a small CSV, catalog export as VOTable, import again), the
# man page, the AppStream and desktop files, and lintian (errors fail; warnings are printed and explained in
# packaging/README.md). Usage: scripts/test-package.sh [BUILD_DIR]   (the CTest test packaging_deb runs it)
set -euo pipefail
build="$(cd "${1:-build}" && pwd)"
source_dir="$(cd "$(dirname "$0")/.." && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
fail() { echo "test-package: FAIL: $*" >&2; exit 1; }

cd "$build"
start=$(date +%s)
if ! cpack -G DEB -B "$scratch/out" >"$scratch/cpack.log" 2>&1; then
  cat "$scratch/cpack.log" >&2
  fail "cpack -G DEB failed"
fi
deb="$(ls "$scratch"/out/*.deb)"
echo "test-package: built $(basename "$deb") ($(du -h "$deb" | cut -f1)) in $(( $(date +%s) - start )) s"
dpkg-deb --field "$deb" Package Version Depends Recommends Section

depends="$(dpkg-deb --field "$deb" Depends)"
for lib in libtorch libcfitsio libxml2 libsqlite3 libcurl; do
  grep -q "$lib" <<<"$depends" || fail "Depends does not name $lib: $depends"
done

dpkg -x "$deb" "$scratch/root"
usr="$scratch/root/usr"
expected=(bin/ringminer-cli share/man/man1/ringminer-cli.1.gz share/doc/ringminer/copyright
          share/doc/ringminer/changelog.gz)
if grep -q "RINGMINER_GUI:BOOL=ON" CMakeCache.txt; then
  expected+=(bin/ringminer share/man/man1/ringminer.1.gz share/applications/ringminer.desktop
             share/icons/hicolor/256x256/apps/ringminer.png share/icons/hicolor/scalable/apps/ringminer.svg
             share/metainfo/io.github.ringminer.RingMiner.metainfo.xml share/mime/packages/ringminer.xml)
fi
for f in "${expected[@]}"; do
  [ -e "$usr/$f" ] || fail "the package has no /usr/$f"
done

# Run from the unpacked root. The binaries link only system libraries (declared above); LD_LIBRARY_PATH
# points into the root in case a private library is ever added to the package.
export LD_LIBRARY_PATH="$usr/lib:$usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
cli="$usr/bin/ringminer-cli"
version="$(grep -m1 '^CMAKE_PROJECT_VERSION:' CMakeCache.txt | cut -d= -f2)"
"$cli" --version | grep -qx "ringminer-cli $version" || fail "ringminer-cli --version: $("$cli" --version)"
"$cli" project new "$scratch/p.rmproj" >/dev/null
printf 'name,objra,objdec,z\nA,10.5,-3.2,0.01\nB,200.25,45.5,0.02\nC,359.9,-89.5,\n' >"$scratch/small.csv"
"$cli" catalog import "$scratch/p.rmproj" "$scratch/small.csv" --name small --json | tail -1 | grep -q '"rows":3' ||
  fail "catalog import from the package"
"$cli" catalog export "$scratch/p.rmproj" small --out "$scratch/small.vot" >/dev/null
"$cli" catalog import "$scratch/p.rmproj" "$scratch/small.vot" --name again --json | tail -1 | grep -q '"rows":3' ||
  fail "VOTable round trip from the package"
"$cli" xmatch "$scratch/p.rmproj" small again --radius 0.01 --json | tail -1 | grep -q '"matches":3' ||
  fail "the round-tripped catalog does not match the original"

zcat "$usr/share/man/man1/ringminer-cli.1.gz" | grep -q "catalog import" || fail "the man page lacks the verbs"
if command -v appstreamcli >/dev/null && [ -e "$usr/share/metainfo/io.github.ringminer.RingMiner.metainfo.xml" ]; then
  appstreamcli validate --no-net --pedantic "$usr/share/metainfo/io.github.ringminer.RingMiner.metainfo.xml" ||
    echo "test-package: appstreamcli has remarks (see above)"
fi
if command -v desktop-file-validate >/dev/null && [ -e "$usr/share/applications/ringminer.desktop" ]; then
  desktop-file-validate "$usr/share/applications/ringminer.desktop" || fail "desktop-file-validate"
fi

if command -v lintian >/dev/null; then
  lintian --no-tag-display-limit "$deb" >"$scratch/lintian.txt" 2>&1 || true
  cat "$scratch/lintian.txt"
  # Errors fail unless packaging/lintian-allowed lists the tag (each with its reason in packaging/README.md).
  unexpected="$(grep '^E:' "$scratch/lintian.txt" | awk '{print $3}' | sort -u |
    grep -vxF -f <(grep -v '^#' "$source_dir/packaging/lintian-allowed" | awk 'NF{print $1}') || true)"
  [ -z "$unexpected" ] || fail "lintian errors: $unexpected"
else
  echo "test-package: lintian is not installed (apt-get install lintian); skipped that check"
fi
echo "test-package: OK in $(( $(date +%s) - start )) s"
