#!/usr/bin/env bash
# Sets up a fresh machine for SMR Coach: system packages, the virtualenv at .venv/,
# Python packages from uv.lock, npm packages from package-lock.json, the database and the
# catalogue. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages: Pango for WeasyPrint, fonts, Chromium for the browser tests,
# poppler-utils to look at PDFs as images, wrk to drive the page benchmark (bench/pages.py).
APT_PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-dejavu-core
  fonts-liberation chromium poppler-utils wrk)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "Installing system packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fc-cache -f >/dev/null 2>&1 || true
fi

# Python packages: exactly the versions and hashes in uv.lock (refused if the lock is out of
# date with pyproject.toml), the project itself as an editable install, in .venv/.
# EXTRAS adds optional groups of pyproject.toml, e.g. EXTRAS="dev s3".
PYTHON="${PYTHON:-python3}"
extras=()
for extra in ${EXTRAS:-dev}; do extras+=(--extra "$extra"); done
scripts/uv.sh sync --locked --quiet --python "$PYTHON" "${extras[@]}"

if [ ! -d node_modules/bootstrap ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

.venv/bin/python manage.py migrate --noinput -v 0
.venv/bin/python manage.py seed_catalogue
