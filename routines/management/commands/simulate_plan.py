"""Replay a scenario of a member's days through the pages' services (DESIGN.md)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from routines.replay import ScenarioError, replay, scenario_from_data


class Command(BaseCommand):
    help = (
        "Replay SCENARIO.json day by day through the same services and selectors as the "
        "pages, on a throwaway member, and print what 'today' showed and what was logged "
        "each day as JSON. Nothing stays in the database unless --keep USERNAME."
    )

    def add_arguments(self, parser):
        parser.add_argument("scenario", help="Path of the scenario JSON file.")
        parser.add_argument(
            "--keep",
            metavar="USERNAME",
            help="Keep the replayed member under this username, with their history.",
        )

    def handle(self, *args, scenario: str, keep: str | None, **options):
        path = Path(scenario)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise CommandError(f"No scenario file at {path}.") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise CommandError(f"{path} is not valid JSON: {error}") from None
        try:
            days = replay(scenario_from_data(data), keep=keep)
        except ScenarioError as error:
            raise CommandError(f"{path}: {error}") from None
        self.stdout.write(json.dumps(days, indent=1))
