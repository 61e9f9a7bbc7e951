#!/usr/bin/env bash
# Runs every check and the whole test suite: that uv.lock matches pyproject.toml, then
# on SQLite, then again on PostgreSQL and Redis when they answer on this machine. Exits
# non-zero on any failure, including a pytest run that collected no tests (exit code 5).
set -uo pipefail
cd "$(dirname "$0")/.."
# VENV: the virtualenv to test with (scripts/test-latest.sh passes a throwaway one).
VENV="${VENV:-.venv}"
PY="$VENV/bin/python"

fail=0
step() { echo; echo "== $*"; }

# First and alone: a stale lock means the packages under test are not the ones we ship.
step "uv.lock is up to date with pyproject.toml"
if ! scripts/uv.sh lock --check; then
  echo "FAILED: uv.lock is out of date with pyproject.toml: run 'make lock' and commit uv.lock." >&2
  exit 1
fi

step "ruff"
"$VENV/bin/ruff" check . || fail=1
"$VENV/bin/ruff" format --check . || fail=1

step "migrations are up to date"
$PY manage.py makemigrations --check --dry-run -v 1 || fail=1

step "deploy checks (production settings)"
DJANGO_ENV=production DJANGO_SECRET_KEY="ci-$(date +%s)-a-long-random-looking-secret-key-for-checks-only" \
  DJANGO_ALLOWED_HOSTS=example.org $PY manage.py check --deploy --fail-level WARNING || fail=1

PYTEST=("$VENV/bin/pytest" -p no:cacheprovider)

# Runs the command it is given (a pytest command line, maybe behind `env`).
run_pytest() {
  "$@"
  local rc=$?
  if [ $rc -eq 5 ]; then
    echo "pytest collected no tests: that is a failure" >&2
  fi
  return $rc
}

PG_URL="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
REDIS="${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}"
pg_up=0
if $PY - "$PG_URL" <<'PYEOF' 2>/dev/null
import sys, psycopg
psycopg.connect(sys.argv[1].replace("postgres://", "postgresql://"), connect_timeout=3).close()
PYEOF
then
  pg_up=1
fi

step "tests on SQLite with the in-process cache"
# The two-server deployment test needs PostgreSQL; when it answers, that test runs
# once, in the PostgreSQL pass below, instead of twice.
deselect=()
[ $pg_up -eq 1 ] && deselect=(-m "not deploy")
run_pytest env -u DATABASE_URL -u REDIS_URL -u CACHE_URL "${PYTEST[@]}" "${deselect[@]}" || fail=1

if [ $pg_up -eq 1 ]; then
  redis_env=()
  if $PY -c "import redis,sys; redis.Redis.from_url(sys.argv[1], socket_timeout=2).ping()" "$REDIS" 2>/dev/null; then
    redis_env=(REDIS_URL="$REDIS")
    step "tests on PostgreSQL ($PG_URL) with Redis ($REDIS)"
  else
    step "tests on PostgreSQL ($PG_URL); Redis not reachable, in-process cache"
  fi
  run_pytest env DATABASE_URL="$PG_URL" "${redis_env[@]}" "${PYTEST[@]}" || fail=1
else
  step "PostgreSQL not reachable at $PG_URL: skipped the PostgreSQL run"
fi

echo
if [ $fail -ne 0 ]; then
  echo "FAILED: see the output above." >&2
  exit 1
fi
echo "All checks and tests passed."
