"""Counts and dates read as people write them: "1 day finished", "3 minutes", "2 March"."""

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.utils import translation

from routines import documents, selectors
from routines.models import DailySession, StretchLog
from smrsite.wording import day_name, day_text, minutes
from techniques.models import Technique
from tests.factories import LogEntryFactory
from tests.routines.conftest import DAY


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("3.0"), "3 minutes"),
        (Decimal("1.0"), "1 minute"),
        (Decimal("2.5"), "2.5 minutes"),
        (Decimal("0.5"), "0.5 minutes"),
        (5, "5 minutes"),
    ],
)
def test_minutes_drop_a_bare_decimal_and_agree_in_number(value, text):
    """Whole minutes have no ".0"; one minute is singular."""
    assert minutes(value) == text


def test_days_are_written_out():
    """A day in a sentence is named, never ISO."""
    assert day_name(date(2026, 12, 8)) == "Tuesday 8 December"


def test_a_day_written_once_is_written_again_in_each_language_asked_for():
    """Days are written once per process, but never in the language of an earlier request."""
    day = date(2026, 12, 8)
    assert day_text(day, "l j F") == "Tuesday 8 December"
    with translation.override("de"):
        assert day_text(day, "l j F") == "Dienstag 8 Dezember"
        assert day_name(day) == "Dienstag 8 Dezember"
    assert day_text(day, "l j F") == "Tuesday 8 December"
    assert day_text(day, "j M") == "8 Dec"


def test_history_after_the_first_session(auth_client, user, routine):
    """One finished day and one technique done: singular words and no lone chart dot."""
    LogEntryFactory(member=user, technique=Technique.objects.get(slug="glute-ball-roll"), day=DAY)
    DailySession.objects.create(routine=routine, day=DAY, finished=True)
    StretchLog.objects.create(
        member=user, day=DAY, prop="book", unbroken_minutes=Decimal("3.0"), tension=True
    )
    page = auth_client.get(f"/routine/history/?date={DAY.isoformat()}").content.decode()
    assert "day finished" in page
    assert "days finished" not in page
    assert "technique done" in page
    assert "techniques done" not in page
    assert "One session so far, on 2 Mar: less sensitive, moves better." in page
    assert "<svg" not in page.split("How each technique is going", 1)[1]
    assert "3 minutes on the hardcover book" in page
    assert "3.0" not in page


def test_the_stretch_logged_today_has_no_bare_decimal(auth_client, routine):
    """Saving 3 minutes of the stretch shows "3 minutes", not "3.0 minutes"."""
    routine.tension = True
    routine.save()
    response = auth_client.post(
        f"/routine/log/?date={DAY.isoformat()}",
        {
            "form-TOTAL_FORMS": "0",
            "form-INITIAL_FORMS": "0",
            "stretch-prop": "book",
            "stretch-unbroken_minutes": "3",
            "stretch-tension": "on",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Saved: the stretch." in page
    assert "Logged today: 3 minutes" in page
    assert "3.0 minutes" not in page


def test_a_one_item_day_in_the_calendar_says_one_item(routine):
    """The feed's event titles count items in words that agree with the number."""
    data = selectors.routine_data(routine, today=DAY)
    first, second = selectors.plan_upcoming(data)[:2]
    days = [replace(first, items=first.items[:1]), second]
    feed = documents.plan_calendar(
        data, days, site_url="http://testserver", stamp=datetime(2026, 3, 2, tzinfo=UTC)
    ).decode()
    assert "SUMMARY:SMR: Hip (1 item)" in feed
    assert f"SUMMARY:SMR: Hip ({len(second.items)} items)" in feed


@pytest.mark.parametrize(
    ("limit", "text"), [(1, "at least every day,"), (5, "at least every 5 days,")]
)
def test_the_cycle_warning_names_the_wait_in_words(limit, text):
    """A technique due daily comes round "every day", never "every 1 days"."""
    from django.template.loader import render_to_string

    from routines.scheduler import CycleReport

    report = CycleReport(days=limit + 3, limit=limit, late=("psoas-press",))
    html = render_to_string("routines/_cycle_warning.html", {"report": report, "choices": []})
    assert text in html
    assert "every 1 days" not in html
