"""How long the planner takes, and how many queries "today" makes.

Run: .venv/bin/python bench/scheduler.py
Prints: a 365-day plan for one member; today's plan for 10,000 members over
synthetic 365-day histories (pure scheduler, no database); the same through the
database for a sample of members (routine_data + plan) on a throwaway SQLite; and
the "today" page's query count with no history and a year of it.
"""

import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smrsite.settings")
os.environ["DATABASE_URL"] = "sqlite:///:memory:"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from routines import scheduler, selectors, services  # noqa: E402
from routines.models import LogEntry, RoutinePass  # noqa: E402
from techniques.models import Region, Technique, Tool  # noqa: E402

TODAY = date(2026, 3, 2)
MEMBERS = 10_000
# A year of history per member, as the issue asks the figures to hold for.
HISTORY_DAYS = 365
DB_SAMPLE = 200


def timed(label, func, repeat=1):
    start = time.perf_counter()
    for _ in range(repeat):
        result = func()
    elapsed = (time.perf_counter() - start) / repeat
    print(f"{label:<58} {elapsed * 1000:10.1f} ms")
    return result, elapsed


def synthetic_history(rng, slugs, *, overuse=True):
    """A year of 2 logs a day; with ``overuse``, feedback at random (about 2 in 9 logs
    report overuse, so nearly every member has something held back), else all well."""
    logs = []
    for back in range(1, HISTORY_DAYS + 1):
        for slug in rng.sample(slugs, 2):
            logs.append(
                scheduler.LogRecord(
                    day=TODAY - timedelta(days=back),
                    slug=slug,
                    sensitivity=rng.choice(["less", "same", "more"]) if overuse else "less",
                    movement=rng.choice(["better", "same", "worse"]) if overuse else "better",
                )
            )
    return logs


def main():
    setup_test_environment()
    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("seed_catalogue", verbosity=0, stdout=quiet)
    techniques = selectors.catalogue_techniques()
    catalogue = selectors.technique_infos(techniques)
    settings = scheduler.RoutineSettings(tension=True)
    releases = [t.slug for t in catalogue if t.kind == "release"]

    timed(
        "365-day plan, one member",
        lambda: scheduler.plan_days(catalogue, settings, start=TODAY, days=365),
        repeat=3,
    )
    rng = random.Random(5)
    histories = [synthetic_history(rng, releases) for _ in range(MEMBERS)]
    passes = [scheduler.PassStart("thigh", TODAY - timedelta(days=2))]

    def everyone():
        for history in histories:
            scheduler.plan_days(
                catalogue, settings, start=TODAY, days=1, passes=passes, history=history
            )

    label = f"today's plan, {MEMBERS:,} members (pure, {HISTORY_DAYS}-day histories)"
    _, total = timed(label, everyone)
    print(f"{'  per member':<58} {total / MEMBERS * 1e6:10.1f} µs")

    # Members whose body never said "overuse": nothing held back, no look-ahead for returns.
    well = [synthetic_history(rng, releases, overuse=False) for _ in range(MEMBERS)]

    def everyone_well():
        for history in well:
            scheduler.plan_days(
                catalogue, settings, start=TODAY, days=1, passes=passes, history=history
            )

    _, total = timed(f"  the same, {MEMBERS:,} members reporting no overuse", everyone_well)
    print(f"{'  per member':<58} {total / MEMBERS * 1e6:10.1f} µs")

    # Through the database: a sample of members with a year of log each.
    from django.contrib.auth import get_user_model

    regions = [Region.objects.get(slug=s) for s in scheduler.DEFAULT_REGIONS]
    tools = list(Tool.objects.all())
    by_slug = {t.slug: t for t in Technique.objects.all()}
    routines = []
    for n in range(DB_SAMPLE):
        member = get_user_model().objects.create_user(f"bench{n}", f"bench{n}@example.com", "x")
        routine = services.routine_create(
            member=member,
            regions=regions,
            tools=tools,
            start_date=TODAY - timedelta(days=HISTORY_DAYS),
        )
        LogEntry.objects.bulk_create(
            LogEntry(
                member=member,
                technique=by_slug[log.slug],
                day=log.day,
                status="done",
                sensitivity=log.sensitivity,
                movement=log.movement,
            )
            for log in {(r.day, r.slug): r for r in histories[n]}.values()
        )
        RoutinePass.objects.create(
            routine=routine, region=regions[1], since=TODAY - timedelta(days=2)
        )
        routines.append(routine)

    def sample():
        for routine in routines:
            selectors.plan_for_today(selectors.routine_data(routine, today=TODAY))

    _, total = timed(f"today's plan through the database, {DB_SAMPLE} members", sample)
    print(f"{'  per member':<58} {total / DB_SAMPLE * 1000:10.2f} ms")

    client = Client()
    fresh = get_user_model().objects.create_user("fresh", "fresh@example.com", "x")
    services.routine_create(member=fresh, regions=regions, tools=tools, start_date=TODAY)
    for label, member in (("no history", fresh), ("a year of history", routines[0].member)):
        client.force_login(member)
        # The query log is capped; start each count from an empty one.
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/routine/?date={TODAY.isoformat()}", HTTP_HOST="127.0.0.1")
        assert response.status_code == 200, response.status_code
        print(f"{'today page queries, ' + label:<58} {len(queries.captured_queries):10d}")


if __name__ == "__main__":
    main()
