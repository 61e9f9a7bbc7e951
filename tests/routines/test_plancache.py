import re
from datetime import UTC, date, datetime, timedelta
from http import HTTPStatus

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from members.services import profile_for, profile_update
from routines.models import DailySession, LogEntry, Routine, StretchLog
from smrsite import pagecache
from techniques.models import Technique
from tests.factories import LogEntryFactory, RoutineFactory

pytestmark = pytest.mark.django_db
DAY = date(2026, 3, 2)
TODAY = "/routine/?date=2026-03-02"
CACHE = pagecache.HIT_HEADER
LOG = {
    "form-TOTAL_FORMS": "1",
    "form-INITIAL_FORMS": "1",
    "form-0-technique": "glute-ball-roll",
    "form-0-status": "done",
    "form-0-sensitivity": "less",
    "form-0-movement": "better",
}


def _csrf_token(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())[1]


def _without_tokens(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_a_second_visit_is_served_from_the_cache(auth_client, routine):
    """The page is built once, then served as it was, with a fresh CSRF token."""
    first, second = auth_client.get(TODAY), auth_client.get(TODAY)
    assert (first[CACHE], second[CACHE]) == ("miss", "hit")
    assert _without_tokens(second) == _without_tokens(first)
    assert "csrf-slot" not in second.content.decode()


def test_after_logging_the_page_shows_what_was_logged(auth_client, routine):
    """A log submission is on the very next page, never a page stored before it."""
    auth_client.get(TODAY)
    assert "Logged today: done" not in auth_client.get(TODAY).content.decode()
    after = auth_client.post("/routine/log/?date=2026-03-02", LOG, follow=True)
    assert CACHE not in after  # a message is shown: nothing read or stored
    assert "Logged today: done" in after.content.decode()
    again = auth_client.get(TODAY)
    assert again[CACHE] == "miss"
    assert "Logged today: done" in again.content.decode()


def _settings_post(client) -> dict:
    form = client.get("/routine/settings/").context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, list):
            data[name] = [getattr(v, "pk", v) for v in value]
        elif value not in (None, False, ""):
            data[name] = value
    return {**data, "per_day": 3}


WRITES = {
    "stretch": lambda client: client.post(
        "/routine/log/?date=2026-03-02",
        {
            "form-TOTAL_FORMS": "0",
            "form-INITIAL_FORMS": "0",
            "stretch-prop": "book",
            "stretch-unbroken_minutes": "3",
        },
    ),
    "pin": lambda client: client.post("/routine/pin/calf-roll/?date=2026-03-02"),
    "settings": lambda client: client.post("/routine/settings/", _settings_post(client)),
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_every_write_to_the_plan_drops_the_stored_page(auth_client, routine, write):
    """Stretch, pins and settings go through the services, which forget the page."""
    routine.tension = True
    routine.save()
    auth_client.get(TODAY)
    assert write(auth_client).status_code == HTTPStatus.FOUND
    assert CACHE not in auth_client.get(TODAY)  # shows the write's message
    assert auth_client.get(TODAY)[CACHE] == "miss"


def test_a_cycle_choice_drops_the_stored_page(auth_client, user, catalogue):
    """Applying a cycle warning's choice is a write like any other: the page is built again."""
    Routine.objects.filter(member=user).delete()
    RoutineFactory(
        member=user, regions=["hip", "thigh", "calves", "shoulder", "arms", "back", "foot"]
    )
    assert "One round takes" in auth_client.get(TODAY).content.decode()
    assert auth_client.get(TODAY)[CACHE] == "hit"
    response = auth_client.post("/routine/round/?date=2026-03-02", {"choice": "per-day"})
    assert response.status_code == HTTPStatus.FOUND
    assert CACHE not in auth_client.get(TODAY)  # shows the choice's message
    again = auth_client.get(TODAY)
    assert again[CACHE] == "miss"
    assert "One round takes" not in again.content.decode()


def test_a_note_changed_in_the_admin_shows_at_once(auth_client, admin_client, user, routine):
    """Admin edits bypass the services; the admin forgets the member's page itself."""
    entry = LogEntryFactory(
        member=user,
        technique=Technique.objects.get(slug="glute-ball-roll"),
        day=DAY - timedelta(days=1),
        note="before",
    )
    assert "before" in auth_client.get(TODAY).content.decode()
    response = admin_client.post(
        f"/admin/routines/logentry/{entry.pk}/change/",
        {
            "member": user.pk,
            "technique": entry.technique_id,
            "day": entry.day.isoformat(),
            "status": "done",
            "sensitivity": "less",
            "movement": "better",
            "note": "after",
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    assert "after" in auth_client.get(TODAY).content.decode()


def test_another_member_never_gets_someone_elses_page(
    auth_client, other_client, user, routine, other_routine
):
    """Each member's page is their own, however often the other's was served."""
    LogEntryFactory(
        member=user,
        technique=Technique.objects.get(slug="glute-ball-roll"),
        day=DAY - timedelta(days=2),
        note="ryan's own note",
    )
    auth_client.get(TODAY)
    assert auth_client.get(TODAY)[CACHE] == "hit"
    theirs = other_client.get(TODAY)
    assert theirs[CACHE] == "miss"
    assert "ryan's own note" not in theirs.content.decode()


def test_each_session_posts_with_its_own_token(user, routine):
    """A page stored in one session carries, in another, a token that other session accepts."""
    phone, laptop = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    phone.force_login(user)
    laptop.force_login(user)
    assert phone.get(TODAY)[CACHE] == "miss"
    served = laptop.get(TODAY)
    assert served[CACHE] == "hit"
    token = _csrf_token(served)
    assert token != _csrf_token(phone.get(TODAY))
    response = laptop.post("/routine/log/?date=2026-03-02", {**LOG, "csrfmiddlewaretoken": token})
    assert response.status_code == HTTPStatus.FOUND


def test_a_catalogue_change_drops_every_stored_page(auth_client, routine):
    """A technique edited (a new catalogue version) means the page is built again."""
    auth_client.get(TODAY)
    technique = Technique.objects.first()
    technique.summary = "Edited."
    technique.save()
    assert auth_client.get(TODAY)[CACHE] == "miss"


def test_a_new_release_builds_the_page_again(auth_client, routine, monkeypatch):
    """After a deploy, pages stored by the release before are not served."""
    auth_client.get(TODAY)
    monkeypatch.setattr(pagecache, "code_release", lambda: "next-release")
    assert auth_client.get(TODAY)[CACHE] == "miss"
    assert auth_client.get(TODAY)[CACHE] == "hit"


def test_the_page_turns_at_the_members_midnight(auth_client, user, routine, monkeypatch):
    """Without ?date=, a page stored before midnight in the member's zone is not served after."""
    profile_update(profile=profile_for(user), time_zone="Pacific/Auckland")
    # 23:59 on 1 March in Auckland, then 00:01 on 2 March there.
    before = datetime(2026, 3, 1, 10, 59, tzinfo=UTC)
    monkeypatch.setattr("routines.views.timezone.now", lambda: before)
    assert "Sunday 1 March" in auth_client.get("/routine/").content.decode()
    monkeypatch.setattr("routines.views.timezone.now", lambda: before + timedelta(minutes=2))
    after = auth_client.get("/routine/")
    assert after[CACHE] == "miss"
    assert "Monday 2 March" in after.content.decode()


def test_a_time_zone_changed_on_the_profile_drops_the_page(auth_client, user, routine):
    """The profile page saves the time zone outside routines; the page still follows it."""
    auth_client.get("/routine/")
    profile_update(profile=profile_for(user), time_zone="America/Los_Angeles")
    assert auth_client.get("/routine/")[CACHE] == "miss"


def test_a_stored_page_costs_the_same_queries_however_long_the_history(auth_client, user, routine):
    """Served from the cache, the page reads nothing of the plan: only the signed-in user."""
    auth_client.get(TODAY)
    with CaptureQueriesContext(connection) as short:
        assert auth_client.get(TODAY)[CACHE] == "hit"
    technique = Technique.objects.get(slug="calf-roll")
    for back in range(1, 365):
        LogEntry.objects.create(
            member=user, technique=technique, day=DAY - timedelta(days=back), status="skipped"
        )
        DailySession.objects.create(routine=routine, day=DAY - timedelta(days=back))
        StretchLog.objects.create(
            member=user, day=DAY - timedelta(days=back), prop="book", unbroken_minutes=1
        )
    # The rows are the member's own: writing them made the stored page stale.
    assert auth_client.get(TODAY)[CACHE] == "miss"
    with CaptureQueriesContext(connection) as long:
        assert auth_client.get(TODAY)[CACHE] == "hit"
    assert len(long.captured_queries) == len(short.captured_queries)
    assert not any("routines_" in q["sql"] for q in long.captured_queries)


def test_without_a_shared_cache_nothing_is_stored(auth_client, routine, settings):
    """Where the page cache is off (a cache per process), so is this one."""
    settings.ROUTINES_TODAY_CACHE_SECONDS = 0
    auth_client.get(TODAY)
    assert CACHE not in auth_client.get(TODAY)
