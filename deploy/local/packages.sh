#!/usr/bin/env bash
# Each package alone: for every package under libs/ and services/, sync only it (and what it
# declares) from uv.lock into a fresh virtualenv, then import it there. A module that imports
# something its pyproject.toml does not declare fails here, not in the service's image.
# Every module of the package is imported (a service's __main__ too: it imports the app, and runs
# nothing on import), except a `testing` subpackage: pytest fixtures, which need the dev group.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
UV="$(command -v uv || echo "python3 -m uv")"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/jumo-packages-XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# The import name of a package folder: its only src/jumo_* package.
import_name() {
    local found=("$1"/src/jumo_*/__init__.py)
    [ "${#found[@]}" -eq 1 ] && [ -f "${found[0]}" ] || return 1
    basename "$(dirname "${found[0]}")"
}

# Imports every module of the package named by argv[1]; prints how many.
IMPORT_ALL='
import importlib, pkgutil, sys
top = importlib.import_module(sys.argv[1])
names = [m.name for m in pkgutil.walk_packages(top.__path__, top.__name__ + ".")
         if ".testing" not in m.name]
for name in names:
    importlib.import_module(name)
print(f"   {1 + len(names)} modules of {top.__name__} import")
'

check() {
    local folder=$1 name module env
    name=$(sed -n 's/^name = "\(.*\)"/\1/p' "$folder/pyproject.toml" | head -1)
    module=$(import_name "$folder") || { echo "$folder: no single src/jumo_* package"; return 1; }
    env="$WORK/$name"
    echo "== $name: uv sync --locked --package $name, then import every module of $module"
    # --no-default-groups: the workspace's dev group (pytest, jumo-devstack...) stays out.
    UV_PROJECT_ENVIRONMENT="$env" $UV sync --locked --quiet --package "$name" --no-default-groups \
        || return 1
    # -I: only the fresh environment's site-packages, never the current folder or PYTHONPATH.
    # A __main__ module is imported, not run (its __name__ is not "__main__").
    "$env/bin/python" -I -c "$IMPORT_ALL" "$module" || return 1
}

rc=0 count=0
for folder in libs/*/ services/*/; do
    folder=${folder%/}
    [ -f "$folder/pyproject.toml" ] || continue
    count=$((count + 1))
    check "$folder" || { echo "!! $folder: does not sync or import alone (see above)"; rc=1; }
done
[ "$count" -gt 0 ] || { echo "no packages under libs/ or services/"; exit 1; }
echo "== $count packages checked alone: $([ "$rc" -eq 0 ] && echo ok || echo FAILED)"
exit "$rc"
