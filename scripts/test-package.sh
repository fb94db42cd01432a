#!/usr/bin/env bash
# Builds the Debian package of a build folder (cpack -G DEB), unpacks it with dpkg -x into a scratch root and
# checks it from there: the control fields and file list (dpkg -I, dpkg -c: everything under /usr, owned by
# root, no build-tree paths), the files a desktop needs, the declared dependencies, ringminer-cli --version and
# a CLI round trip (project new, catalog import of a small CSV, catalog export as VOTable, import again,
# cross-match), the workbench started offscreen on that project (--screenshot), the man pages (man -l
# --warnings), the desktop, AppStream and MIME files, and lintian (errors fail; warnings are printed and
# explained in packaging/README.md).
# Usage: scripts/test-package.sh [BUILD_DIR]   (the CTest test packaging_deb runs it)
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
dpkg -I "$deb"
dpkg -c "$deb" >"$scratch/contents.txt"
echo "test-package: $(grep -c '^-' "$scratch/contents.txt") files"
# tar -tv columns: mode owner/group size date time path
awk '$2 != "root/root" {print "owner " $2 ": " $6}' "$scratch/contents.txt" >"$scratch/bad.txt"
awk '$6 !~ /^\.\/(usr\/.*)?$/ {print "outside /usr: " $6}' "$scratch/contents.txt" >>"$scratch/bad.txt"
awk '$1 ~ /^d/ && $1 != "drwxr-xr-x" {print "directory mode " $1 ": " $6}' "$scratch/contents.txt" >>"$scratch/bad.txt"
awk '$1 ~ /^-/ && $1 != "-rw-r--r--" && $6 !~ /^\.\/usr\/bin\// {print "file mode " $1 ": " $6}' \
  "$scratch/contents.txt" >>"$scratch/bad.txt"
[ ! -s "$scratch/bad.txt" ] || fail "dpkg -c: $(cat "$scratch/bad.txt")"

# The long description: continuation lines start with a space, never with a stray ';' (a CMake list).
! dpkg-deb --field "$deb" Description | grep -q '^ *;' || fail "the Description has ';' lines"
depends="$(dpkg-deb --field "$deb" Depends)"
for lib in libtorch libcfitsio libxml2 libsqlite3 libcurl; do
  grep -q "$lib" <<<"$depends" || fail "Depends does not name $lib: $depends"
done

dpkg -x "$deb" "$scratch/root"
usr="$scratch/root/usr"
expected=(bin/ringminer-cli share/man/man1/ringminer-cli.1.gz share/doc/ringminer/copyright
          share/doc/ringminer/examples/slurm/train.sbatch share/doc/ringminer/examples/slurm/mine.sbatch
          share/doc/ringminer/changelog.gz)
if grep -q "RINGMINER_GUI:BOOL=ON" CMakeCache.txt; then
  expected+=(bin/ringminer share/man/man1/ringminer.1.gz share/applications/ringminer.desktop
             share/icons/hicolor/256x256/apps/ringminer.png share/icons/hicolor/scalable/apps/ringminer.svg
             share/metainfo/io.github.ringminer.RingMiner.metainfo.xml share/mime/packages/ringminer.xml)
fi
for f in "${expected[@]}"; do
  [ -e "$usr/$f" ] || fail "the package has no /usr/$f"
done

# Stripped, and no RPATH/RUNPATH into the build tree (CMake's install drops the build RPATH).
for bin in "$usr"/bin/*; do
  file "$bin" | grep -q ", stripped" || fail "$(basename "$bin") is not stripped"
  ! readelf -d "$bin" | grep -E 'R(UN)?PATH' || fail "$(basename "$bin") has an RPATH"
  ! grep -qF "$build" "$bin" || fail "$(basename "$bin") names the build folder $build"
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

# The workbench itself, offscreen, from the package: opens the project the CLI made and renders its window.
# HOME and XDG folders in the scratch root: no settings or recent-project list of the user are read or written.
if [ -e "$usr/bin/ringminer" ]; then
  gui_env=(env QT_QPA_PLATFORM=offscreen HOME="$scratch/home" XDG_CONFIG_HOME="$scratch/home/.config"
           XDG_DATA_HOME="$scratch/home/.local/share" XDG_CACHE_HOME="$scratch/home/.cache"
           XDG_RUNTIME_DIR="$scratch/home/run")
  mkdir -p "$scratch/home/run" && chmod 700 "$scratch/home/run"
  "${gui_env[@]}" "$usr/bin/ringminer" --version | grep -qx "RingMiner $version" || fail "ringminer --version"
  # (Its stderr only on failure: the offscreen platform warns about window size hints.)
  "${gui_env[@]}" timeout 120 "$usr/bin/ringminer" "$scratch/p.rmproj" --screenshot "$scratch/gui.png" \
    2>"$scratch/gui.txt" || {
    cat "$scratch/gui.txt" >&2
    fail "the workbench from the package did not open the project and render its window"
  }
  /usr/bin/python3 - "$scratch/gui.png" <<'PY' || fail "the workbench's screenshot is not a rendered window"
import sys
from PIL import Image
im = Image.open(sys.argv[1]).convert("RGB")
colours = im.getcolors(maxcolors=1 << 20)
print(f"test-package: workbench screenshot {im.size[0]}x{im.size[1]}, {len(colours)} colours")
# A laid-out main window (menus, panels, text), not a blank or tiny surface.
sys.exit(0 if im.size[0] >= 640 and im.size[1] >= 400 and len(colours) >= 50 else 1)
PY
  if "${gui_env[@]}" timeout 120 "$usr/bin/ringminer" "$scratch/missing.rmproj" --screenshot "$scratch/no.png" \
    2>"$scratch/gui-missing.txt"; then
    fail "the workbench reported success on a missing project"
  fi
  grep -q "missing.rmproj" "$scratch/gui-missing.txt" || fail "the workbench's error does not name the project"
fi

zcat "$usr/share/man/man1/ringminer-cli.1.gz" | grep -q "catalog import" || fail "the man page lacks the verbs"
# Rendered as man would, with groff's warnings (lintian's groff-message check does the same).
for page in "$usr"/share/man/man1/*.1.gz; do
  warnings="$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$page" 2>&1 >/dev/null)"
  [ -z "$warnings" ] || fail "man -l $(basename "$page"): $warnings"
  [ "$(LC_ALL=C.UTF-8 MANWIDTH=80 man -l "$page" 2>/dev/null | wc -l)" -gt 10 ] ||
    fail "man -l $(basename "$page") renders almost nothing"
done
if command -v appstreamcli >/dev/null && [ -e "$usr/share/metainfo/io.github.ringminer.RingMiner.metainfo.xml" ]; then
  appstreamcli validate --no-net --pedantic "$usr/share/metainfo/io.github.ringminer.RingMiner.metainfo.xml" ||
    fail "appstreamcli validate"
fi
if command -v desktop-file-validate >/dev/null && [ -e "$usr/share/applications/ringminer.desktop" ]; then
  desktop-file-validate "$usr/share/applications/ringminer.desktop" || fail "desktop-file-validate"
fi
# The MIME package compiles into a MIME database that knows *.rmproj.
if command -v update-mime-database >/dev/null && [ -e "$usr/share/mime/packages/ringminer.xml" ]; then
  cp -r "$usr/share/mime" "$scratch/mime"
  update-mime-database "$scratch/mime" || fail "update-mime-database"
  grep -q '"\*.rmproj"' "$scratch/mime/application/x-ringminer-project.xml" ||
    fail "the MIME database has no *.rmproj glob"
  grep -qx "application/x-ringminer-project:\*.rmproj" "$scratch/mime/globs" || fail "the MIME globs lack *.rmproj"
fi

if command -v lintian >/dev/null; then
  # Informational tags too (-I), so that packaging/README.md can account for everything lintian says.
  lintian -I --tag-display-limit 0 "$deb" >"$scratch/lintian.txt" 2>&1 || true
  grep -v "running with root privileges" "$scratch/lintian.txt" || true
  # Errors and warnings fail unless packaging/lintian-allowed lists the tag (each with its reason in
  # packaging/README.md).
  unexpected="$(grep -E '^(E|W):' "$scratch/lintian.txt" | awk '{print $3}' | sort -u |
    grep -vxF -f <(grep -v '^#' "$source_dir/packaging/lintian-allowed" | awk 'NF{print $1}') || true)"
  [ -z "$unexpected" ] || fail "lintian errors or warnings: $unexpected"
else
  echo "test-package: lintian is not installed (apt-get install lintian); skipped that check"
fi
echo "test-package: OK in $(( $(date +%s) - start )) s"
