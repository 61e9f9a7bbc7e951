from datetime import timedelta

import pytest
from playwright.sync_api import expect

from routines.models import DailySession, LogEntry, Routine
from tests.browser.steps import answer, sign_up_and_confirm

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _allow_date_override(settings):
    settings.ROUTINES_ALLOW_DATE_OVERRIDE = True


def test_newcomer_onboards_ticks_off_today_and_sees_the_next_step(site, page):
    """Sign up, verify, onboard with the defaults, tick everything off, come back tomorrow."""
    sign_up_and_confirm(page, site, "newcomer@example.com", "Newcomer")

    # "Today's plan" sends a newcomer to onboarding; the defaults give a plan in one click.
    page.goto(f"{site.url}/routine/")
    expect(page.get_by_role("heading", name="Start your daily plan")).to_be_visible()
    expect(page.get_by_label("Hip", exact=True)).to_be_checked()
    page.get_by_role("button", name="Make my plan").click()
    expect(page.get_by_text("Your plan is ready")).to_be_visible()

    # The days are named from the member's first day, so the place they begin on is kept.
    day = Routine.objects.get(member__email="newcomer@example.com").start_date
    page.goto(f"{site.url}/routine/?date={day.isoformat()}")
    expect(page.get_by_role("heading", name="Today: Hip", level=1)).to_be_visible()
    items = page.locator("li.plan-item")
    expect(items).to_have_count(2)
    expect(items.nth(0).get_by_role("link", name="Glute Ball Roll", exact=True)).to_be_visible()

    # The hold timer works from the keyboard and says what it is doing.
    first = items.nth(0)
    first.get_by_role("button", name="Start").press("Enter")
    expect(first.locator("[data-part=announce]")).to_contain_text("started")
    first.get_by_role("button", name="Pause").click()

    for n in range(2):
        item = items.nth(n)
        answer(item, "Did you do it?", "Done")
        answer(item, "How does the area feel now?", "Less sensitive")
        answer(item, "How does it move?", "Moves better")
    items.nth(1).get_by_label("Note for next time (optional)").fill("Easy on the right side")
    page.get_by_role("button", name="Save today’s log").click()
    expect(page.get_by_text("Saved: 2 items.")).to_be_visible()
    expect(page.get_by_text("That is everything for today")).to_be_visible()
    for n in range(2):
        expect(items.nth(n).get_by_text("Logged today: done")).to_have_count(1)
    assert LogEntry.objects.filter(member__email="newcomer@example.com", day=day).count() == 2
    assert DailySession.objects.get(day=day).finished

    # Tomorrow: the next step of the hip, with the Glute Ball Roll as lead-in.
    page.goto(f"{site.url}/routine/?date={(day + timedelta(days=1)).isoformat()}")
    expect(page.get_by_role("heading", name="Today: Hip", level=1)).to_be_visible()
    names = page.locator("li.plan-item h2").all_inner_texts()
    assert names == ["Glute Ball Roll", "Piriformis Ball Press", "TFL Ball Press"]
    lead_in = page.locator("li.plan-item").nth(0)
    expect(lead_in.locator(".role-badge")).to_have_text("lead-in")
    expect(lead_in.get_by_text("Do before Piriformis Ball Press")).to_be_visible()
    expect(lead_in.get_by_text(f"Last done {day:%-d %b} (yesterday)")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
