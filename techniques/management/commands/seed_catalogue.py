from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from techniques.services import CATALOGUE_FILE, CatalogueError, catalogue_load, catalogue_read


class Command(BaseCommand):
    help = "Load or update the technique catalogue (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=CATALOGUE_FILE)

    def handle(self, *args, file: Path, **options):
        try:
            report = catalogue_load(data=catalogue_read(file))
        except CatalogueError as error:
            raise CommandError(str(error)) from error
        for old, new in report.renamed.items():
            self.stdout.write(f"Renamed {old} → {new}; the old address redirects.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Catalogue loaded: {len(report.created)} created, "
                f"{len(report.updated)} updated, {len(report.unchanged)} unchanged."
            )
        )
