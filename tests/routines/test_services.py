from datetime import date
from decimal import Decimal

import pytest

from routines import selectors, services
from routines.models import DailySession, LogEntry, StretchLog
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


@pytest.fixture
def log_kwargs(user, routine):
    """What the today page passes when logging the first hip day."""
    return {
        "member": user,
        "routine": routine,
        "day": DAY,
        "step_index": 0,
        "rotation_slugs": ["glute-ball-roll", "side-hip-ball-press"],
    }


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


def test_logging_twice_updates_the_one_entry(user, log_kwargs):
    """The same items logged twice leave one entry per technique, with the latest answers."""
    services.log_items(items=[_item("glute-ball-roll", sensitivity="same")], **log_kwargs)
    services.log_items(items=[_item("glute-ball-roll", sensitivity="less")], **log_kwargs)
    entries = LogEntry.objects.filter(member=user, day=DAY)
    assert entries.count() == 1
    assert entries.get().sensitivity == "less"


def test_session_finishes_when_every_rotation_item_is_logged(routine, log_kwargs):
    """The day's session is finished once both rotation techniques have an entry."""
    services.log_items(items=[_item("glute-ball-roll")], **log_kwargs)
    assert not DailySession.objects.get(routine=routine, day=DAY).finished
    services.log_items(items=[_item("side-hip-ball-press", status="skipped")], **log_kwargs)
    assert DailySession.objects.get(routine=routine, day=DAY).finished


def test_an_empty_note_box_keeps_an_earlier_note(user, log_kwargs):
    """Resubmitting without a note never wipes the note already written."""
    services.log_items(items=[_item("glute-ball-roll", note="left side tender")], **log_kwargs)
    services.log_items(items=[_item("glute-ball-roll")], **log_kwargs)
    assert LogEntry.objects.get(member=user).note == "left side tender"


def test_skipping_drops_feedback(user, routine):
    """A skipped item is stored without sensitivity or movement."""
    services.log_items(
        member=user,
        routine=routine,
        day=DAY,
        step_index=0,
        rotation_slugs=[],
        items=[_item("glute-ball-roll", status="skipped")],
    )
    entry = LogEntry.objects.get(member=user)
    assert (entry.status, entry.sensitivity, entry.movement) == ("skipped", "", "")


def test_stretch_log_is_one_per_day(user):
    """Recording the stretch twice on a day corrects the one record."""
    services.stretch_log_record(
        member=user, day=DAY, prop="book", unbroken_minutes=Decimal(2), tension=True
    )
    services.stretch_log_record(
        member=user, day=DAY, prop="yoga-block", unbroken_minutes=Decimal("3.5"), tension=False
    )
    log = StretchLog.objects.get(member=user)
    assert (log.prop, log.unbroken_minutes, log.tension) == ("yoga-block", Decimal("3.5"), False)


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
