#!/usr/bin/env bash
# Sets up a fresh machine for SMR Coach: system packages, the virtualenv at .venv/,
# Python and npm packages, the database and the catalogue. Safe to run again.
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

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"

if [ ! -d node_modules/bootstrap ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

.venv/bin/python manage.py migrate --noinput -v 0
.venv/bin/python manage.py seed_catalogue
