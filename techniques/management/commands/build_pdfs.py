"""Prebuild every printable PDF so the first download is as quick as the second."""

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.sites.models import Site
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext
from weasyprint.urls import FatalURLFetchingError

from smrsite.jobs import broker_configured, enqueue
from techniques import pdf, selectors, tasks

BAR_WIDTH = 24


@dataclass(frozen=True)
class Job:
    label: str
    key: str
    document: Callable[[], pdf.PdfDocument]


class Command(BaseCommand):
    help = (
        "Render every published technique's PDF (A4 and US Letter) and the booklets, "
        "skipping the ones already stored at their current content version."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            help=(
                "The site's public root, e.g. https://smrcoach.org/. Links printed in the "
                "PDFs come from it, so it must match what visitors use or the prebuilt files "
                "will not be the ones served. Default: settings.SITE_URL, else the Sites "
                "framework's domain over https."
            ),
        )
        parser.add_argument(
            "--size", choices=sorted(pdf.PAGE_SIZES), action="append", help="Only this size."
        )
        parser.add_argument("--no-booklets", action="store_true", help="Handouts only.")
        parser.add_argument(
            "--inline",
            action="store_true",
            help="Render here even when CELERY_BROKER_URL is set (default: queue for workers).",
        )

    def handle(self, *args, **options):
        site_url = options["base_url"] or _default_site_url()
        if not site_url.endswith("/"):
            site_url += "/"
        sizes = options["size"] or list(pdf.PAGE_SIZES)
        if broker_configured() and not options["inline"]:
            self._queue(site_url=site_url, sizes=sizes, booklets=not options["no_booklets"])
            return
        jobs = _jobs(site_url=site_url, sizes=sizes, booklets=not options["no_booklets"])

        # One image cache for the whole batch: a photo used on several pages (and in
        # the booklet) is decoded once.
        image_cache: dict = {}
        built = skipped = 0
        failures: list[str] = []
        for number, job in enumerate(jobs, start=1):
            started = time.perf_counter()
            try:
                document = job.document()
                _, content = pdf.pdf_store(
                    key=job.key,
                    version=document.version,
                    render=lambda d=document: d.render(image_cache=image_cache),
                )
            except (Exception, FatalURLFetchingError) as error:
                failures.append(f"{job.label}: {type(error).__name__}: {error}")
                outcome = f"FAILED ({type(error).__name__}: {error})"
            else:
                if content is None:
                    skipped += 1
                    outcome = "current, skipped"
                else:
                    built += 1
                    outcome = f"built in {time.perf_counter() - started:.2f} s"
            self._progress(number, len(jobs), f"{job.label}: {outcome}")

        self.stdout.write(
            f"{built} built, {skipped} already current, {len(failures)} failed "
            f"(links point at {site_url})."
        )
        if failures:
            for failure in failures:
                self.stderr.write(f"  {failure}")
            raise CommandError(
                ngettext(
                    "%(count)d PDF could not be rendered; see above.",
                    "%(count)d PDFs could not be rendered; see above.",
                    len(failures),
                )
                % {"count": len(failures)}
            )

    def _queue(self, *, site_url: str, sizes: list[str], booklets: bool) -> None:
        """One Celery task per PDF; the workers skip the ones already current."""
        queued = 0
        for technique in selectors.technique_handouts():
            for size in sizes:
                enqueue(tasks.build_technique_pdf, technique.slug, size, site_url)
                queued += 1
        if booklets:
            for region in [None, *selectors.region_list()]:
                for size in sizes:
                    enqueue(tasks.build_booklet_pdf, region.slug if region else "", size, site_url)
                    queued += 1
        self.stdout.write(
            ngettext(
                "%(count)d PDF queued for the workers (links point at %(site_url)s).",
                "%(count)d PDFs queued for the workers (links point at %(site_url)s).",
                queued,
            )
            % {"count": queued, "site_url": site_url}
        )

    def _progress(self, done: int, total: int, message: str) -> None:
        filled = BAR_WIDTH * done // total
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        self.stdout.write(f"[{bar}] {done:>3}/{total} {message}")
        self.stdout.flush()


def _default_site_url() -> str:
    configured = getattr(settings, "SITE_URL", "")
    if configured:
        return configured
    return f"https://{Site.objects.get_current().domain}/"


def _jobs(*, site_url: str, sizes: list[str], booklets: bool) -> list[Job]:
    jobs = []
    for technique in selectors.technique_handouts():
        for size in sizes:
            jobs.append(
                Job(
                    label=f"{technique.slug} ({size})",
                    key=technique.slug,
                    document=lambda t=technique, s=size: pdf.technique_document(
                        t, size=s, site_url=site_url
                    ),
                )
            )
    if booklets:
        for region in [None, *selectors.region_list()]:
            for size in sizes:
                key = pdf.booklet_key(region)
                jobs.append(
                    Job(
                        label=f"{key} ({size})",
                        key=key,
                        document=lambda r=region, s=size: pdf.booklet_document(
                            list(selectors.technique_handouts(region=r)),
                            region=r,
                            size=s,
                            site_url=site_url,
                        ),
                    )
                )
    return jobs
