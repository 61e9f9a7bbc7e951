from datetime import date, timedelta
from decimal import Decimal

import pytest

from routines import selectors, services
from routines.models import DailySession, LogEntry, RoutinePass, StretchLog
from techniques.models import Region, Technique, Tool

pytestmark = pytest.mark.django_db
DAY = date(2026, 3, 2)


def _item(slug, status="done", sensitivity="less", movement="better", note=""):
    return services.ItemLog(
        technique=Technique.objects.get(slug=slug),
        status=status,
        sensitivity=sensitivity,
        movement=movement,
        note=note,
    )


def test_routine_create_leaves_out_techniques_needing_a_missing_tool(user, catalogue):
    """Without a foam roller, roller-only techniques are left out; ball ones stay."""
    tools = Tool.objects.exclude(slug="foam-roller")
    routine = services.routine_create(
        member=user, regions=list(Region.objects.filter(slug="hip")), tools=tools, start_date=DAY
    )
    excluded = set(routine.excluded_techniques.values_list("slug", flat=True))
    assert "quads-roll" in excluded
    assert "front-hip-roll" in excluded
    assert "psoas-press" not in excluded


def test_routine_create_keeps_the_region_order_given(user, catalogue):
    """Regions are stored in the order the member chose."""
    regions = [Region.objects.get(slug=s) for s in ("calves", "hip")]
    routine = services.routine_create(
        member=user, regions=regions, tools=Tool.objects.all(), start_date=DAY
    )
    data = selectors.routine_data(routine, today=DAY)
    assert data.settings.regions == ("calves", "hip")


def _save(routine, *items, stretch=None, day=DAY):
    return services.day_log_save(routine=routine, day=day, items=list(items), stretch=stretch)


def test_logging_twice_updates_the_one_entry(user, routine):
    """The same items logged twice leave one entry per technique, with the latest answers."""
    _save(routine, _item("glute-ball-roll", sensitivity="same"))
    _save(routine, _item("glute-ball-roll", sensitivity="less"))
    entries = LogEntry.objects.filter(member=user, day=DAY)
    assert entries.count() == 1
    assert entries.get().sensitivity == "less"


def test_session_finishes_when_every_counted_item_is_logged(routine):
    """The day's session is finished once both of its techniques have an entry."""
    first = _save(routine, _item("glute-ball-roll"))
    assert (first.items, first.finished) == (1, False)
    session = DailySession.objects.get(routine=routine, day=DAY)
    assert (session.region.slug, session.finished) == ("hip", False)
    second = _save(routine, _item("side-hip-ball-press", status="skipped"))
    assert second.finished
    assert DailySession.objects.get(routine=routine, day=DAY).finished


def test_a_finished_pass_moves_the_place_to_the_next_region(user, routine):
    """Logging the last hip techniques makes tomorrow thigh; syncing then records that pass."""
    hip = RoutinePass.objects.create(
        routine=routine, region=Region.objects.get(slug="hip"), since=DAY - timedelta(days=2)
    )
    logged = {
        2: ("glute-ball-roll", "side-hip-ball-press"),
        1: ("piriformis-ball-press", "tfl-ball-press"),
    }
    for back, slugs in logged.items():
        for slug in slugs:
            LogEntry.objects.create(
                member=user,
                technique=Technique.objects.get(slug=slug),
                day=DAY - timedelta(days=back),
                status="done",
            )
    assert _save(routine, _item("front-hip-roll"), _item("psoas-press")).finished
    tomorrow = DAY + timedelta(days=1)
    plan = selectors.plan_for_today(selectors.routine_data(routine, today=tomorrow))
    assert (plan.region, plan.counted) == ("thigh", ("quads-roll", "outer-thigh-roll"))
    services.place_sync(routine=routine, today=tomorrow)
    services.place_sync(routine=routine, today=tomorrow)
    place = RoutinePass.objects.filter(routine=routine).order_by("since", "id")
    assert [(p.region.slug, p.since) for p in place] == [
        ("hip", hip.since),
        ("thigh", tomorrow),
    ]


def test_an_empty_note_box_keeps_an_earlier_note(user, routine):
    """Resubmitting without a note never wipes the note already written."""
    _save(routine, _item("glute-ball-roll", note="left side tender"))
    _save(routine, _item("glute-ball-roll"))
    assert LogEntry.objects.get(member=user).note == "left side tender"


def test_skipping_drops_feedback(user, routine):
    """A skipped item is stored without sensitivity or movement."""
    _save(routine, _item("glute-ball-roll", status="skipped"))
    entry = LogEntry.objects.get(member=user)
    assert (entry.status, entry.sensitivity, entry.movement) == ("skipped", "", "")


def test_stretch_log_is_one_per_day(user, routine):
    """Recording the stretch twice on a day corrects the one record."""
    saved = _save(routine, stretch=services.StretchEntry("book", Decimal(2), True))
    assert (saved.items, saved.stretch) == (0, True)
    _save(routine, stretch=services.StretchEntry("yoga-block", Decimal("3.5"), False))
    log = StretchLog.objects.get(member=user)
    assert (log.prop, log.unbroken_minutes, log.tension) == ("yoga-block", Decimal("3.5"), False)


def test_overuse_says_what_changed_in_the_plan(routine):
    """Overuse on a technique comes back as a sentence naming it, the reason and its return."""
    saved = _save(routine, _item("glute-ball-roll", sensitivity="more", movement="same"))
    held = [change for change in saved.changes if change.startswith("Glute Ball Roll")]
    assert len(held) == 1
    assert held[0].endswith(": it felt more sensitive and moved no better.")
    assert held[0].startswith("Glute Ball Roll held back until ")


def test_regenerating_the_feed_token_replaces_it(routine):
    """A new feed token is different from the old one."""
    old = routine.feed_token
    services.feed_token_regenerate(routine=routine)
    routine.refresh_from_db()
    assert routine.feed_token != old
    assert selectors.routine_by_feed_token(old) is None


def test_stop_token_round_trips_and_refuses_forgeries(routine):
    """A stop token opens its routine; a tampered one opens nothing."""
    token = services.reminder_stop_token(routine)
    assert services.routine_from_stop_token(token) == routine
    assert services.routine_from_stop_token(token + "x") is None


def test_streak_counts_back_from_today_or_yesterday():
    """Finished days in a row, ending today or yesterday, make the streak."""
    days = [date(2026, 3, d) for d in (1, 3, 4, 5)]
    assert selectors.streak(days, date(2026, 3, 5)) == 3
    assert selectors.streak(days, date(2026, 3, 6)) == 3
    assert selectors.streak(days, date(2026, 3, 7)) == 0
