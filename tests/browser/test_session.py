"""The guided session on a phone: timers, going offline before the end, the log sent once."""

import os
import re
from datetime import date, timedelta

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from members.models import Profile
from routines.models import DailySession, LogEntry, LogSubmission
from routines.views import ALL_DONE
from techniques.models import Technique
from tests.browser.a11y import page_problems
from tests.browser.keyboard import Keyboard
from tests.browser.steps import PASSWORD, answer, sign_in
from tests.browser.test_csp import CspWatch
from tests.factories import RoutineFactory, UserFactory

pytestmark = pytest.mark.browser

DAY = date(2026, 3, 2)
AT = f"?date={DAY.isoformat()}"
FIRST_DAY = ["glute-ball-roll", "side-hip-ball-press"]
# A folder to keep screenshots of the session's screens in, to look at them.
SHOTS = os.environ.get("SESSION_SCREENSHOTS")


@pytest.fixture(autouse=True)
def _allow_date_override(settings):
    settings.ROUTINES_ALLOW_DATE_OVERRIDE = True


@pytest.fixture
def member(site):
    user = UserFactory(username="sam", email="sam@example.com")
    user.set_password(PASSWORD)
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    Profile.objects.create(user=user, display_name="Sam")
    RoutineFactory(member=user, start_date=DAY)
    return user


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{page.viewport_size['width']}-{name}.png", full_page=True)


def _current(page):
    return page.locator("[data-step]:not([hidden])")


def _run_timer(page, slug: str) -> None:
    """Start an item's hold timer and let Playwright's clock run it out, side by side."""
    technique = Technique.objects.get(slug=slug)
    step = page.locator(f"#step-{slug}")
    announce = step.locator("[data-part=announce]")
    step.get_by_role("button", name="Start", exact=True).click()
    expect(announce).to_contain_text("started")
    if technique.per_side:
        page.clock.fast_forward(technique.duration_seconds * 1000 + 500)
        expect(announce).to_have_text("Switch sides now. Side 2 of 2.")
        expect(step.locator("[data-part=side]")).to_have_text("Side 2 of 2")
    page.clock.fast_forward(technique.duration_seconds * 1000 + 500)
    expect(announce).to_have_text("Time is up. Well done.")


def test_a_session_saved_offline_is_sent_once_when_back_online(site, page, member):
    """Start the session at 390 px, run each hold timer with a fast clock, go offline before
    the end, save the log, come back online: the log is stored once and the plan moves on."""
    watch = CspWatch(page)
    sign_in(page, site, member.email)
    page.clock.install()
    watch.visit(f"{site.url}/routine/session/{AT}")
    expect(page.get_by_role("heading", name="Today’s session: Hip", level=1)).to_be_visible()
    session = page.locator("[data-session]")
    expect(session).to_have_attribute("data-offline", "ready")
    _shot(page, "session-start")

    page.get_by_role("button", name="Start the session").click()
    # Each screen slides in, unless reduced motion is asked for (the accessibility test).
    assert _current(page).evaluate("(el) => getComputedStyle(el).animationName") == "session-in"
    for n, slug in enumerate(FIRST_DAY):
        heading = _current(page).get_by_role("heading", level=2)
        expect(heading).to_have_text(Technique.objects.get(slug=slug).name)
        expect(heading).to_be_focused()
        expect(_current(page).locator("figure.illustration svg")).to_be_visible()
        _run_timer(page, slug)
        if n == 0:
            _shot(page, "session-item")
            # Back and Next go both ways.
            _current(page).get_by_role("button", name="Next item").click()
            _current(page).get_by_role("button", name="Back").click()
            expect(_current(page).get_by_role("heading", level=2)).to_have_text("Glute Ball Roll")
            _current(page).get_by_role("button", name="Next item").click()

    # The signal drops on the floor before the log is saved.
    page.context.set_offline(True)
    _current(page).get_by_role("button", name="Next: your log").click()
    expect(page.get_by_role("heading", name=re.compile("Your log for"), level=2)).to_be_focused()
    for slug in FIRST_DAY:
        item = page.locator(f"[data-log-item={slug}]")
        # Each timer that ran out ticked its item off as done (the question's button says so).
        expect(item.get_by_role("button", name="Did you do it?")).to_have_accessible_name(
            re.compile("Did you do it\\? Done$")
        )
        answer(item, "How does the area feel now?", "Less sensitive")
        answer(item, "How does it move?", "Moves better")
    page.locator("[data-log-item=side-hip-ball-press] textarea").fill("Easy on the right side")
    _shot(page, "session-log")
    page.get_by_role("button", name="Save today’s log").click()
    saved = page.locator("[data-part=saved]")
    expect(saved).to_contain_text("Saved on this phone")
    assert not LogEntry.objects.exists()
    assert page.evaluate("SMRLogQueue.all().then((entries) => entries.length)") == 1
    _shot(page, "session-queued")

    page.context.set_offline(False)
    # Back online the queue is sent at once, and again every 20 s until the server answers.
    page.clock.fast_forward(20_000)
    expect(saved).to_contain_text(ALL_DONE)
    assert page.evaluate("SMRLogQueue.all().then((entries) => entries.length)") == 0
    entries = LogEntry.objects.filter(member=member, day=DAY)
    assert sorted(entries.values_list("technique__slug", "status")) == [
        ("glute-ball-roll", "done"),
        ("side-hip-ball-press", "done"),
    ]
    assert entries.get(technique__slug="side-hip-ball-press").note == "Easy on the right side"
    [submission] = LogSubmission.objects.filter(member=member)
    assert DailySession.objects.get(routine__member=member, day=DAY).finished

    # The phone never heard the answer and sends the same log again: nothing changes.
    again = page.evaluate(
        """async (key) => {
          const data = new FormData(document.querySelector('[data-log-form]'));
          data.set('key', key);
          const response = await fetch(document.querySelector('[data-log-form]').action, {
            method: 'POST', headers: {Accept: 'application/json'}, body: new URLSearchParams(data)
          });
          const replayed = response.headers.get('Idempotent-Replayed');
          return {replayed, answer: await response.json()};
        }""",
        submission.key,
    )
    assert again == {"replayed": "true", "answer": submission.answer}
    assert LogEntry.objects.filter(member=member).count() == 2
    assert LogSubmission.objects.filter(member=member).count() == 1
    watch.check("the session")

    # The plan moved on: today is done, tomorrow is the next step of the hip.
    page.goto(f"{site.url}/routine/{AT}")
    expect(page.get_by_text("all done today")).to_be_visible()
    page.goto(f"{site.url}/routine/session/?date={(DAY + timedelta(days=1)).isoformat()}")
    slugs = page.locator("[data-step][data-slug]").evaluate_all(
        "(steps) => steps.map((s) => s.dataset.slug)"
    )
    assert slugs
    assert set(slugs) != set(FIRST_DAY)


def test_the_session_opens_offline_once_it_has_been_opened(site, page, member):
    """The service worker keeps the page and its files: offline, a reload still shows the
    session, styled and working."""
    sign_in(page, site, member.email)
    page.goto(f"{site.url}/routine/session/{AT}")
    expect(page.locator("[data-session]")).to_have_attribute("data-offline", "ready")
    page.context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", name="Today’s session: Hip", level=1)).to_be_visible()
    # The session's own stylesheet and script came from the kept copies.
    assert page.locator(".session-nav").first.evaluate("(el) => getComputedStyle(el).position") == (
        "sticky"
    )
    page.get_by_role("button", name="Start the session").click()
    expect(_current(page).get_by_role("heading", level=2)).to_have_text("Glute Ball Roll")


def test_the_session_screens_pass_the_accessibility_checks(site, page, member):
    """axe-core, headings, focus rings and target sizes on the start, an item and the log,
    with reduced motion asked for: no animation plays."""
    sign_in(page, site, member.email)
    page.emulate_media(reduced_motion="reduce")
    page.goto(f"{site.url}/routine/session/{AT}")
    problems = {"start": page_problems(page, phone=True)}
    page.get_by_role("button", name="Start the session").click()
    assert _current(page).evaluate("(el) => getComputedStyle(el).animationName") == "none"
    problems["item"] = page_problems(page, phone=True)
    while not page.locator("#step-log").is_visible():
        _current(page).locator("[data-go=next]").click()
    problems["log"] = page_problems(page, phone=True)
    page.get_by_role("button", name="Save today’s log").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing to save")
    expect(page.get_by_role("alert")).to_be_focused()
    assert {where: found for where, found in problems.items() if found} == {}


def test_the_whole_session_works_from_the_keyboard(site, page, member):
    """Tab, Space and Enter alone: start, run each timer, move on, fill in the log, save."""
    sign_in(page, site, member.email)
    page.clock.install()
    kb = Keyboard(page)
    kb.start_page(f"{site.url}/routine/session/{AT}")
    kb.activate(page.get_by_role("button", name="Start the session"))
    for slug in FIRST_DAY:
        technique = Technique.objects.get(slug=slug)
        step = page.locator(f"#step-{slug}")
        expect(step.get_by_role("heading", level=2)).to_be_focused()
        kb.activate(step.get_by_role("button", name="Start", exact=True), key="Space")
        expect(step.get_by_role("button", name="Pause")).to_be_focused()
        page.clock.fast_forward(technique.duration_seconds * 1000 + 500)
        page.clock.fast_forward(technique.duration_seconds * 1000 + 500)
        expect(step.locator("[data-part=announce]")).to_have_text("Time is up. Well done.")
        kb.activate(step.locator("[data-go=next]"))
    expect(page.locator("#log-heading")).to_be_focused()
    for slug in FIRST_DAY:
        item = page.locator(f"[data-log-item={slug}]")
        # The finished timer answered "Done"; Space on each feedback question's one button
        # picks its first answer.
        kb.tab_to(item.get_by_role("button", name="Did you do it?"))
        kb.activate(item.get_by_role("button", name="How does the area feel now?"), key="Space")
        kb.activate(item.get_by_role("button", name="How does it move?"), key="Space")
        expect(item.get_by_role("button", name="How does it move?")).to_have_accessible_name(
            re.compile("Moves better$")
        )
    kb.activate(page.get_by_role("button", name="Save today’s log"))
    expect(page.locator("[data-part=saved]")).to_contain_text(ALL_DONE)
    assert LogEntry.objects.filter(member=member, day=DAY, status="done").count() == 2


def test_a_log_queued_offline_is_sent_when_any_page_opens_later(site, page, member):
    """Saved offline, the session closed: back online, opening another page of the site
    lets the service worker send the waiting log."""
    sign_in(page, site, member.email)
    page.goto(f"{site.url}/routine/session/{AT}")
    expect(page.locator("[data-session]")).to_have_attribute("data-offline", "ready")
    page.get_by_role("button", name="Start the session").click()
    while not page.locator("#step-log").is_visible():
        _current(page).locator("[data-go=next]").click()
    answer(page.locator("[data-log-item=glute-ball-roll]"), "Did you do it?", "Skipped")
    page.context.set_offline(True)
    page.get_by_role("button", name="Save today’s log").click()
    expect(page.locator("[data-part=saved]")).to_contain_text("Saved on this phone")
    other = page.context.new_page()
    page.close()
    other.context.set_offline(False)
    other.goto(f"{site.url}/techniques/")
    # The worker empties the phone's queue once the server has answered. (The database
    # is read only then: SQLite's shared in-memory test database locks a table that is
    # read while the server writes it.)
    assert _queued_after_sending(other) == 0
    # The page closed mid-send may still have its own send of the same key in the
    # server: wait until the key's record is committed, then check it saved once.
    assert _settled(other, lambda: LogSubmission.objects.filter(member=member).count()) == 1
    assert list(LogEntry.objects.filter(member=member).values_list("status", flat=True)) == [
        "skipped"
    ]


QUEUED_JS = """() => new Promise((resolve) => {
  const open = indexedDB.open('smr-session');
  open.onsuccess = () => {
    const request = open.result.transaction('logs').objectStore('logs').count();
    request.onsuccess = () => resolve(request.result);
  };
})"""


def _settled(page, count, *, tries: int = 50) -> int:
    """``count()`` once it is no longer 0, or 0 after ``tries`` waits of 200 ms."""
    for _ in range(tries):
        found = count()
        if found:
            return found
        page.wait_for_timeout(200)
    return 0


def _queued_after_sending(page, *, tries: int = 50) -> int:
    """How many logs the phone's queue holds, once the sender has had a moment to empty it."""
    for _ in range(tries):
        count = page.evaluate(QUEUED_JS)
        if count == 0:
            return 0
        page.wait_for_timeout(200)
    return count


def test_chromium_finds_the_session_installable(site, page, member):
    """Chromium's own installability check finds nothing missing: manifest, icons, worker."""
    sign_in(page, site, member.email)
    page.goto(f"{site.url}/routine/session/{AT}")
    expect(page.locator("[data-session]")).to_have_attribute("data-offline", "ready")
    devtools = page.context.new_cdp_session(page)
    manifest = devtools.send("Page.getAppManifest")
    assert manifest["errors"] == []
    assert manifest["url"].endswith("/routine/session/app.webmanifest")
    errors = devtools.send("Page.getInstallabilityErrors")["installabilityErrors"]
    # Playwright's browser contexts are private windows, where nothing can be installed.
    assert [error["errorId"] for error in errors if error["errorId"] != "in-incognito"] == []
