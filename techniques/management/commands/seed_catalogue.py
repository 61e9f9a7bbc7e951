from pathlib import Path

from django.core.management.base import BaseCommand

from techniques.services import CATALOGUE_FILE, catalogue_load, catalogue_read


class Command(BaseCommand):
    help = "Load or update the technique catalogue (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=CATALOGUE_FILE)

    def handle(self, *args, file: Path, **options):
        report = catalogue_load(data=catalogue_read(file))
        self.stdout.write(
            self.style.SUCCESS(
                f"Catalogue loaded: {len(report.created)} created, "
                f"{len(report.updated)} updated, {len(report.unchanged)} unchanged."
            )
        )
