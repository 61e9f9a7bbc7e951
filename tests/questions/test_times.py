"""Comment times: "3 hours ago" with the exact time in the reader's time zone."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from questions.times import posted_at, time_ago
from tests.factories import (
    CommentFactory,
    ProfileFactory,
    TechniqueFactory,
    UserFactory,
    client_for,
)

NOW = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("before", "words"),
    [
        (timedelta(0), "just now"),
        (timedelta(seconds=59), "just now"),
        (timedelta(seconds=-30), "just now"),
        (timedelta(minutes=1), "1 minute ago"),
        (timedelta(minutes=59, seconds=59), "59 minutes ago"),
        (timedelta(hours=1), "1 hour ago"),
        (timedelta(hours=3, minutes=40), "3 hours ago"),
        (timedelta(days=1), "1 day ago"),
        (timedelta(days=29), "29 days ago"),
        (timedelta(days=30), "1 month ago"),
        (timedelta(days=200), "6 months ago"),
        (timedelta(days=365), "1 year ago"),
        (timedelta(days=800), "2 years ago"),
    ],
)
def test_time_ago_says_the_largest_whole_unit(before, words):
    """Never "0 minutes ago"; one of a unit is singular, more are plural."""
    assert time_ago(NOW - before, NOW) == words


def test_the_exact_time_is_in_the_readers_zone():
    """Noon UTC in July is 13:00 in London (BST) and 08:00 in New York (EDT)."""
    assert posted_at(NOW, now=NOW, time_zone="Europe/London").exact == "1 Jul 2026, 13:00 BST"
    assert posted_at(NOW, now=NOW, time_zone="America/New_York").exact == "1 Jul 2026, 08:00 EDT"
    assert posted_at(NOW, now=NOW, time_zone="UTC").iso == "2026-07-01T12:00:00+00:00"


@pytest.fixture
def technique(db):
    technique = TechniqueFactory(name="Psoas Press", slug="psoas-press")
    CommentFactory(technique=technique, created_at=datetime(2026, 1, 15, 9, 30, tzinfo=UTC))
    return technique


def _time_element(page: str) -> str:
    start = page.index("<time ")
    return page[start : page.index("</time>", start)]


def test_a_member_reads_comment_times_in_their_own_zone(technique):
    """The tooltip has the exact time in the member's profile zone; no browser rewrite."""
    member = UserFactory(username="maya")
    ProfileFactory(user=member, time_zone="Asia/Tokyo", time_zone_chosen=True)
    element = _time_element(client_for(member).get(technique.get_absolute_url()).content.decode())
    assert 'title="15 Jan 2026, 18:30 JST"' in element
    assert 'datetime="2026-01-15T09:30:00+00:00"' in element
    assert "data-browser-zone" not in element
    assert "months ago" in element


def test_visitors_get_utc_for_their_browser_to_rewrite(technique):
    """A visitor's page says UTC and asks ``times.js`` for the browser's zone."""
    element = _time_element(Client().get(technique.get_absolute_url()).content.decode())
    assert 'title="15 Jan 2026, 09:30 UTC"' in element
    assert "data-browser-zone" in element


def test_members_who_never_picked_a_zone_get_their_browsers(technique):
    """A profile still on the default UTC is no choice: the browser's zone is a better guess."""
    member = UserFactory(username="maya")
    ProfileFactory(user=member)
    element = _time_element(client_for(member).get(technique.get_absolute_url()).content.decode())
    assert "data-browser-zone" in element


def test_members_in_different_zones_never_share_a_kept_thread(technique, settings):
    """The thread kept for one member is not served to another in another zone."""
    settings.PAGE_CACHE_SECONDS = 300
    tokyo, lima = UserFactory(username="tokyo"), UserFactory(username="lima")
    ProfileFactory(user=tokyo, time_zone="Asia/Tokyo", time_zone_chosen=True)
    ProfileFactory(user=lima, time_zone="America/Lima", time_zone_chosen=True)
    client_for(tokyo).get(technique.get_absolute_url())
    element = _time_element(client_for(lima).get(technique.get_absolute_url()).content.decode())
    assert 'title="15 Jan 2026, 04:30 -05"' in element


def test_a_new_time_zone_shows_at_once(technique, settings):
    """Changing the profile's zone changes the times on the member's next page."""
    from members.services import profile_update

    settings.PAGE_CACHE_SECONDS = 300
    member = UserFactory(username="maya")
    profile = ProfileFactory(user=member, time_zone="Asia/Tokyo", time_zone_chosen=True)
    reader = client_for(member)
    reader.get(technique.get_absolute_url())
    profile_update(profile=profile, time_zone="Europe/London")
    element = _time_element(reader.get(technique.get_absolute_url()).content.decode())
    assert 'title="15 Jan 2026, 09:30 GMT"' in element
