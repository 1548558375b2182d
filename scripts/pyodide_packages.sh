#!/bin/sh
# Refresh tests/pyodide_packages.txt: the packages Pyodide builds (what xlwings Lite can
# load besides pure-Python wheels), from pyodide-lock.json in the npm package `pyodide`.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm pack --silent pyodide >/dev/null
tar xzf pyodide-*.tgz package/pyodide-lock.json package/package.json
python3 - "$here/tests/pyodide_packages.txt" <<'PY'
import json, sys
lock = json.load(open("package/pyodide-lock.json"))
version = json.load(open("package/package.json"))["version"]
lines = [f"# Pyodide {version} (npm pyodide, pyodide-lock.json), Python {lock['info']['python']}",
         "# name version imports (depends)"]
for name, p in sorted(lock["packages"].items()):
    lines.append(f"{name} {p['version']} {','.join(p.get('imports', [])) or '-'} "
                 f"{','.join(p.get('depends', [])) or '-'}")
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
PY
