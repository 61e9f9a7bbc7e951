import json
import re
from datetime import date, timedelta
from http import HTTPStatus

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from routines.models import DailySession, LogEntry, LogSubmission, StretchLog
from routines.session import BAD_DAY_ERROR, BAD_KEY_ERROR, OTHER_MEMBER_ERROR
from routines.session_views import OFFLINE_ASSETS, REPLAYED_HEADER
from routines.views import ALL_DONE, NOTHING_LOGGED
from techniques.models import Technique
from tests.factories import RoutineFactory

pytestmark = pytest.mark.django_db
DAY = date(2026, 3, 2)
AT = f"?date={DAY.isoformat()}"
SESSION = "/routine/session/" + AT
LOG = "/routine/session/log/" + AT
KEY = "0f8fad5b-d9cb-469f-a165-70867728950e"
JSON = {"HTTP_ACCEPT": "application/json"}
DONE_WELL = {"status": "done", "sensitivity": "less", "movement": "better"}
FIRST_DAY = ["glute-ball-roll", "side-hip-ball-press"]


def _log(items: dict[str, dict], *, key: str = KEY, day: date | str = DAY, **extra) -> dict:
    data = {
        "key": key,
        "day": str(day),
        "form-TOTAL_FORMS": str(len(items)),
        "form-INITIAL_FORMS": str(len(items)),
    }
    for n, (slug, values) in enumerate(items.items()):
        data[f"form-{n}-technique"] = slug
        data.update({f"form-{n}-{name}": value for name, value in values.items()})
    data.update(extra)
    return data


def _all_done(**extra) -> dict:
    return _log(dict.fromkeys(FIRST_DAY, DONE_WELL), **extra)


def test_the_session_shows_each_item_with_its_picture_steps_and_timer(auth_client, routine):
    """One screen per item: name, position picture, numbered steps, pressure cue, hold timer."""
    response = auth_client.get(SESSION)
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert re.findall(r'data-slug="([a-z0-9-]+)"', html) == FIRST_DAY
    for slug in FIRST_DAY:
        step = html.split(f'id="step-{slug}"', 1)[1].split("</section>", 1)[0]
        assert '<figure class="illustration illustration-large">' in step
        assert '<ol class="steps">' in step
        assert "<li><p>" in step
        assert 'class="pressure"' in step
        # New to the member: the technique's cautions come first, as on "today".
        assert "<strong>Safety first:</strong>" in step
        assert 'data-hold-timer="hold"' in step
    assert 'name="key"' in html
    assert f'name="day" value="{DAY.isoformat()}"' in html
    assert '<link rel="manifest" href="/routine/session/app.webmanifest">' in html
    assert 'data-worker="/sw.js"' in html


def test_each_item_says_its_time_in_words(auth_client, routine):
    """ "About 90 seconds on each side", or "About 10 seconds" for a hold done once."""
    Technique.objects.filter(slug=FIRST_DAY[0]).update(duration_seconds=10, per_side=False)
    html = auth_client.get(SESSION).content.decode()
    first = html.split(f'id="step-{FIRST_DAY[0]}"', 1)[1].split("</section>", 1)[0]
    assert "About 10 seconds." in first
    second = html.split(f'id="step-{FIRST_DAY[1]}"', 1)[1].split("</section>", 1)[0]
    assert re.search(r"About \d+ seconds( on each side)?\.", second)


def test_a_newcomer_is_sent_to_onboarding_and_a_visitor_to_sign_in(auth_client, catalogue):
    """Without a routine the session sends to onboarding; signed out, to the sign-in page."""
    assert auth_client.get(SESSION)["Location"] == "/routine/start/"
    response = Client().get(SESSION)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/accounts/login/")


def test_the_session_page_costs_the_same_queries_for_two_or_three_items(auth_client, routine):
    """Three items a day cost no more queries than two (steps and tools come in one go each)."""
    auth_client.get(SESSION)  # the first visit reads the catalogue for the process
    with CaptureQueriesContext(connection) as two:
        auth_client.get(SESSION)
    routine.per_day = 3
    routine.save()
    with CaptureQueriesContext(connection) as three:
        html = auth_client.get(SESSION).content.decode()
    assert len(re.findall(r"data-slug=", html)) == 3
    assert len(three) == len(two)


def test_a_log_sent_twice_with_one_key_is_saved_once_and_answered_alike(auth_client, user, routine):
    """A second send of a key changes nothing, even with other answers; same reply as the first."""
    first = auth_client.post(LOG, _all_done(), **JSON)
    assert first.status_code == HTTPStatus.OK
    assert first[REPLAYED_HEADER] == "false"
    assert ALL_DONE in first.json()["messages"]
    assert first.json()["saved"] == FIRST_DAY

    changed = _log({slug: {"status": "skipped"} for slug in FIRST_DAY})
    second = auth_client.post(LOG, changed, **JSON)
    assert second.status_code == HTTPStatus.OK
    assert second[REPLAYED_HEADER] == "true"
    assert second.json() == first.json()
    entries = LogEntry.objects.filter(member=user, day=DAY)
    assert sorted(entries.values_list("technique__slug", "status")) == [
        (slug, "done") for slug in FIRST_DAY
    ]
    assert LogSubmission.objects.filter(member=user).count() == 1
    assert DailySession.objects.get(routine=routine, day=DAY).finished


def test_the_plan_moves_on_after_a_session_log(auth_client, routine):
    """After the whole day is logged from the session, tomorrow's plan is the next step."""
    auth_client.post(LOG, _all_done(), **JSON)
    tomorrow = (DAY + timedelta(days=1)).isoformat()
    html = auth_client.get(f"/routine/session/?date={tomorrow}").content.decode()
    slugs = re.findall(r'data-slug="([a-z0-9-]+)"', html)
    assert slugs
    assert slugs != FIRST_DAY


def test_a_new_key_updates_the_days_log(auth_client, user, routine):
    """Saving again from the session (a new key) corrects the log, one row per item and day."""
    auth_client.post(LOG, _log({"glute-ball-roll": DONE_WELL}), **JSON)
    auth_client.post(LOG, _log({"glute-ball-roll": {"status": "skipped"}}, key=KEY[::-1]), **JSON)
    assert list(LogEntry.objects.filter(member=user).values_list("status", flat=True)) == [
        "skipped"
    ]


def test_a_log_queued_yesterday_is_saved_for_yesterday(auth_client, user, routine):
    """A log made offline arrives the next day and still counts for the day it was made."""
    next_day = (DAY + timedelta(days=1)).isoformat()
    response = auth_client.post(f"/routine/session/log/?date={next_day}", _all_done(), **JSON)
    assert response.status_code == HTTPStatus.OK
    assert set(LogEntry.objects.filter(member=user).values_list("day", flat=True)) == {DAY}


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (_all_done(key="short"), BAD_KEY_ERROR),
        (_all_done(key=""), BAD_KEY_ERROR),
        (_all_done(day=DAY + timedelta(days=1)), BAD_DAY_ERROR),
        (_all_done(day=DAY - timedelta(days=5)), BAD_DAY_ERROR),
        (_all_done(day="2026-13-45"), BAD_DAY_ERROR),
        (_log({"glute-ball-roll": {"status": "not-yet"}}), None),
        (_log({"glute-ball-roll": {"status": ""}}), NOTHING_LOGGED),
        (_log({"quads-roll": DONE_WELL}), "not on your plan today"),
        (_log({"glute-ball-roll": {"status": "done"}}), "Glute Ball Roll: Say how the area"),
        (_all_done(**{"form-TOTAL_FORMS": "x"}), None),
        (_log({}, **{"stretch-unbroken_minutes": "5"}), NOTHING_LOGGED),
    ],
)
def test_a_bad_log_gets_a_clear_error_and_keeps_no_key(auth_client, user, routine, data, error):
    """Bad keys, days, items and feedback answer 400 with the reason; nothing is stored."""
    response = auth_client.post(LOG, data, **JSON)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    errors = response.json()["errors"]
    assert errors
    if error:
        assert any(error in line for line in errors), errors
    assert not LogSubmission.objects.exists()
    assert not LogEntry.objects.exists()


def test_the_stretch_minutes_are_logged_when_the_stretch_is_on_the_plan(
    auth_client, user, catalogue
):
    """With tension, the daily stretch is on the plan and its minutes go into the stretch log."""
    RoutineFactory(member=user, start_date=DAY, tension=True)
    html = auth_client.get(SESSION).content.decode()
    assert 'name="stretch-unbroken_minutes"' in html
    data = _all_done(**{"stretch-prop": "book", "stretch-unbroken_minutes": "3.5"})
    response = auth_client.post(LOG, data, **JSON)
    assert response.status_code == HTTPStatus.OK, response.content
    assert response.json()["stretch_minutes"] == "3.5"
    log = StretchLog.objects.get(member=user, day=DAY)
    assert (log.prop, float(log.unbroken_minutes)) == ("book", 3.5)


def test_without_javascript_the_log_form_saves_and_shows_today(auth_client, user, routine):
    """A plain form post (no JSON asked) saves and goes to "today" with the messages."""
    response = auth_client.post(LOG, _all_done(), follow=True)
    assert response.redirect_chain[-1][0] == "/routine/" + AT
    assert ALL_DONE in response.content.decode()
    assert LogEntry.objects.filter(member=user, day=DAY).count() == 2


def test_the_log_needs_a_csrf_token(user, routine):
    """Posted from elsewhere without the page's token, the log is refused."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post(LOG, _all_done(), **JSON).status_code == HTTPStatus.FORBIDDEN
    assert not LogEntry.objects.exists()


def test_the_service_worker_is_served_from_the_root_and_never_cached(client):
    """/sw.js is JavaScript naming the session page and every file the session needs."""
    response = client.get("/sw.js")
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    source = response.content.decode()
    assets = json.loads(re.search(r"const ASSETS = (\[.*?\]);", source)[1])
    assert assets == [f"/static/{path}" for path in OFFLINE_ASSETS]
    assert 'const PAGE = "/routine/session/";' in source
    assert re.search(r'const VERSION = "[0-9a-f]{12}";', source)


def test_every_file_the_service_worker_keeps_exists(client):
    """A missing file would make the worker's install fail, and the page would not work offline."""
    for path in OFFLINE_ASSETS:
        assert client.get(f"/static/{path}").status_code == HTTPStatus.OK, path


def test_the_manifest_opens_the_session_with_our_icons(client):
    """The app manifest starts at the session, standalone, with 192 and 512 px icons."""
    response = client.get("/routine/session/app.webmanifest")
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["start_url"] == "/routine/session/"
    assert manifest["display"] == "standalone"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == HTTPStatus.OK


def test_a_log_made_by_another_member_waits_for_them(auth_client, user, routine, other_user):
    """A log queued on a shared phone by someone else is refused with 409 and saves nothing."""
    response = auth_client.post(LOG, _all_done(member=str(other_user.pk)), **JSON)
    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json()["errors"] == [OTHER_MEMBER_ERROR]
    assert not LogEntry.objects.exists()
    mine = auth_client.post(LOG, _all_done(member=str(user.pk)), **JSON)
    assert mine.status_code == HTTPStatus.OK


def test_today_links_to_the_session(auth_client, routine):
    """ "Start today's session" on "today" opens the session for the same day."""
    html = auth_client.get("/routine/" + AT).content.decode()
    assert f'href="/routine/session/{AT}">Start today’s session</a>' in html
