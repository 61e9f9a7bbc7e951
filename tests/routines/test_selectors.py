import random
from datetime import date, timedelta
from decimal import Decimal

import psycopg
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from members.models import Profile
from routines import scheduler, selectors, services
from routines.models import DailySession, LogEntry, Routine, RoutinePass, StretchLog
from smrsite import sql as sql_module
from techniques.models import Region, Technique
from tests.factories import ProfileFactory, RoutineFactory

pytestmark = pytest.mark.django_db
DAY = date(2026, 3, 2)
YEAR = 400


def _random_year(user, rng: random.Random) -> None:
    """About a year of logs and stretch records, with overuse, skips, notes and tension."""
    techniques = list(Technique.objects.filter(kind="release"))
    entries, stretches = [], []
    for back in range(YEAR):
        day = DAY - timedelta(days=back)
        for technique in rng.sample(techniques, rng.choice((0, 2, 3))):
            done = rng.random() < 0.85
            entries.append(
                LogEntry(
                    member=user,
                    technique=technique,
                    day=day,
                    status="done" if done else "skipped",
                    sensitivity=rng.choice(("less", "less", "same", "more")) if done else "",
                    movement=rng.choice(("better", "better", "same", "worse")) if done else "",
                    note=f"note {back}" if rng.random() < 0.1 else "",
                )
            )
        if rng.random() < 0.5:
            stretches.append(
                StretchLog(
                    member=user,
                    day=day,
                    prop=rng.choice(scheduler.STRETCH_PROPS),
                    unbroken_minutes=Decimal(rng.choice(("2", "4.5", "5", "6"))),
                    tension=rng.random() < 0.1,
                )
            )
    LogEntry.objects.bulk_create(entries)
    StretchLog.objects.bulk_create(stretches)


def _random_passes(routine, rng: random.Random) -> None:
    """Region passes over the year, in the routine's order, each of 2 to 6 days."""
    regions = [link.region for link in routine.region_links.order_by("position")]
    day, n = DAY - timedelta(days=YEAR), 0
    while day <= DAY:
        RoutinePass.objects.create(routine=routine, region=regions[n % len(regions)], since=day)
        day += timedelta(days=rng.randint(2, 6))
        n += 1


def _every_pass(routine, today: date) -> list[scheduler.PassStart]:
    rows = RoutinePass.objects.filter(routine=routine, since__lte=today).order_by("since", "id")
    return [scheduler.PassStart(p.region.slug, p.since) for p in rows.select_related("region")]


def _every_log(user, today: date) -> list[scheduler.LogRecord]:
    """Every log up to today, as the scheduler would take it untrimmed."""
    entries = LogEntry.objects.filter(member=user, day__lte=today).select_related("technique")
    return [
        scheduler.LogRecord(
            day=e.day,
            slug=e.technique.slug,
            done=e.status == "done",
            sensitivity=e.sensitivity or None,
            movement=e.movement or None,
        )
        for e in entries
    ]


def _every_stretch(user, today: date) -> list[scheduler.StretchRecord]:
    return [
        scheduler.StretchRecord(s.day, s.prop, float(s.unbroken_minutes), s.tension)
        for s in StretchLog.objects.filter(member=user, day__lt=today)
    ]


@pytest.mark.parametrize("seed", range(6))
def test_the_trimmed_history_plans_exactly_like_the_whole_of_it(user, routine, seed):
    """Today, the next 14 days, pins, last done and the stretch come out as from every row."""
    routine.tension = seed % 2 == 0
    routine.save()
    rng = random.Random(seed)
    _random_year(user, rng)
    _random_passes(routine, rng)
    for today in (DAY, DAY - timedelta(days=90), DAY - timedelta(days=200)):
        data = selectors.routine_data(routine, today=today)
        passes = _every_pass(routine, today)
        logs, stretches = _every_log(user, today), _every_stretch(user, today)
        assert len(data.history) < len(logs)
        assert len(data.passes) < len(passes)
        assert selectors.plan_upcoming(data) == scheduler.plan_days(
            data.catalogue,
            data.settings,
            start=today,
            days=selectors.UPCOMING_DAYS,
            passes=passes,
            history=logs,
            stretch_history=stretches,
        )
        assert scheduler.pin_candidates(data.catalogue, data.history) == (
            scheduler.pin_candidates(data.catalogue, logs)
        )
        assert scheduler.stretch_status(data.settings, data.stretch_history, today) == (
            scheduler.stretch_status(data.settings, stretches, today)
        )
        for slug in data.techniques:
            done = [r.day for r in logs if r.slug == slug and r.done and r.day < today]
            assert data.last_done(slug) == max(done, default=None)


def test_settings_logs_passes_notes_and_stretches_come_in_one_read(user, catalogue):
    """The routine's settings and a year of logs, passes, notes and stretch records cost
    one read, beside the catalogue's: each round trip cost "today" more than its rows."""
    routine = RoutineFactory(member=user, start_date=DAY, regions=["thigh", "hip", "calves"])
    rng = random.Random(3)
    _random_year(user, rng)
    _random_passes(routine, rng)
    left_out, pinned = Technique.objects.filter(kind="release").order_by("slug")[:2]
    routine.excluded_techniques.add(left_out)
    routine.pinned_techniques.add(pinned)
    DailySession.objects.create(routine=routine, day=DAY, region=left_out.region, finished=True)
    with CaptureQueriesContext(connection) as captured:
        data = selectors.routine_data(routine, today=DAY)
    assert len(captured.captured_queries) == 2
    assert [region.slug for region in data.regions] == ["thigh", "hip", "calves"]
    assert data.settings.regions == ("thigh", "hip", "calves")
    fields = ("id", "slug", "name", "position", "colour", "summary")
    for region in data.regions:
        stored = Region.objects.values_list(*fields).get(pk=region.pk)
        assert tuple(getattr(region, name) for name in fields) == stored
        assert not region.get_deferred_fields()
    assert data.settings.excluded == {left_out.slug}
    assert data.settings.pinned_daily == {pinned.slug}
    assert data.today_finished
    assert data.history
    assert data.passes
    assert data.stretch_history
    assert data.last_notes


def _hip_only_skipped_long_ago(user, *, since: date, until: date) -> None:
    """Hip logged from ``since`` only as skipped, and not at all from ``until``: the pass
    begun on ``since`` is over, though no log of it is among the recent or latest done."""
    hip = LogEntry.objects.filter(member=user, technique__region__slug="hip", day__gte=since)
    hip.filter(day__gte=until).delete()
    hip.update(status="skipped", sensitivity="", movement="")


@pytest.mark.parametrize("seed", range(3))
def test_a_routine_without_a_recorded_pass_reads_the_whole_of_its_first_one(user, routine, seed):
    """No pass recorded: the first region's pass from the start date, with every log since."""
    routine.start_date = DAY - timedelta(days=150)
    routine.save()
    _random_year(user, random.Random(seed))
    _hip_only_skipped_long_ago(user, since=routine.start_date, until=DAY - timedelta(days=100))
    for today in (DAY, DAY - timedelta(days=60)):
        data = selectors.routine_data(routine, today=today)
        assert data.recorded_passes == 0
        assert selectors.plan_upcoming(data) == scheduler.plan_days(
            data.catalogue,
            data.settings,
            start=today,
            days=selectors.UPCOMING_DAYS,
            passes=[scheduler.PassStart("hip", routine.start_date)],
            history=_every_log(user, today),
            stretch_history=_every_stretch(user, today),
        )


@pytest.mark.parametrize(("seed", "passes"), [(0, False), (1, False), (2, True), (3, True)])
def test_recording_the_place_during_the_day_changes_none_of_its_plans(user, routine, seed, passes):
    """The passes a save records (from a first one never recorded too) leave the plans be."""
    routine.start_date = DAY - timedelta(days=YEAR)
    routine.save()
    rng = random.Random(seed)
    _random_year(user, rng)
    _hip_only_skipped_long_ago(user, since=routine.start_date, until=DAY - timedelta(days=100))
    if passes:
        _random_passes(routine, rng)
    for today in (DAY - timedelta(days=200), DAY - timedelta(days=90), DAY):
        before = selectors.plan_upcoming(selectors.routine_data(routine, today=today))
        services.place_sync(routine=routine, today=today)
        assert selectors.plan_upcoming(selectors.routine_data(routine, today=today)) == before


def test_each_technique_shows_its_latest_note_of_the_past_year(user, routine):
    """The last note before today is kept per technique; older ones and today's are not."""
    roll, press = Technique.objects.filter(slug__in=["glute-ball-roll", "psoas-press"])
    for technique, back, note in (
        (roll, 0, "today"),
        (roll, 3, "latest"),
        (roll, 9, "older"),
        (press, 366, "too old"),
    ):
        LogEntry.objects.create(
            member=user,
            technique=technique,
            day=DAY - timedelta(days=back),
            status="done",
            sensitivity="less",
            movement="better",
            note=note,
        )
    notes = selectors.routine_data(routine, today=DAY).last_notes
    assert notes == {roll.slug: selectors.PastNote(DAY - timedelta(days=3), "latest")}


def test_the_stretch_status_reads_a_few_rows_however_long_the_log(user, routine):
    """After the target is reached on the roller, earlier records are not read again."""
    for back in range(1, 200):
        StretchLog.objects.create(
            member=user,
            day=DAY - timedelta(days=back),
            prop="roller-6in" if back < 150 else "book",
            unbroken_minutes=6 if back in (30, 100) else 3,
            tension=back in (120, 160),
        )
    data = selectors.routine_data(routine, today=DAY)
    assert data.stretch_history[0].day == DAY - timedelta(days=30)
    assert scheduler.stretch_status(data.settings, data.stretch_history, DAY) == (
        scheduler.stretch_status(data.settings, _every_stretch(user, DAY), DAY)
    )


def _values(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def test_the_routine_is_read_with_the_values_the_orm_gives(
    user, routine, django_assert_num_queries
):
    """routine_for's SQL gives the ORM's values (aware datetimes too), with the member
    given as its member and their profile kept, in one query."""
    ProfileFactory(user=user, time_zone="Europe/Paris")
    with django_assert_num_queries(1):
        found = selectors.routine_for(user)
        assert selectors.member_time_zone(found.member) == "Europe/Paris"
    assert found.member is user
    assert _values(found) == _values(Routine.objects.get(pk=routine.pk))
    assert timezone.is_aware(found.created_at)
    assert _values(found.member.profile) == _values(Profile.objects.get(user=user))


def test_a_member_without_a_profile_reads_as_utc_without_a_query(
    user, routine, django_assert_num_queries
):
    """A routine whose member has no profile yet keeps that absence: UTC, no query."""
    found = selectors.routine_for(user)
    with django_assert_num_queries(0):
        assert selectors.member_time_zone(found.member) == "UTC"


def test_no_routine_reads_as_none(user):
    """Before onboarding there is no routine."""
    assert selectors.routine_for(user) is None


def test_the_catalogue_is_read_with_the_values_the_orm_gives(catalogue):
    """The plans' catalogue has the ORM's values and regions for every published technique."""
    found = selectors.catalogue_techniques()
    expected = list(
        Technique.objects.published()
        .select_related("region")
        .order_by("region__position", "position", "name")
    )
    assert [t.pk for t in found] == [t.pk for t in expected]
    for technique, row in zip(found, expected, strict=True):
        shown = {name: getattr(technique, name) for name in selectors._TECHNIQUE_COLUMNS}
        assert shown == {name: getattr(row, name) for name in selectors._TECHNIQUE_COLUMNS}
        assert technique.region.slug == row.region.slug
        assert technique.region.colour == row.region.colour


def _light_members(count: int = 200) -> None:
    """Members who logged a few times, as most members of a real site: with them the
    planner's statistics say what a long history is."""
    others = get_user_model().objects.bulk_create(
        get_user_model()(username=f"light-{n}", email=f"light-{n}@example.com")
        for n in range(count)
    )
    techniques = list(Technique.objects.filter(kind="release")[:5])
    LogEntry.objects.bulk_create(
        LogEntry(member=other, technique=technique, day=DAY, status="skipped")
        for other in others
        for technique in techniques
    )


def _prepared_plan_costs(sql: str, params: dict) -> dict[str, str]:
    """The top line of the plan PostgreSQL makes for the prepared ``sql``, made for the
    values at hand (custom) and for any values (generic)."""
    names = list(dict.fromkeys(sql_module.PARAMETER.findall(sql)))
    numbered = sql_module.PARAMETER.sub(lambda m: f"${names.index(m.group(1)) + 1}", sql)
    plans = {}
    with connection.cursor() as cursor:
        # EXPLAIN EXECUTE takes no bound parameters: the values go in as literals.
        arguments = ", ".join(
            psycopg.sql.Literal(params[name]).as_string(connection.connection) for name in names
        )
        cursor.execute(f"PREPARE history_read AS {numbered}")
        for mode in ("force_custom_plan", "force_generic_plan"):
            cursor.execute(f"SET LOCAL plan_cache_mode = {mode}")
            cursor.execute(f"EXPLAIN EXECUTE history_read({arguments})")
            plans[mode] = cursor.fetchone()[0]
        cursor.execute("DEALLOCATE history_read")
    return plans


@pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's plans")
def test_a_long_history_read_is_planned_once_per_connection_not_on_every_request(user, routine):
    """PostgreSQL re-plans a prepared statement on every execution while a plan made for
    the values at hand costs less than the plan for any values: for a member with a
    long history that was every request, the planning costing the database as much as
    the read. The history read hides its values from the planner, so both plans are one.
    """
    _random_year(user, random.Random(7))
    _light_members()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE routines_logentry")
    params = selectors._history_params(routine, DAY)
    plain = _prepared_plan_costs(selectors._PLAIN_HISTORY_SQL["postgresql"], params)
    assert plain["force_custom_plan"] != plain["force_generic_plan"]
    read = _prepared_plan_costs(selectors._HISTORY_SQL["postgresql"], params)
    assert read["force_custom_plan"] == read["force_generic_plan"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's query plan")
def test_todays_history_is_read_through_indexes_not_the_whole_log(user, routine):
    """Each part of the history read finds its rows through an index made for it (the
    latest done logs technique by technique, the reports and notes through their partial
    indexes, the recent days by date) instead of reading every log the member ever made:
    for a year of logs that scan and sort cost more than the rest of the page's queries."""
    _random_year(user, random.Random(7))
    _light_members()
    params = selectors._history_params(routine, DAY)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE routines_logentry")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {selectors._HISTORY_SQL['postgresql']}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    indexes = ("log_once_per_technique_and_day", "log_overuse_reports", "log_notes")
    for index in (*indexes, "log_member_day"):
        assert index in plan
    assert "routines_logentry_member_id" not in plan
