import json
import re
from datetime import UTC, date, datetime, time
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from members.services import profile_for, profile_update
from routines.models import ReminderSent, Routine

pytestmark = pytest.mark.django_db


def _show_plan(*args) -> str:
    out = StringIO()
    call_command("show_plan", *args, stdout=out)
    return out.getvalue()


def test_show_plan_json_for_a_new_member_starts_with_the_hip(catalogue):
    """Without a username the plan starts at hip day 1 and follows the DESIGN.md shape."""
    days = json.loads(_show_plan("--days", "4", "--start", "2026-03-02", "--json"))
    assert days[0] == {
        "date": "2026-03-02",
        "region": "hip",
        "items": [
            {"slug": "glute-ball-roll", "role": "technique", "region": "hip"},
            {"slug": "side-hip-ball-press", "role": "technique", "region": "hip"},
        ],
    }
    assert days[2]["items"] == [
        {"slug": "front-hip-roll", "role": "technique", "region": "hip"},
        {"slug": "quads-roll", "role": "lead-in", "region": "thigh"},
        {"slug": "psoas-press", "role": "technique", "region": "hip"},
        {"slug": "supported-corpse-stretch", "role": "stretch", "region": "hip"},
    ]
    assert [d["date"] for d in days] == ["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"]
    assert days[3]["region"] == "thigh"


def test_show_plan_three_a_day_moves_through_regions_faster(catalogue):
    """With --per-day 3 the hip takes two days."""
    days = json.loads(
        _show_plan("--days", "3", "--start", "2026-03-02", "--per-day", "3", "--json")
    )
    assert [d["region"] for d in days] == ["hip", "hip", "thigh"]


def test_show_plan_for_a_member_follows_their_routine(user, routine):
    """With a username the plan uses the member's regions and place."""
    routine.region_links.filter(region__slug="hip").delete()
    days = json.loads(_show_plan("ryan", "--days", "1", "--start", "2026-03-02", "--json"))
    assert days[0]["region"] == "thigh"


def test_show_plan_prints_a_readable_table_with_reasons(catalogue):
    """Without --json each day is a line with its items and their reasons."""
    text = _show_plan("--days", "3", "--start", "2026-03-02")
    assert "Mon 2026-03-02  hip" in text
    assert re.search(r"\n  2\. quads-roll +lead-in +do before Psoas Press\n", text)
    assert re.search(r"\n  1\. glute-ball-roll +technique +hip: 0 of 6 done in this round\n", text)


def test_show_plan_for_an_unknown_user_is_a_clear_error(catalogue):
    """An unknown username stops with a CommandError naming it."""
    with pytest.raises(CommandError, match="No member with the username “ghost”"):
        _show_plan("ghost", "--days", "1")


def _remind(now: str) -> str:
    out = StringIO()
    call_command("send_reminders", "--now", now, stdout=out)
    return out.getvalue()


@pytest.fixture
def reminded(user, routine):
    routine.reminders_on = True
    routine.reminder_time = time(8, 0)
    routine.save()
    profile_update(profile=profile_for(user), time_zone="Europe/Berlin")
    return routine


def test_reminder_goes_once_per_local_day(reminded):
    """After the local reminder time one email goes; running again sends nothing."""
    assert "0 reminders" in _remind("2026-03-02T06:30:00+00:00")  # 07:30 in Berlin
    assert "1 reminder sent" in _remind("2026-03-02T07:05:00+00:00")  # 08:05 in Berlin
    assert "0 reminders" in _remind("2026-03-02T09:00:00+00:00")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ryan@example.com"]
    assert "Glute Ball Roll" in message.body
    assert "/routine/reminders/off/" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert ReminderSent.objects.get().day == date(2026, 3, 2)
    assert "1 reminder sent" in _remind("2026-03-03T07:05:00+00:00")


def test_reminder_day_follows_the_members_time_zone(user, reminded):
    """Late evening UTC is already tomorrow in Tokyo: the reminder is for the local day."""
    profile_update(profile=profile_for(user), time_zone="Asia/Tokyo")
    _remind("2026-03-02T23:30:00+00:00")  # 08:30 on 3 March in Tokyo
    assert ReminderSent.objects.get().day == date(2026, 3, 3)


def test_no_reminder_when_switched_off(reminded):
    """A member with reminders off gets nothing."""
    Routine.objects.filter(pk=reminded.pk).update(reminders_on=False)
    _remind("2026-03-02T12:00:00+00:00")
    assert mail.outbox == []


def test_the_stop_link_switches_reminders_off_without_signing_in(reminded):
    """The link from the email, confirmed with one button, turns reminders off."""
    _remind("2026-03-02T12:00:00+00:00")
    link = next(line for line in mail.outbox[0].body.splitlines() if "/reminders/off/" in line)
    path = link.split("testserver", 1)[-1] if "testserver" in link else link.split("8000", 1)[-1]
    client = Client(enforce_csrf_checks=True)
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 200
    reminded.refresh_from_db()
    assert not reminded.reminders_on


def test_a_forged_stop_link_is_404(reminded):
    """A made-up token switches nothing off."""
    assert Client().post("/routine/reminders/off/forged/").status_code == 404
    reminded.refresh_from_db()
    assert reminded.reminders_on


def test_now_needs_an_offset():
    """--now without a time zone is refused."""
    with pytest.raises(CommandError):
        call_command("send_reminders", "--now", "2026-03-02T08:00", stdout=StringIO())


def test_reminder_is_due_compares_local_time(reminded):
    """The reminder is due from the reminder time on, in the member's zone."""
    from routines.services import reminder_is_due

    assert not reminder_is_due(reminded, now=datetime(2026, 3, 2, 6, 59, tzinfo=UTC))
    assert reminder_is_due(reminded, now=datetime(2026, 3, 2, 7, 0, tzinfo=UTC))
