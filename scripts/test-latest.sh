#!/usr/bin/env bash
# Runs the whole test command against the newest releases pyproject.toml allows, in a
# throwaway virtualenv: .venv/ and uv.lock stay as they are. Prints which packages are
# newer than the lock first, so a new release is met on purpose; when the run is green,
# `make lock-upgrade` takes them.
set -euo pipefail
cd "$(dirname "$0")/.."

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
venv="$work/venv"

scripts/uv.sh venv --quiet --python "${PYTHON:-python3}" "$venv"
# --refresh: ask the index again rather than trust what the cache last saw.
VIRTUAL_ENV="$venv" scripts/uv.sh pip install --quiet --refresh -e ".[dev]"

# name==version lines, lower-case, without environment markers or the project itself.
normalise() { sed -e 's/ *;.*//' | grep '==' | tr 'A-Z_' 'a-z-' | sort -u; }
scripts/uv.sh export --frozen --no-hashes --extra dev --no-emit-project | normalise >"$work/locked"
VIRTUAL_ENV="$venv" scripts/uv.sh pip freeze --exclude-editable | normalise >"$work/latest"
echo "== installed versions that differ from uv.lock"
comm -13 "$work/locked" "$work/latest" | sed 's/^/  /' | grep . || echo "  none: uv.lock is current"

VENV="$venv" bash scripts/test.sh
