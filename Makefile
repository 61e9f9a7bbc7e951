# The two entry points the README starts with, and the lock's upkeep.
.PHONY: setup run test lint format lock lock-upgrade test-latest

setup:
	bash scripts/setup.sh

run: setup
	.venv/bin/python manage.py runserver 127.0.0.1:8000

test: setup
	bash scripts/test.sh

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format:
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

# After editing pyproject.toml: update uv.lock as little as the change needs.
lock:
	scripts/uv.sh lock
	bash scripts/setup.sh

# Move every package in uv.lock to the newest release pyproject.toml allows.
lock-upgrade:
	scripts/uv.sh lock --upgrade
	bash scripts/setup.sh

# Optional: the whole test command on the newest allowed releases, in a throwaway venv.
test-latest:
	bash scripts/test-latest.sh
