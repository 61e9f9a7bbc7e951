from datetime import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import ngettext

from routines import services


class Command(BaseCommand):
    help = (
        "Email today's plan to members whose local reminder time has passed and who have "
        "not had today's reminder. Safe to run every few minutes from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now", help="Pretend it is this moment (ISO 8601 with an offset); for tests."
        )
        parser.add_argument(
            "--site-url",
            default=getattr(settings, "SITE_URL", "http://127.0.0.1:8000"),
            help="The site's address, for the links in the email.",
        )

    def handle(self, *args, now=None, site_url, **options):
        moment = timezone.now()
        if now:
            try:
                moment = datetime.fromisoformat(now)
            except ValueError:
                raise CommandError(f"--now must be ISO 8601, not “{now}”.") from None
            if timezone.is_naive(moment):
                raise CommandError("--now needs a time zone offset, e.g. 2026-03-02T08:30+00:00.")
        sent = services.reminders_send(now=moment, site_url=site_url)
        message = ngettext("%(count)d reminder sent.", "%(count)d reminders sent.", sent)
        self.stdout.write(message % {"count": sent})
