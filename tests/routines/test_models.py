from datetime import date

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from routines.models import LogEntry, Routine, StretchLog
from techniques.models import Technique
from tests.factories import LogEntryFactory

pytestmark = pytest.mark.django_db


def test_database_refuses_a_pace_other_than_two_or_three(routine):
    """per_day outside 2–3 is refused by a check constraint."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Routine.objects.filter(pk=routine.pk).update(per_day=4)


def test_one_log_entry_per_member_technique_and_day(user, catalogue):
    """A second entry for the same technique and day is refused by the database."""
    technique = Technique.objects.get(slug="psoas-press")
    LogEntryFactory(member=user, technique=technique, day=date(2026, 3, 2))
    with pytest.raises(IntegrityError), transaction.atomic():
        LogEntryFactory(
            member=user,
            technique=technique,
            day=date(2026, 3, 2),
            status="skipped",
            sensitivity="",
            movement="",
        )


def test_feedback_only_on_a_technique_done(user, catalogue):
    """A skipped entry with sensitivity is refused by a check constraint."""
    technique = Technique.objects.get(slug="psoas-press")
    with pytest.raises(IntegrityError), transaction.atomic():
        LogEntry.objects.create(
            member=user,
            technique=technique,
            day=date(2026, 3, 2),
            status="skipped",
            sensitivity="more",
        )


def test_unknown_status_is_refused(user, catalogue):
    """A status outside done/skipped is refused by a check constraint."""
    technique = Technique.objects.get(slug="psoas-press")
    with pytest.raises(IntegrityError), transaction.atomic():
        LogEntry.objects.create(
            member=user, technique=technique, day=date(2026, 3, 2), status="maybe"
        )


def test_one_stretch_log_per_day_and_known_props(user):
    """A member has at most one stretch log a day, and only with a known prop."""
    StretchLog.objects.create(member=user, day=date(2026, 3, 2), prop="book", unbroken_minutes=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        StretchLog.objects.create(
            member=user, day=date(2026, 3, 2), prop="book", unbroken_minutes=3
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        StretchLog.objects.create(
            member=user, day=date(2026, 3, 3), prop="pillow", unbroken_minutes=3
        )


def test_feed_tokens_are_unique_per_routine(routine, other_routine):
    """Two routines never share a feed token."""
    assert routine.feed_token != other_routine.feed_token
    with pytest.raises(IntegrityError), transaction.atomic():
        Routine.objects.filter(pk=other_routine.pk).update(feed_token=routine.feed_token)


def test_a_logged_technique_cannot_be_deleted(user, catalogue):
    """Deleting a technique a member logged is refused; the member's log stays."""
    technique = Technique.objects.get(slug="psoas-press")
    entry = LogEntryFactory(member=user, technique=technique, day=date(2026, 3, 2))
    with pytest.raises(ProtectedError), transaction.atomic():
        technique.delete()
    assert LogEntry.objects.filter(pk=entry.pk).exists()
