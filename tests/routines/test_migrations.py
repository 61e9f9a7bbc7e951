"""The move from step numbers to region passes keeps every member's place."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from routines import selectors

BEFORE = [("routines", "0002_logsubmission")]
AFTER = [("routines", "0003_region_passes")]
START = date(2027, 1, 4)


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.mark.django_db(transaction=True)
def test_existing_members_go_on_where_they_were(catalogue):
    """Mid-thigh, at the start of a region and stalled on a half-done step: nothing skipped
    or repeated after the migration."""
    apps = _migrate(BEFORE)
    User = apps.get_model("auth", "User")
    Routine = apps.get_model("routines", "Routine")
    RoutineRegion = apps.get_model("routines", "RoutineRegion")
    DailySession = apps.get_model("routines", "DailySession")
    LogEntry = apps.get_model("routines", "LogEntry")
    Region = apps.get_model("techniques", "Region")
    Technique = apps.get_model("techniques", "Technique")
    regions = [Region.objects.get(slug=s) for s in ("hip", "thigh", "calves", "shoulder", "arms")]

    def member(name, sessions, logs):
        user = User.objects.create(username=name)
        routine = Routine.objects.create(
            member=user, per_day=2, start_date=START, feed_token=f"token-{name}"
        )
        for n, region in enumerate(regions, start=1):
            RoutineRegion.objects.create(routine=routine, region=region, position=n)
        for offset, step, finished in sessions:
            DailySession.objects.create(
                routine=routine,
                day=START + timedelta(days=offset),
                step_index=step,
                finished=finished,
            )
        for offset, slug in logs:
            LogEntry.objects.create(
                member=user,
                technique=Technique.objects.get(slug=slug),
                day=START + timedelta(days=offset),
                status="done",
                sensitivity="less",
                movement="better",
            )

    hip = [
        (0, "glute-ball-roll"),
        (0, "side-hip-ball-press"),
        (1, "glute-ball-roll"),
        (1, "piriformis-ball-press"),
        (1, "tfl-ball-press"),
        (2, "front-hip-roll"),
        (2, "quads-roll"),
        (2, "psoas-press"),
    ]
    # Step 4 is thigh's second day: quads and outer thigh done on day 3.
    member(
        "midthigh",
        [(0, 0, True), (1, 1, True), (2, 2, True), (3, 3, True)],
        [*hip, (3, "quads-roll"), (3, "outer-thigh-roll")],
    )
    # Hip finished: thigh's pass begins the day after.
    member("newregion", [(0, 0, True), (1, 1, True), (2, 2, True)], hip)
    # Stalled for days on step 3 with one of its two ticked.
    member(
        "stalled",
        [(0, 0, True), (1, 1, True), (2, 2, True), (3, 3, False), (6, 3, False)],
        [*hip, (3, "quads-roll")],
    )

    _migrate(AFTER)
    from routines.models import Routine as NewRoutine

    def today(name, offset):
        routine = NewRoutine.objects.get(member__username=name)
        data = selectors.routine_data(routine, today=START + timedelta(days=offset))
        plan = selectors.plan_for_today(data)
        return plan.region, list(plan.counted)

    assert today("midthigh", 4) == ("thigh", ["inner-thigh-roll", "hamstring-roll"])
    assert today("newregion", 3) == ("thigh", ["quads-roll", "outer-thigh-roll"])
    # Five of thigh left at 2 a day: 3 today, 2 tomorrow (the 2-3 rule).
    assert today("stalled", 7) == (
        "thigh",
        ["outer-thigh-roll", "inner-thigh-roll", "hamstring-roll"],
    )
