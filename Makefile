# The two entry points the README starts with.
.PHONY: setup run test lint format

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
