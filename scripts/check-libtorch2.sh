#!/usr/bin/env bash
# Compile check against LibTorch 2.x headers, without a GPU and without installing anything system-wide.
#
# Debian's LibTorch is 1.13 (Debian 12); GPU machines run PyTorch 2.x. This fetches Debian 13 (trixie)'s
# libtorch-dev (2.6) with apt-get download from a second sources list with its own state and cache
# directories, unpacks it with dpkg -x into .libtorch2/ (ignored by git, reused on the next run), and compiles
# every source that includes LibTorch (core/, app/, tests/, bench/, ui/; found by following #include "...")
# with `-fsyntax-only` and the build's own flags from compile_commands.json, LibTorch's include directories
# swapped for the 2.6 ones. A file that still picks up a 1.13 header from /usr/include counts as a failure.
#
#   bash scripts/check-libtorch2.sh            # uses $RINGMINER_BUILD_DIR (default build)/compile_commands.json,
#                                              # configuring .libtorch2/config when there is none
#   bash scripts/check-libtorch2.sh FILE...    # only these sources
# Environment: RINGMINER_LIBTORCH2_SUITE (default trixie), RINGMINER_LIBTORCH2_MIRROR (default deb.debian.org),
# RINGMINER_LIBTORCH2_JOBS (default nproc). Exits non-zero, naming the file, on any compile error.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"
cache="$repo/.libtorch2"
suite="${RINGMINER_LIBTORCH2_SUITE:-trixie}"
mirror="${RINGMINER_LIBTORCH2_MIRROR:-http://deb.debian.org/debian}"
jobs="${RINGMINER_LIBTORCH2_JOBS:-$(nproc)}"
build="${RINGMINER_BUILD_DIR:-build}"
start=$(date +%s)

# 1. Headers: .libtorch2/root/usr/include, fetched once.
root="$cache/root"
if [ ! -f "$root/.complete" ]; then
  rm -rf "$cache/apt" "$cache/debs" "$root"
  mkdir -p "$cache/apt/lists/partial" "$cache/apt/cache/archives/partial" "$cache/debs" "$root"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" >"$cache/apt/sources.list"
  apt_opts=(-o "Dir::Etc::SourceList=$cache/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$cache/apt/lists" -o "Dir::Cache=$cache/apt/cache" -o Dir::State::status=/dev/null
    -o APT::Sandbox::User=root)
  echo "check-libtorch2: fetching libtorch-dev from $suite into .libtorch2/"
  apt-get "${apt_opts[@]}" -q update >"$cache/apt/update.log" 2>&1 || {
    cat "$cache/apt/update.log" >&2
    exit 1
  }
  (cd "$cache/debs" && apt-get "${apt_opts[@]}" -q download libtorch-dev) >"$cache/apt/download.log" 2>&1 || {
    cat "$cache/apt/download.log" >&2
    exit 1
  }
  for deb in "$cache"/debs/*.deb; do dpkg -x "$deb" "$root"; done
  rm -rf "$cache/apt/lists" "$cache/apt/cache"
  touch "$root/.complete"
fi
include="$root/usr/include"
version=$(sed -n 's/^#define TORCH_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\).*/\2/p' \
  "$include/torch/csrc/api/include/torch/version.h" | paste -sd.)
echo "check-libtorch2: LibTorch $version headers in .libtorch2/root/usr/include ($(ls "$cache"/debs))"

# 2. The build's compile commands.
db="$build/compile_commands.json"
if [ ! -f "$db" ]; then
  echo "check-libtorch2: no $db, configuring .libtorch2/config for its compile commands"
  cmake -S . -B "$cache/config" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$cache/config.log" 2>&1 || {
    cat "$cache/config.log" >&2
    exit 1
  }
  db="$cache/config/compile_commands.json"
fi

# 3. Which sources include LibTorch, then one -fsyntax-only compile each, $jobs at a time.
/usr/bin/env python3 - "$repo" "$db" "$include" "$jobs" "$@" <<'EOF'
import concurrent.futures, json, os, re, shlex, subprocess, sys, time

repo, db, include, jobs, only = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5:]
only = {os.path.abspath(f) for f in only}
torch_header = re.compile(r'^(torch|ATen|c10|caffe2)/')
include_line = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.M)
torch_dirs = re.compile(r'(torch/csrc/api/include|/site-packages/torch/|/libtorch/)')


def uses_torch(path, dirs, seen):
    """True when path or a project header it includes (transitively) includes a LibTorch header."""
    if path in seen:
        return False
    seen.add(path)
    try:
        text = open(path, errors="replace").read()
    except OSError:
        return False
    for name in include_line.findall(text):
        if torch_header.match(name):
            return True
        for d in [os.path.dirname(path)] + dirs:
            p = os.path.normpath(os.path.join(d, name))
            if p.startswith(repo + os.sep) and os.path.isfile(p):
                if uses_torch(p, dirs, seen):
                    return True
                break
    return False


def command(entry):
    args = entry["arguments"] if "arguments" in entry else shlex.split(entry["command"])
    out, i = [args[0]], 1
    while i < len(args):
        a = args[i]
        if a in ("-o", "-c", "-MF", "-MT", "-MQ"):
            i += 2
            continue
        if a in ("-isystem", "-I") and i + 1 < len(args) and torch_dirs.search(args[i + 1]):
            i += 2
            continue
        if (a.startswith("-I") or a.startswith("-isystem")) and torch_dirs.search(a):
            i += 1
            continue
        if a in ("-MD", "-MMD") or a == entry["file"]:
            i += 1
            continue
        out.append(a)
        i += 1
    # The 2.x directories first, ahead of every other -isystem and of /usr/include.
    return out[:1] + ["-isystem", include + "/torch/csrc/api/include", "-isystem", include] + out[1:]


entries, seen_files = [], set()
for e in json.load(open(db)):
    f = os.path.normpath(os.path.join(e["directory"], e["file"]))
    if not f.startswith(repo + os.sep) or "_autogen" in f or f in seen_files:
        continue
    if only and f not in only:
        continue
    seen_files.add(f)
    args = e["arguments"] if "arguments" in e else shlex.split(e["command"])
    dirs = [a[2:] for a in args if a.startswith("-I") and len(a) > 2]
    if uses_torch(f, dirs, set()):
        entries.append((f, e))
if not entries:
    sys.exit("check-libtorch2: no source that includes LibTorch found in " + db)
print(f"check-libtorch2: {len(entries)} sources include LibTorch; compiling with -fsyntax-only, {jobs} at a time",
      flush=True)

moc = next((p for p in ("/usr/lib/qt6/libexec/moc", "/usr/lib/qt6/bin/moc") if os.path.exists(p)), "moc")
depdir = os.path.join(repo, ".libtorch2", "deps")
os.makedirs(depdir, exist_ok=True)


def check(item):
    f, e = item
    rel = os.path.relpath(f, repo)
    dep = os.path.join(depdir, rel.replace("/", "_") + ".d")
    cmd = command(e) + ["-fsyntax-only", "-MD", "-MF", dep, f]
    # A Qt Test source includes its own "<name>.moc", which AUTOMOC writes only during a build: make it here.
    mocs = re.findall(r'^\s*#\s*include\s*"([^"/]+\.moc)"', open(f, errors="replace").read(), re.M)
    if mocs:
        mocdir = os.path.join(repo, ".libtorch2", "moc", rel.replace("/", "_"))
        os.makedirs(mocdir, exist_ok=True)
        for name in mocs:
            m = subprocess.run([moc, "-o", os.path.join(mocdir, name), f], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
            if m.returncode != 0:
                return rel, False, 0.0, "moc failed:\n" + m.stdout
        cmd[1:1] = ["-I", mocdir]
    t0 = time.time()
    p = subprocess.run(cmd, cwd=e["directory"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    problems = p.stdout
    ok = p.returncode == 0
    if ok:
        deps = open(dep).read()
        leaked = sorted({m.group(1) for m in re.finditer(r'(?:^|\s)(/usr/include/(torch|ATen|c10|caffe2)/\S+)', deps)})
        if leaked:
            ok = False
            problems += "picked up LibTorch 1.13 headers from /usr/include: " + " ".join(leaked[:5]) + "\n"
    return rel, ok, time.time() - t0, problems


failed = []
with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
    for rel, ok, seconds, problems in pool.map(check, entries):
        warnings = problems.count("warning:")
        print(f"  {'ok  ' if ok else 'FAIL'} {rel} ({seconds:.0f} s{', %d warnings' % warnings if warnings else ''})",
              flush=True)
        if not ok or warnings:
            lines = problems.splitlines()
            print("\n".join("      " + l for l in lines[:60]) + ("\n      ..." if len(lines) > 60 else ""),
                  flush=True)
        if not ok:
            failed.append(rel)
if failed:
    print(f"check-libtorch2: FAILED in {len(failed)} of {len(entries)} files: " + " ".join(failed))
    sys.exit(1)
print(f"check-libtorch2: all {len(entries)} sources compile against the LibTorch 2.x headers")
EOF
echo "check-libtorch2: done in $(($(date +%s) - start)) s"
