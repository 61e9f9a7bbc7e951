from datetime import date

import pytest
from django.db import IntegrityError

from routines.models import LogSubmission
from routines.submissions import log_submission_once

pytestmark = pytest.mark.django_db
DAY = date(2026, 3, 2)
KEY = "0f8fad5b-d9cb-469f-a165-70867728950e"


def test_the_same_key_twice_saves_once_and_answers_alike(user):
    """The second send of a key does not run the save and gets the first answer back."""
    calls = []

    def save():
        calls.append(1)
        return {"messages": [f"Saved {len(calls)}"]}

    first = log_submission_once(member=user, key=KEY, day=DAY, save=save)
    second = log_submission_once(member=user, key=KEY, day=DAY, save=save)
    assert calls == [1]
    assert (first.replayed, second.replayed) == (False, True)
    assert first.answer == second.answer == {"messages": ["Saved 1"]}
    assert LogSubmission.objects.filter(member=user, key=KEY).count() == 1


def test_another_key_saves_again(user):
    """A new log (pressing Save again) has a new key and is saved."""
    calls = []
    for key in (KEY, KEY[::-1]):
        log_submission_once(member=user, key=key, day=DAY, save=lambda: calls.append(1) or {})
    assert len(calls) == 2


def test_keys_belong_to_one_member(user, other_user):
    """Another member's send with the same key is their own log, saved and answered for them."""
    log_submission_once(member=user, key=KEY, day=DAY, save=lambda: {"who": "first"})
    other = log_submission_once(member=other_user, key=KEY, day=DAY, save=lambda: {"who": "other"})
    assert other.answer == {"who": "other"}
    assert not other.replayed


def test_a_failed_save_records_no_key(user):
    """When the save fails, the key is not kept, so the device can send the log again."""

    def broken():
        raise ValueError("database said no")

    with pytest.raises(ValueError, match="database said no"):
        log_submission_once(member=user, key=KEY, day=DAY, save=broken)
    assert not LogSubmission.objects.exists()
    again = log_submission_once(member=user, key=KEY, day=DAY, save=lambda: {"ok": True})
    assert again.answer == {"ok": True}


def test_a_send_that_loses_the_race_gets_the_winners_answer(user, monkeypatch):
    """When another send of the key commits between the look-up and the insert, this
    send's writes roll back and it answers with what the other send was told."""
    from routines import submissions
    from routines.models import StretchLog

    LogSubmission.objects.create(member=user, key=KEY, day=DAY, answer={"who": "winner"})
    real_find = submissions.log_submission_find
    looks = []

    def find_before_the_winner_commits(**kwargs):
        looks.append(1)
        return None if len(looks) == 1 else real_find(**kwargs)

    monkeypatch.setattr(submissions, "log_submission_find", find_before_the_winner_commits)

    def save():
        StretchLog.objects.create(member=user, day=DAY, prop="book", unbroken_minutes=2)
        return {"who": "loser"}

    result = log_submission_once(member=user, key=KEY, day=DAY, save=save)
    assert result.answer == {"who": "winner"}
    assert result.replayed
    assert not StretchLog.objects.exists()


def test_the_database_refuses_a_second_row_for_a_key(user):
    """The unique constraint, not only the code, keeps a member's key to one row."""
    LogSubmission.objects.create(member=user, key=KEY, day=DAY)
    with pytest.raises(IntegrityError):
        LogSubmission.objects.create(member=user, key=KEY, day=DAY)
