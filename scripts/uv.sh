#!/usr/bin/env bash
# Runs the project's own uv, at the version and hashes pinned in scripts/uv-requirements.txt,
# from the project folder. The first call (or one after the pin changed) installs it into
# .tools/, a virtualenv of its own, so that `uv sync` never removes it from .venv/.
#   scripts/uv.sh sync --locked --extra dev     # what scripts/setup.sh does
#   scripts/uv.sh lock --check                  # is uv.lock up to date with pyproject.toml?
set -euo pipefail
cd "$(dirname "$0")/.."

wanted="$(sed -n 's/^uv==\([^ ]*\).*/\1/p' scripts/uv-requirements.txt)"
installed="$(.tools/bin/uv --version 2>/dev/null | cut -d' ' -f2 || true)"
if [ "$installed" != "$wanted" ]; then
  echo "Installing uv $wanted into .tools/" >&2
  "${PYTHON:-python3}" -m venv --clear .tools
  .tools/bin/python -m pip install --quiet --disable-pip-version-check --no-deps \
    --require-hashes -r scripts/uv-requirements.txt
fi

# The Python comes from the machine (python3, or $PYTHON), never downloaded by uv.
export UV_PYTHON_DOWNLOADS=never
exec .tools/bin/uv "$@"
