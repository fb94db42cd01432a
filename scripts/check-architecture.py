#!/usr/bin/env python3
"""Checks docs/architecture.md against the tree (CTest: architecture_layout).

- every folder the page names exists, and every code folder in the tree is named on the page;
- core/ includes no Qt and climbs its tower only the way the page's "includes" column allows;
- ui/ holds no SQL and no sqlite3 calls; core/ and ui/ include nothing from app/;
- tests/core and tests/ui have a folder per code folder they test (tests/<layer>/<folder>/ mirrors
  <layer>/<folder>/).
Prints every violation with file:line and exits 1 if there is any.
"""
import os
import re
import sys

root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))
doc = open(os.path.join(root, "docs", "architecture.md"), encoding="utf-8").read()
errors = []

row = re.compile(r"^\|\s*`((?:core|ui|app)/[A-Za-z_]+)/`\s*\|(.*)\|\s*$")
named = {}  # folder -> the row's cells
for line in doc.splitlines():
    m = row.match(line)
    if m:
        named[m.group(1)] = [c.strip() for c in m.group(2).split("|")]

for folder in named:
    if not os.path.isdir(os.path.join(root, folder)):
        errors.append(f"docs/architecture.md names {folder}/, which does not exist")
for layer in ("core", "ui", "app"):
    for d in sorted(os.listdir(os.path.join(root, layer))):
        if os.path.isdir(os.path.join(root, layer, d)) and f"{layer}/{d}" not in named:
            errors.append(f"{layer}/{d}/ is not described in docs/architecture.md")

# The core tower: the order of the rows is the order of the folders, lowest first.
core_order = [f.split("/")[1] for f in named if f.startswith("core/")]
allowed = {}
for i, name in enumerate(core_order):
    cells = named["core/" + name]
    spec = cells[-1]
    if spec.startswith("everything above"):
        allowed[name] = set(core_order[:i])
    elif spec in ("—", "-", ""):
        allowed[name] = set()
    else:
        allowed[name] = {s.strip() for s in spec.split(",")}
        for dep in allowed[name]:
            if dep not in core_order[:i]:
                errors.append(f"docs/architecture.md: core/{name} may include {dep}, which is not above it")

include = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
sql = re.compile(r'prepare\(|"\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|PRAGMA)\b|sqlite3_|rm::Statement\b')


def sources(top):
    for dp, dn, fn in os.walk(os.path.join(root, top)):
        for f in fn:
            if f.endswith((".h", ".cpp", ".hpp", ".cpp.in")):
                yield os.path.join(dp, f)


for path in sources("core"):
    rel = os.path.relpath(path, root)
    folder = rel.split(os.sep)[1]
    for n, line in enumerate(open(path, encoding="utf-8", errors="replace"), 1):
        m = include.match(line)
        if not m:
            continue
        kind, target = m.groups()
        if kind == "<" and re.match(r"Q[A-Za-z]*(/|$)", target):
            errors.append(f"{rel}:{n}: core includes Qt ({target})")
        if kind == '"' and "/" in target:
            dep = target.split("/")[0]
            if dep in allowed and dep != folder and dep not in allowed.get(folder, set()):
                errors.append(f"{rel}:{n}: core/{folder} includes {target}, but core/{dep} is not below it")

for path in sources("ui"):
    rel = os.path.relpath(path, root)
    for n, line in enumerate(open(path, encoding="utf-8", errors="replace"), 1):
        if sql.search(line):
            errors.append(f"{rel}:{n}: SQL in ui/ (ask a core store): {line.strip()[:90]}")
        m = include.match(line)
        if m and m.group(1) == '"' and m.group(2).startswith(("cli/", "gui/")):
            errors.append(f"{rel}:{n}: ui includes app/ ({m.group(2)})")
        if m and m.group(2) == "store/Database.h":
            errors.append(f"{rel}:{n}: ui includes store/Database.h (SQLite belongs to core/store)")

for layer in ("core", "ui", "app"):
    tests = os.path.join(root, "tests", layer)
    for d in sorted(os.listdir(tests)):
        full = os.path.join(tests, d)
        if os.path.isdir(full) and d not in ("data",) and not os.path.isdir(os.path.join(root, layer, d)):
            errors.append(f"tests/{layer}/{d}/ mirrors no {layer}/{d}/")
    loose = [f for f in os.listdir(tests) if f.startswith("test_") and f.endswith(".cpp")]
    for f in loose:
        errors.append(f"tests/{layer}/{f} is not in the folder of the code it tests (tests/{layer}/<folder>/)")

for e in errors:
    print(e)
print(f"architecture: {len(named)} folders described, {len(errors)} problem(s)")
sys.exit(1 if errors else 0)
