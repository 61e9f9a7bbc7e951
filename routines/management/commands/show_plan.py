import json
from dataclasses import replace
from datetime import date

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from routines import scheduler, selectors

UNKNOWN_USER = "No member with the username “{username}”."
NO_ROUTINE = "{username} has no routine yet: they have not finished onboarding."
BAD_DATE = "--start must be a date as YYYY-MM-DD, not “{value}”."


class Command(BaseCommand):
    help = (
        "Print a plan: a member's (USERNAME) or, without one, a brand-new member's who has "
        "every catalogue technique; each day assumed done as planned."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", help="Plan for this member's routine.")
        parser.add_argument("--days", type=int, default=14, help="How many days (default 14).")
        parser.add_argument("--start", help="First day, YYYY-MM-DD (default: today).")
        parser.add_argument(
            "--per-day", type=int, choices=scheduler.PER_DAY_CHOICES, help="Techniques a day."
        )
        parser.add_argument("--json", action="store_true", help="Print JSON instead of a table.")

    def handle(self, *args, username=None, days, start, per_day, json: bool, **options):
        if days < 0:
            raise CommandError("--days must not be negative.")
        plans = self._plan(username, days=days, start=start, per_day=per_day)
        if json:
            self.stdout.write(_dumps([scheduler.day_plan_as_dict(p) for p in plans]))
            return
        for plan in plans:
            self.stdout.write(f"{plan.day:%a %Y-%m-%d}  {plan.region or '-'}")
            for n, item in enumerate(plan.items, start=1):
                self.stdout.write(f"  {n}. {item.slug:<28} {item.role:<9} {item.reason}")
            for held in plan.held_back:
                until = held.until.isoformat() if held.until else "its next turn"
                self.stdout.write(f"  - {held.slug:<28} held back until {until}: {held.reason}")
            for note in plan.notes:
                self.stdout.write(f"  ! {note}")

    def _plan(self, username, *, days, start, per_day) -> list[scheduler.DayPlan]:
        first = _parse_start(start)
        if username is None:
            techniques = selectors.catalogue_techniques()
            regions = selectors.default_region_slugs(t.region for t in techniques)
            settings = scheduler.RoutineSettings(
                regions=regions, per_day=per_day or scheduler.DEFAULT_PER_DAY
            )
            return scheduler.plan_days(
                selectors.technique_infos(techniques),
                settings,
                start=first or timezone.localdate(),
                days=days,
            )
        member = get_user_model().objects.filter(username=username).first()
        if member is None:
            raise CommandError(UNKNOWN_USER.format(username=username))
        routine = selectors.routine_for(member)
        if routine is None:
            raise CommandError(NO_ROUTINE.format(username=username))
        today = first or selectors.local_today(routine, timezone.now())
        data = selectors.routine_data(routine, today=today)
        if per_day:
            data = replace(data, settings=replace(data.settings, per_day=per_day))
        return selectors.plan_upcoming(data, days=days)


def _parse_start(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(BAD_DATE.format(value=value)) from None


def _dumps(value) -> str:
    return json.dumps(value, indent=2)
