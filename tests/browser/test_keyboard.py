"""The site by keyboard alone: Tab, Shift+Tab, Space and Enter, never the mouse or arrows.

The first-week walk is a list of steps, each a function of the keyboard, the live site
and the newcomer, run in order in one browser session: ``FIRST_WEEK``, ending with a
day logged in one submit on "today" and a hold timer started there. Each step's key
presses are printed; the README records them.
"""

import re
from dataclasses import dataclass

import pytest
from django.core import mail
from playwright.sync_api import expect

from questions.models import Comment
from routines.models import LogEntry, Routine, StretchLog
from tests.browser.a11y import DESKTOP, PHONE
from tests.browser.keyboard import SKIP_TO_LOG, Keyboard, log_today
from tests.browser.steps import PASSWORD
from tests.browser.world import _member, sign_in

pytestmark = pytest.mark.browser

QUESTION = "Should the ball sit above or below the hip bone?"


@dataclass
class Newcomer:
    email: str = "keys@example.com"
    name: str = "Kay"


@pytest.fixture(params=[PHONE, DESKTOP], ids=["phone", "desktop"])
def viewport(request):
    return request.param


@pytest.fixture
def keyboard(browser, viewport):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield Keyboard(page)
    context.close()


def open_menu_if_folded(kb: Keyboard) -> None:
    """On a phone the header's links sit behind the menu button: open it by keyboard."""
    button = kb.page.get_by_role("button", name="Show menu")
    if button.is_visible():
        kb.activate(button)
        expect(kb.page.locator("#main-nav")).to_be_visible()


def use_the_hold_timer(kb: Keyboard, site, person: Newcomer) -> None:
    """On a technique page the hold timer is in reach of Tab, with nothing to open first."""
    kb.start_page(f"{site.url}/techniques/psoas-press/")
    timer = kb.page.get_by_role("group", name="Hold timer for Psoas Press")
    clock = timer.get_by_role("timer")
    shown = clock.inner_text()
    kb.activate(timer.get_by_role("button", name="Start"), key="Space")
    expect(timer.get_by_role("button", name="Pause")).to_be_focused()
    expect(clock).not_to_have_text(shown)  # counting down
    kb.press("Space")
    expect(timer.get_by_role("button", name="Resume")).to_be_visible()


def join(kb: Keyboard, site, person: Newcomer) -> None:
    """From the reply box of a technique page: join free, fill the form, press Join."""
    kb.activate(kb.page.locator("#respond").get_by_role("link", name="join free"))
    expect(kb.page.get_by_role("heading", name="Join SMR Coach")).to_be_visible()
    kb.fill(kb.page.get_by_label("Email"), person.email)
    kb.fill(kb.page.get_by_label("Display name"), person.name)
    kb.fill(kb.page.locator("input[name=password1]"), PASSWORD)
    kb.fill(kb.page.locator("input[name=password2]"), PASSWORD)
    kb.activate(kb.page.get_by_role("button", name="Join"))
    expect(kb.page.get_by_role("heading", name="Check your email")).to_be_visible()


def confirm_the_email(kb: Keyboard, site, person: Newcomer) -> None:
    """Open the emailed link (in the same browser) and confirm: signed in, back to ask."""
    [message] = [m for m in mail.outbox if person.email in m.to]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", message.body)[0]
    kb.start_page(site.url + "/accounts/" + link.split("/accounts/", 1)[1])
    kb.activate(kb.page.get_by_role("button", name="Confirm"))
    expect(kb.page.get_by_text(f"You have confirmed {person.email}")).to_be_visible()
    expect(kb.page).to_have_url(re.compile(r"/techniques/psoas-press/#respond$"))


def ask_a_question(kb: Keyboard, site, person: Newcomer) -> None:
    """Type the question in the reply box (a question is the default kind) and post it."""
    kb.fill(kb.page.get_by_label("Your comment"), QUESTION)
    kb.activate(kb.page.get_by_role("button", name="Post comment"))
    expect(kb.page.get_by_text("Thanks!")).to_be_visible()
    assert Comment.objects.get(author__email=person.email).body == QUESTION


def start_a_plan(kb: Keyboard, site, person: Newcomer) -> None:
    """Today's plan from the menu, then onboarding: add a region, say where it is tense."""
    open_menu_if_folded(kb)
    kb.activate(kb.page.get_by_role("link", name="Today’s plan"))
    expect(kb.page.get_by_role("heading", name="Start your daily plan")).to_be_visible()
    back = kb.page.get_by_role("checkbox", name="Back", exact=True)
    kb.activate(back, key="Space")
    expect(back).to_be_checked()
    tension = kb.page.get_by_role("checkbox", name=re.compile("tension in the front"))
    kb.activate(tension, key="Space")
    expect(tension).to_be_checked()
    kb.activate(kb.page.get_by_role("button", name="Make my plan"))
    expect(kb.page.get_by_role("heading", name=re.compile(r"^Today: "))).to_be_visible()


def log_a_day(kb: Keyboard, site, person: Newcomer) -> None:
    """The first day, from the page onboarding lands on: both techniques done with their
    feedback and the stretch's minutes, in one submit, in fewer than 25 presses."""
    before = kb.presses
    assert len(log_today(kb, minutes="2.5")) == 2
    expect(kb.page.get_by_text("Saved: 2 items and the stretch.")).to_be_visible()
    assert kb.presses - before < 25
    assert LogEntry.objects.filter(member__email=person.email, status="done").count() == 2
    assert StretchLog.objects.get(member__email=person.email).unbroken_minutes == 2.5


def time_a_hold_on_today(kb: Keyboard, site, person: Newcomer) -> None:
    """Back on "today" after saving: the first item's hold timer starts with Space."""
    kb.activate(kb.page.get_by_role("link", name=SKIP_TO_LOG))
    start = kb.page.locator("li.plan-item").first.get_by_role("button", name="Start")
    kb.activate(start, key="Space")
    pause = kb.page.locator("li.plan-item").first.get_by_role("button", name="Pause")
    expect(pause).to_be_focused()


FIRST_WEEK = [
    use_the_hold_timer,
    join,
    confirm_the_email,
    ask_a_question,
    start_a_plan,
    log_a_day,
    time_a_hold_on_today,
]


def test_the_first_week_by_keyboard_alone(site, keyboard, viewport):
    """Timer, join, confirm, ask, start a plan, log a day, time a hold on "today": every
    step with Tab, Space and Enter only."""
    person = Newcomer()
    counts = {}
    for step in FIRST_WEEK:
        before = keyboard.presses
        step(keyboard, site, person)
        counts[step.__name__] = keyboard.presses - before
    print(f"key presses at {viewport['width']} px: {counts}, characters typed: {keyboard.typed}")
    assert all(counts.values())


def test_three_a_day_is_chosen_at_onboarding_with_space(site, browser):
    """The daily maximum is a checkbox, not radios: Space picks 3 a day, no arrow key."""
    member = _member("tris")
    context = browser.new_context(viewport=PHONE)
    sign_in(context, site, member)
    kb = Keyboard(context.new_page())
    kb.start_page(f"{site.url}/routine/start/")
    three = kb.page.get_by_role("checkbox", name="3 techniques a day instead of 2")
    kb.activate(three, key="Space")
    expect(three).to_be_checked()
    kb.activate(kb.page.get_by_role("button", name="Make my plan"))
    expect(kb.page.get_by_role("heading", name=re.compile(r"^Today: "))).to_be_visible()
    assert Routine.objects.get(member=member).per_day == 3
    context.close()


def test_the_menu_closes_with_escape_and_gives_focus_back(site, browser):
    """On a phone, Escape shuts the open menu and puts focus back on the menu button."""
    context = browser.new_context(viewport=PHONE)
    kb = Keyboard(context.new_page())
    kb.start_page(f"{site.url}/")
    button = kb.page.get_by_role("button", name="Show menu")
    kb.activate(button)
    expect(kb.page.locator("#main-nav")).to_be_visible()
    techniques = kb.page.locator("#main-nav").get_by_role("link", name="Techniques")
    kb.tab_to(techniques)
    kb.press("Escape")
    expect(kb.page.locator("#main-nav")).to_be_hidden()
    expect(button).to_be_focused()
    expect(button).to_have_attribute("aria-expanded", "false")
    context.close()
