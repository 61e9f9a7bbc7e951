"""The day's log on "today" by keyboard, by screen reader and without JavaScript.

A member with hip-area tension on the first day of their plan: two techniques and the
Supported Corpse Stretch. Logged with Tab, Space and Enter alone (tests/browser/keyboard.py
refuses the arrow keys and the mouse) in fewer than 25 presses from page load; axe-core
with the WCAG 2.2 AA tags, headings, focus rings and targets in the page's normal,
error and logged states at 390 and 1280 px; Chromium's accessibility tree in reading
order; and the plain radios when JavaScript is off.
"""

import os
from datetime import date

import pytest
from playwright.sync_api import expect

from routines import services
from routines.forms import FEEDBACK_REQUIRED_ERROR
from routines.models import LogEntry, StretchLog
from routines.views import FIX_ERRORS
from techniques.models import Region, Tool
from tests.browser.a11y import DESKTOP, PHONE, page_problems, report
from tests.browser.keyboard import SKIP_TO_LOG, Keyboard, log_today
from tests.browser.world import _member, sign_in

pytestmark = pytest.mark.browser

DAY = date(2027, 1, 4)
TODAY = f"/routine/?date={DAY.isoformat()}"
TECHNIQUES = ["Glute Ball Roll", "Side Hip Ball Press"]
STRETCH = "Supported Corpse Stretch"
MAX_PRESSES = 25
# A folder to keep full-page screenshots of each state checked, to look at them.
SHOTS = os.environ.get("A11Y_SCREENSHOTS")

VIEWPORTS = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])


@pytest.fixture(autouse=True)
def _allow_date_override(settings):
    settings.ROUTINES_ALLOW_DATE_OVERRIDE = True


@pytest.fixture
def member(site):
    """Hip, thigh and calves, tension in the hips: day one is two techniques and the stretch."""
    person = _member("kay")
    services.routine_create(
        member=person,
        regions=[Region.objects.get(slug=s) for s in ("hip", "thigh", "calves")],
        tools=list(Tool.objects.all()),
        tension=True,
        start_date=DAY,
    )
    return person


def open_today(browser, site, member, viewport, **options):
    context = browser.new_context(viewport=viewport, **options)
    sign_in(context, site, member)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(site.url + TODAY)
    page.wait_for_load_state("load")
    return page


def item(page, name: str):
    return page.locator("li.plan-item", has=page.get_by_role("heading", name=name, level=2))


def log_the_day(kb: Keyboard) -> None:
    """The day's two techniques and the stretch, logged from page load (``log_today``)."""
    assert log_today(kb, minutes="3") == TECHNIQUES
    expect(kb.page.get_by_text("Saved: 2 items and the stretch.")).to_be_visible()


@VIEWPORTS
def test_a_day_is_logged_with_tab_space_and_enter_in_under_25_presses(
    browser, site, member, viewport
):
    """Two techniques done with their feedback and the stretch's minutes, saved at once,
    with no arrow key and no mouse, in fewer than 25 key presses from page load."""
    page = open_today(browser, site, member, viewport)
    kb = Keyboard(page)
    log_the_day(kb)
    print(f"logging the day at {viewport['width']} px: {kb.presses} key presses")
    assert kb.presses < MAX_PRESSES
    done = LogEntry.objects.filter(member=member, day=DAY, status="done")
    assert sorted(done.values_list("sensitivity", "movement")) == [("less", "better")] * 2
    assert StretchLog.objects.get(member=member, day=DAY).unbroken_minutes == 3
    page.context.close()


@VIEWPORTS
def test_the_hold_timer_starts_from_the_keyboard_with_nothing_to_open(
    browser, site, member, viewport
):
    """Each technique's timer is a Tab away; Reset appears only once the timer has run."""
    page = open_today(browser, site, member, viewport)
    kb = Keyboard(page)
    timer = page.get_by_role("group", name=f"Hold timer for {TECHNIQUES[0]}")
    expect(timer.get_by_role("button", name="Reset")).to_be_hidden()
    kb.activate(page.get_by_role("link", name=SKIP_TO_LOG))
    clock = timer.get_by_role("timer")
    shown = clock.inner_text()
    kb.activate(timer.get_by_role("button", name="Start"), key="Space")
    expect(timer.get_by_role("button", name="Pause")).to_be_focused()
    expect(clock).not_to_have_text(shown)  # counting down
    kb.press("Space")
    expect(timer.get_by_role("button", name="Resume")).to_be_visible()
    reset = timer.get_by_role("button", name="Reset")
    kb.tab_to(reset)
    kb.press("Enter")
    expect(timer.get_by_role("button", name="Start")).to_be_focused()
    assert kb.presses <= 8, kb.log
    page.context.close()


@VIEWPORTS
def test_a_mistake_is_summarised_at_the_top_and_each_link_reaches_its_answer(
    browser, site, member, viewport
):
    """Done without feedback: nothing saved, the summary has focus and names the item,
    its link lands on the question left open, which is invalid and described by its error."""
    page = open_today(browser, site, member, viewport)
    kb = Keyboard(page)
    kb.activate(page.get_by_role("link", name=SKIP_TO_LOG))
    first = TECHNIQUES[0]
    status = item(page, first).get_by_role("button", name=f"{first}: Did you do it?")
    kb.activate(status, key="Space")
    kb.activate(page.get_by_role("button", name="Save today’s log"))

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_have_accessible_name(FIX_ERRORS)
    assert page.title().startswith("Error: ")
    link = summary.get_by_role("link", name=f"{first}: {FEEDBACK_REQUIRED_ERROR}")
    expect(link).to_have_count(1)
    kb.tab_to(link)
    kb.press("Enter")
    feels = item(page, first).get_by_role("button", name="How does the area feel now?")
    expect(feels).to_be_focused()
    expect(feels).to_have_attribute("aria-invalid", "true")
    expect(feels).to_have_accessible_description(FEEDBACK_REQUIRED_ERROR)
    moves = item(page, first).get_by_role("button", name="How does it move?")
    expect(moves).to_have_attribute("aria-invalid", "true")
    # The answer given is kept; the other item, untouched, is not in error.
    expect(item(page, first).get_by_role("button", name="Did you do it?")).to_have_accessible_name(
        f"{first}: Did you do it? Done"
    )
    expect(page.locator("[aria-invalid=true]:visible")).to_have_count(2)
    expect(page.get_by_text(FEEDBACK_REQUIRED_ERROR, exact=True)).to_have_count(1)
    assert not LogEntry.objects.filter(member=member).exists()
    page.context.close()


def _shoot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/today-{name}.png", full_page=True)


@VIEWPORTS
def test_today_passes_axe_and_the_focus_checks_in_every_state(browser, site, member, viewport):
    """Normal, with errors, and logged: axe (WCAG 2.2 AA) finds nothing, headings go
    h1 → h2, every Tab stop shows the ring and is a 24 px target on a phone."""
    phone = viewport is PHONE
    page = open_today(browser, site, member, viewport)
    problems = {"normal": page_problems(page, phone=phone)}
    _shoot(page, f"{viewport['width']}-normal")

    first = item(page, TECHNIQUES[0])
    first.get_by_role("button", name="Did you do it?").click()
    page.get_by_role("button", name="Save today’s log").click()
    page.wait_for_load_state("load")
    expect(page.locator("[data-error-summary]")).to_be_visible()
    problems["errors"] = page_problems(page, phone=phone, errors=True)
    _shoot(page, f"{viewport['width']}-errors")

    page.goto(site.url + TODAY)
    log_the_day(Keyboard(page))
    problems["logged"] = page_problems(page, phone=phone)
    _shoot(page, f"{viewport['width']}-logged")
    page.context.close()
    assert {state: found for state, found in problems.items() if found} == {}, report(problems)


# The accessibility tree's roles a person meets moving through the page; the rest
# (generic containers, static text, list markers) is left out of the reading order.
READ_ROLES = {"heading", "button", "link", "textbox", "spinbutton", "combobox", "checkbox"}


def reading_order(page) -> list[str]:
    """Chromium's own accessibility tree (DevTools protocol), in document order."""
    cdp = page.context.new_cdp_session(page)
    nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    cdp.detach()
    by_id = {node["nodeId"]: node for node in nodes}
    order = []

    def walk(node):
        role = node.get("role", {}).get("value", "")
        name = node.get("name", {}).get("value", "")
        if not node.get("ignored") and role in READ_ROLES:
            order.append(f"{role} {name}".strip())
        for child in node.get("childIds", []):
            if child in by_id:
                walk(by_id[child])

    walk(nodes[0])
    return order


def _positions(order: list[str], expected: list[str]) -> list[int]:
    """Where each expected line starts an entry of the tree, searched onwards in turn."""
    found, start = [], 0
    for wanted in expected:
        at = next((n for n in range(start, len(order)) if order[n].startswith(wanted)), -1)
        assert at >= 0, f"“{wanted}” not found after “{order[start - 1] if start else ''}”"
        found.append(at)
        start = at + 1
    return found


def test_today_reads_in_order_in_chromiums_accessibility_tree(browser, site, member):
    """The skip link, the h1, then each item: its name, its timer, its questions (the
    feedback once it is done); the stretch's minutes before its timer; Save after every
    answer, then the handouts."""
    page = open_today(browser, site, member, PHONE)
    first = TECHNIQUES[0]
    item(page, first).get_by_role("button", name=f"{first}: Did you do it?").focus()
    page.keyboard.press("Space")
    order = reading_order(page)
    page.context.close()
    print("\n".join(order))  # the log keeps the tree, for the next screen-reader pass
    expected = ["link Skip to today’s log", "link Skip to the content", "heading Today: Hip"]
    expected += [
        f"heading {first}",
        "button Start",
        f"button {first}: Did you do it? Done",
        "button How does the area feel now? Not answered yet",
        "button How does it move? Not answered yet",
        "textbox Note for next time (optional)",
    ]
    second = TECHNIQUES[1]
    expected += [f"heading {second}", "button Start", f"button {second}: Did you do it? Not yet"]
    expected += [
        f"heading {STRETCH}",
        "spinbutton Unbroken, motionless minutes",
        "combobox Prop",
        "checkbox I still felt tension",
        "button Start lying still",
        "button Save today’s log",
        "heading Printable instructions",
    ]
    _positions(order, expected)
    form = order[order.index("heading Today: Hip") : order.index("button Save today’s log")]
    # Exactly these, with nothing read in between but links (names, handouts) and the
    # page's one beep box: no radio, no second Start, Reset only once a timer has run.
    assert [line for line in form if line.startswith("button")] == [
        "button Start",
        f"button {first}: Did you do it? Done",
        "button How does the area feel now? Not answered yet",
        "button How does it move? Not answered yet",
        "button Start",
        f"button {second}: Did you do it? Not yet",
        "button Start lying still",
    ]
    assert not any(line.startswith(("radio", "heading .")) for line in order)
    assert sum(line.startswith("checkbox Beep") for line in order) == 1  # one for the page


def test_the_technique_page_reads_its_timer_with_one_button_before_it_runs(browser, site):
    """The technique page's timer in Chromium's tree: named group, Start, its beep box;
    Reset joins only after a start."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{site.url}/techniques/psoas-press/")
    page.wait_for_load_state("load")
    order = reading_order(page)
    print("\n".join(order))
    _positions(
        order,
        [
            "heading Psoas Press",
            "heading Step by step",
            "button Start",
            "checkbox Beep",
            "heading How often",
            "heading Questions and answers",
        ],
    )
    assert "button Reset" not in order
    clock = page.get_by_role("timer")
    shown = clock.inner_text()
    page.get_by_role("button", name="Start").click()
    expect(clock).not_to_have_text(shown)
    page.get_by_role("button", name="Pause").click()
    assert "button Reset" in reading_order(page)
    context.close()


def test_without_javascript_the_log_is_plain_radios_that_save(browser, site, member):
    """With scripts off the questions are radio groups, the timers stay hidden behind
    their written times, and the day still saves."""
    page = open_today(browser, site, member, PHONE, java_script_enabled=False)
    first = item(page, TECHNIQUES[0])
    expect(first.get_by_role("button", name="Did you do it?")).to_have_count(0)
    expect(first.get_by_role("group", name=f"Hold timer for {TECHNIQUES[0]}")).to_be_hidden()
    expect(first.get_by_text("Hold about 90 seconds on each side.")).to_be_visible()
    first.get_by_role("radio", name="Done").check()
    first.get_by_role("radio", name="Less sensitive").check()
    first.get_by_role("radio", name="Moves better").check()
    page.get_by_role("button", name="Save today’s log").click()
    expect(page.get_by_text("Saved: 1 item.")).to_be_visible()
    assert LogEntry.objects.get(member=member, day=DAY).sensitivity == "less"
    page.context.close()
