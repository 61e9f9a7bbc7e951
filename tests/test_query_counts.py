"""Every page costs the same number of queries with little data and with much more.

Each test measures the page's queries with a little data, adds more (more comments,
members, flags, days of log), and asserts the exact same count. The cache is cleared
before each request so a cached page never hides a query. Pages covered elsewhere:
the technique page for readers and members (tests/techniques/test_comments_views.py),
the catalogue over the whole shipped catalogue (tests/techniques/test_views.py) and
"today" (tests/routines/test_views.py).
"""

from datetime import date, timedelta
from http import HTTPStatus

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from questions.models import CommentFlag
from routines.models import DailySession, RoutinePass, StretchLog
from techniques.models import Region, Technique
from tests.factories import (
    CommentFactory,
    LogEntryFactory,
    ProfileFactory,
    RoutineFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
DAY = date(2026, 3, 2)
SIZES = ["small", "large"]


@pytest.fixture(autouse=True)
def _allow_date_override(settings):
    settings.ROUTINES_ALLOW_DATE_OVERRIDE = True


def _queries(client: Client, url: str) -> int:
    """The number of queries one GET of ``url`` makes (200 expected), with a cold cache."""
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == HTTPStatus.OK, url
    return len(captured.captured_queries)


def _assert_same(client, url, measured, django_assert_num_queries) -> None:
    cache.clear()
    with django_assert_num_queries(measured):
        response = client.get(url)
    assert response.status_code == HTTPStatus.OK


def _answered_threads(technique: Technique, count: int) -> None:
    """``count`` questions by different members, each with an answer marked."""
    for _ in range(count):
        author = ProfileFactory().user
        question = CommentFactory(technique=technique, author=author)
        question.answer = CommentFactory(parent=question, author=UserFactory(is_staff=True))
        question.answered_at = timezone.now()
        question.save()


def _technique(slug: str = "psoas-press") -> Technique:
    return Technique.objects.get(slug=slug)


@pytest.mark.parametrize("size", SIZES)
def test_home_query_count_is_constant(client, catalogue, django_assert_num_queries, size):
    """The home page (regions, recent answered questions) costs the same with 1 or 30."""
    _answered_threads(_technique(), 1)
    measured = _queries(client, "/")
    if size == "large":
        for slug in ("quads-roll", "psoas-press", "supported-corpse-stretch"):
            _answered_threads(_technique(slug), 10)
    _assert_same(client, "/", measured, django_assert_num_queries)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("url", ["/techniques/", "/techniques/?region=hip", "/techniques/?q=roll"])
def test_catalogue_query_count_is_constant_as_comments_grow(
    client, catalogue, django_assert_num_queries, size, url
):
    """The catalogue's comment counts come from one query, however many comments there are."""
    CommentFactory(technique=_technique())
    measured = _queries(client, url)
    if size == "large":
        for technique in Technique.objects.all()[:10]:
            CommentFactory.create_batch(5, technique=technique)
    _assert_same(client, url, measured, django_assert_num_queries)


@pytest.mark.parametrize("size", SIZES)
def test_staff_technique_page_query_count_is_constant(
    catalogue, staff_user, django_assert_num_queries, size
):
    """Staff see pending and hidden comments too, at the same cost for 2 comments or 60."""
    client = Client()
    client.force_login(staff_user)
    technique = _technique()
    url = technique.get_absolute_url()
    CommentFactory(technique=technique, status="pending")
    measured = _queries(client, url)
    if size == "large":
        for n in range(20):
            question = CommentFactory(technique=technique, status="published")
            reply = CommentFactory(parent=question, status="pending" if n % 2 else "hidden")
            CommentFactory(parent=reply)
    _assert_same(client, url, measured, django_assert_num_queries)


def _log_days(user, routine, days: range) -> None:
    """Two techniques a day, with sessions, a region pass every third day and some stretches."""
    techniques = list(Technique.objects.filter(region__slug__in=["hip", "thigh"]))
    regions = list(Region.objects.filter(slug__in=["hip", "thigh"]))
    for back in days:
        day = DAY - timedelta(days=back)
        region = regions[back // 3 % 2]
        if back % 3 == 0:
            RoutinePass.objects.create(routine=routine, region=region, since=day)
        for offset in range(2):
            LogEntryFactory(
                member=user,
                technique=techniques[(back + offset) % len(techniques)],
                day=day,
                note=f"note {back}" if back % 3 == 0 else "",
            )
        DailySession.objects.create(routine=routine, day=day, region=region, finished=True)
        if back % 5 == 0:
            StretchLog.objects.create(member=user, day=day, prop="book", unbroken_minutes=3)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("page", ["/routine/next/", "/routine/history/", "/routine/session/"])
def test_routine_pages_query_count_is_constant(
    auth_client, user, catalogue, django_assert_num_queries, size, page
):
    """The next 14 days, the history and the session cost the same with 1 day of log or 90
    (and 30 region passes)."""
    routine = RoutineFactory(member=user, start_date=DAY - timedelta(days=120))
    _log_days(user, routine, range(1, 2))
    url = f"{page}?date={DAY.isoformat()}"
    measured = _queries(auth_client, url)
    if size == "large":
        _log_days(user, routine, range(2, 91))
    _assert_same(auth_client, url, measured, django_assert_num_queries)


@pytest.mark.parametrize("size", SIZES)
def test_profile_query_count_is_constant(auth_client, user, django_assert_num_queries, size):
    """The profile page does not grow with the member's comments or the number of members."""
    ProfileFactory(user=user)
    measured = _queries(auth_client, "/accounts/profile/")
    if size == "large":
        ProfileFactory.create_batch(20)
        CommentFactory.create_batch(10, author=user)
    _assert_same(auth_client, "/accounts/profile/", measured, django_assert_num_queries)


@pytest.mark.parametrize("size", SIZES)
def test_staff_queue_query_count_is_constant(
    staff_user, catalogue, django_assert_num_queries, size
):
    """The moderation queue costs the same with one item of each kind or many."""
    client = Client()
    client.force_login(staff_user)
    technique = _technique()

    def add_items(count: int) -> None:
        for _ in range(count):
            author = ProfileFactory().user
            CommentFactory(technique=technique, author=author)  # unanswered question
            CommentFactory(technique=technique, author=author, status="pending")
            flagged = CommentFactory(technique=technique, kind="remark", author=author)
            for _ in range(2):
                CommentFlag.objects.create(comment=flagged, member=UserFactory(), reason="spam?")

    add_items(1)
    url = "/techniques/comments/queue/"
    measured = _queries(client, url)
    if size == "large":
        add_items(15)
    _assert_same(client, url, measured, django_assert_num_queries)
