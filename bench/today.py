"""The "today" page against the bare view, in one process: ms per request and their ratio.

Run: REDIS_URL=redis://127.0.0.1:6379/13 .venv/bin/python bench/today.py [--requests N]

What bench/pages.py measures with gunicorn and wrk, without the HTTP server: the test
client sends GETs through the full middleware stack with production settings, signed
in as a member with a year of daily plans done as planned (as bench/_data.py writes),
alternating in rounds so that every line sees the same machine:

- ``bare view``: ``/bench/baseline``, the yardstick;
- ``today``: ``/routine/`` as members get it, from the stored page after the first;
- ``today, built``: ``/routine/`` with the member's stored page forgotten before each
  GET (untimed), i.e. what the first visit of the day or the visit after a log costs.

Prints wall and CPU milliseconds per request, queries, and the bare view's cost as a
share of each page's, which is roughly the page's share of the bare view's throughput
before HTTP costs (the same for both) are added. Production settings keep pages only
in a shared cache: without ``REDIS_URL`` the page cache is off and both "today" lines
build the page. The database is a temporary SQLite file unless ``DATABASE_URL`` names a
scratch PostgreSQL database (migrated and written to; never point it at real data).
This run's Redis keys are deleted at the end.
"""

import argparse
import os
import random
import secrets
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
YEAR_DAYS = 365
WARM_UP = 50
USERNAME = "today-bench"


def configure(work: Path) -> str:
    """Production settings on loopback, like the benchmark servers; returns the cache prefix."""
    prefix = f"smr-today-bench-{secrets.token_hex(4)}"
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.bench_settings",
            "DJANGO_ENV": "production",
            "DJANGO_SECRET_KEY": f"bench-only-{secrets.token_hex(8)}-{'x' * 50}",
            "DJANGO_ALLOWED_HOSTS": "testserver,127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "STATIC_ROOT": str(work / "static"),
            "MEDIA_ROOT": str(work / "media"),
            "LOG_LEVEL": "WARNING",
            "CACHE_KEY_PREFIX": prefix,
        }
    )
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{work / 'today.sqlite3'}")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    return prefix


def forget_cache(prefix: str) -> None:
    """Delete this run's keys from Redis (sessions, pages, tokens), if Redis was used."""
    if not os.environ.get("REDIS_URL"):
        return
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def build_member():
    """A member with five regions, every tool and a year of plans done as planned."""
    from django.contrib.auth import get_user_model

    from bench._data import year_as_planned
    from routines import scheduler, selectors, services
    from routines.models import DailySession, LogEntry, Routine, RoutinePass
    from techniques.models import Region, Tool

    existing = Routine.objects.filter(member__username=USERNAME).first()
    if existing is not None:
        return existing.member
    today = datetime.now(UTC).date()
    member = get_user_model().objects.create_user(USERNAME, f"{USERNAME}@bench.invalid")
    routine = services.routine_create(
        member=member,
        regions=[Region.objects.get(slug=s) for s in scheduler.DEFAULT_REGIONS],
        tools=Tool.objects.all(),
        start_date=today - timedelta(days=YEAR_DAYS),
    )
    techniques = {t.slug: t for t in selectors.catalogue_techniques()}
    plans, passes = year_as_planned(
        techniques.values(), start=today - timedelta(days=YEAR_DAYS), days=YEAR_DAYS
    )
    regions = {r.slug: r for r in Region.objects.all()}
    rng = random.Random(6)
    LogEntry.objects.bulk_create(
        LogEntry(
            member=member,
            technique=techniques[slug],
            day=plan.day,
            status="done",
            sensitivity="less",
            movement="better",
            note="Felt easier than last time." if rng.random() < 0.1 else "",
        )
        for plan in plans
        for slug in dict.fromkeys(item.slug for item in plan.items)
    )
    DailySession.objects.bulk_create(
        DailySession(routine=routine, day=plan.day, region=regions[plan.region], finished=True)
        for plan in plans
    )
    RoutinePass.objects.bulk_create(
        RoutinePass(routine=routine, region=regions[p.region], since=p.since) for p in passes[1:]
    )
    return member


def measure(client, url: str, requests: int, before=None) -> tuple[float, float]:
    """Wall and CPU ms of one GET of ``url`` (200 expected); ``before`` runs untimed."""
    wall = cpu = 0.0
    for _ in range(requests):
        if before is not None:
            before()
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        wall += time.perf_counter() - started
        cpu += time.process_time() - started_cpu
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    return wall * 1000 / requests, cpu * 1000 / requests


def count_queries(client, url: str, before=None) -> int:
    """The queries of one GET of ``url``."""
    from django.db import connection

    if before is not None:
        before()
    queries = []
    with connection.execute_wrapper(
        lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)
    ):
        client.get(url)
    return len(queries)


def prepare_database() -> None:
    """Migrate, load the catalogue and collect static files, saying nothing."""
    from django.core.management import call_command

    with open(os.devnull, "w") as quiet:
        call_command("migrate", verbosity=0, stdout=quiet)
        call_command("seed_catalogue", verbosity=0, stdout=quiet)
        call_command("collectstatic", interactive=False, verbosity=0, stdout=quiet)


def compare(pages: dict, requests: int) -> None:
    """Time each page against the bare view and print ms, queries and ratios.

    ``pages`` maps a name to ``(client, URL, what runs untimed before each GET or None)``
    and must hold "bare view". GETs alternate in rounds so every page sees the same
    machine load.
    """
    for client, url, before in pages.values():
        measure(client, url, WARM_UP, before)
    totals = {name: [0.0, 0.0] for name in pages}
    rounds = 10
    for _ in range(rounds):
        for name, (client, url, before) in pages.items():
            wall, cpu = measure(client, url, max(requests // rounds, 1), before)
            totals[name][0] += wall / rounds
            totals[name][1] += cpu / rounds
    bare_wall, bare_cpu = totals["bare view"]
    width = max(map(len, pages))
    for name, (client, url, before) in pages.items():
        wall, cpu = totals[name]
        queries = count_queries(client, url, before)
        print(
            f"{name:<{width}} {wall:7.2f} ms wall {cpu:7.2f} ms CPU {queries:3d} queries   "
            f"bare view / this: {bare_wall / wall:6.1%} wall {bare_cpu / cpu:6.1%} CPU"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500, help="GETs of each URL")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="smr-today-bench-"))
    prefix = configure(work)
    try:
        from django.conf import settings
        from django.db import connection
        from django.test import Client

        from smrsite import versions

        prepare_database()
        member = build_member()
        client = Client()
        client.force_login(member)
        forget = partial(versions.bump, versions.member_scope(member.pk))
        cached = "on" if settings.PAGE_CACHE_SECONDS > 0 else "off (set REDIS_URL)"
        print(
            f"database {connection.vendor}, page cache {cached}, "
            f"{args.requests} GETs each after {WARM_UP} warm-up"
        )
        compare(
            {
                "bare view": (client, "/bench/baseline", None),
                "today": (client, "/routine/", None),
                "today, built": (client, "/routine/", forget),
            },
            args.requests,
        )
    finally:
        forget_cache(prefix)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
