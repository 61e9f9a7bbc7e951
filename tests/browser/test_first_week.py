"""A newcomer's first week on a phone, from a technique page to a logged day.

Join free from the reply box, confirm from the emailed link, ask, hear back from staff made
with ``createsuperuser``, start a plan and log the day. Every page the walk touches is also
checked at 1280 px for sideways scrolling; ``FIRST_WEEK_SCREENSHOTS=/some/folder`` keeps a
full-page screenshot of each at 390 and 1280 px, to look at them.
"""

import os
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from routines.models import LogEntry, StretchLog
from tests.browser.steps import PASSWORD, fill_sign_up, log_a_day, sign_in, staff_answer
from tests.test_emails import assert_branded

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("FIRST_WEEK_SCREENSHOTS")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

MAYA = "maya@smr.test"
COACH = "sam@smr.test"
QUESTION = "My lower back is tight every morning. Can I do the Psoas Press daily?"
ANSWER = "Yes, as long as the area gets less sensitive each time and you move better."


def look(page, name: str) -> None:
    """The page as it is now fits a phone and a desktop screen without sideways scrolling."""
    own = page.viewport_size
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} scrolls sideways at {viewport['width']} px"
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{SHOTS}/{viewport['width']}-{name}.png", full_page=True)
    page.set_viewport_size(own)


def read_email(browser, message, name: str):
    """The HTML alternative of ``message`` as a mail program shows it."""
    [(html, _)] = message.alternatives
    page = browser.new_context(viewport=PHONE).new_page()
    page.set_content(html)
    look(page, name)
    return page


def test_a_newcomers_first_week_at_390_px(site, page, browser, monkeypatch):
    """Join from a technique page, confirm, ask, hear from named staff, plan and log a day."""
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command(
        "createsuperuser", interactive=False, username="sam", email=COACH, stdout=StringIO()
    )

    # A visitor reads the Psoas Press and joins from the reply box under its questions.
    page.goto(f"{site.url}/techniques/psoas-press/")
    expect(page.get_by_role("heading", name="Psoas Press", level=1)).to_be_visible()
    look(page, "01-technique-visitor")
    page.locator("#respond").get_by_role("link", name="join free").click()
    expect(page.get_by_role("heading", name="Join SMR Coach")).to_be_visible()
    look(page, "02-join")
    fill_sign_up(page, MAYA, "Maya")
    look(page, "03-check-your-email")

    # The confirmation email is SMR Coach's own, in text and in HTML.
    [confirmation] = mail.outbox
    assert_branded(confirmation)
    assert confirmation.subject == "SMR Coach: Confirm your email to finish joining"
    assert confirmation.to == [MAYA]
    email = read_email(browser, confirmation, "04-email-confirm")
    expect(email.get_by_role("heading", name="Welcome to SMR Coach")).to_be_visible()
    expect(email.get_by_role("link", name="Confirm my address")).to_be_visible()
    email.context.close()

    # The emailed link, opened in the same browser: confirm, and be back at the reply box.
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", confirmation.body)[0]
    page.goto(site.url + "/accounts/" + link.split("/accounts/", 1)[1])
    expect(page.get_by_text(MAYA)).to_be_visible()
    look(page, "05-confirm")
    page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(re.compile(r"/techniques/psoas-press/#respond$"))
    expect(page.get_by_text(f"You have confirmed {MAYA}")).to_be_visible()
    expect(page.get_by_role("heading", name="Leave a reply")).to_be_in_viewport()
    expect(page.locator("#respond").get_by_role("link", name="join free")).to_have_count(0)
    look(page, "06-back-at-the-reply-box")

    # She asks; her first comment waits for a moderator, and staff hear of it.
    page.get_by_label("Your comment").fill(QUESTION)
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_text("waits for a moderator")).to_be_visible()
    question = page.locator("li.comment.is-pending", has_text=QUESTION)
    expect(question).to_be_in_viewport()
    expect(question).to_contain_text("Awaiting moderation")
    expect(question).to_contain_text("Maya")
    expect(question.locator("time")).to_have_text("just now")
    look(page, "07-question-waiting")
    [new_question] = [m for m in mail.outbox if m.to == [COACH]]
    assert_branded(new_question)
    assert new_question.subject == "SMR Coach: New question on “Psoas Press”"

    # Staff made with createsuperuser sign in on the site and answer, giving their name.
    staff_page = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(staff_page, site, COACH)
    staff_answer(staff_page, site, question=QUESTION, answer=ANSWER, asker="Maya", name="Coach Sam")
    look(staff_page, "08-staff-answered")
    staff_page.context.close()

    # Maya hears of it by an email that names Coach Sam as staff.
    [notification] = [m for m in mail.outbox if m.to == [MAYA] and "New reply" in m.subject]
    assert_branded(notification)
    assert notification.subject == "SMR Coach: New reply on “Psoas Press”"
    assert "Coach Sam (SMR Coach staff) replied to your question" in notification.body
    assert ANSWER in notification.body
    email = read_email(browser, notification, "09-email-reply")
    expect(email.get_by_text("Hello Maya,")).to_be_visible()
    expect(email.get_by_text("SMR Coach staff", exact=True)).to_be_visible()
    expect(email.get_by_text(ANSWER)).to_be_visible()
    thread_link = email.get_by_role("link", name="Read the thread and reply").get_attribute("href")
    email.context.close()

    # The email's button opens the answer, signed by Coach Sam as staff.
    page.goto(site.url + "/techniques/" + thread_link.split("/techniques/", 1)[1])
    answer = page.locator("li.comment.by-staff", has_text=ANSWER)
    expect(answer).to_be_in_viewport()
    expect(answer).to_contain_text("Coach Sam")
    expect(answer.locator(".badge-staff")).to_have_text("Staff")
    look(page, "10-answer-seen")

    # She starts a plan from the menu: the defaults, plus the tension she feels.
    page.get_by_role("button", name="Show menu").click()
    page.get_by_role("link", name="Today’s plan").click()
    expect(page.get_by_role("heading", name="Start your daily plan")).to_be_visible()
    expect(page.get_by_label("Hip", exact=True)).to_be_checked()
    page.get_by_role("checkbox", name=re.compile("tension in the front")).check()
    look(page, "11-start-a-plan")
    page.get_by_role("button", name="Make my plan").click()

    # "Today" shows her plan: two hip techniques, then the stretch for the tension, each
    # new to her and so with its cautions first.
    expect(page.get_by_text("Your plan is ready")).to_be_visible()
    expect(page.get_by_role("heading", name="Today: Hip", level=1)).to_be_visible()
    names = page.locator("li.plan-item h2").all_inner_texts()
    assert names == ["Glute Ball Roll", "Side Hip Ball Press", "Supported Corpse Stretch"]
    first = page.locator("li.plan-item").first
    expect(first).to_contain_text("New to you")
    expect(first.get_by_role("note")).to_contain_text("Safety first: Keep the ball")
    look(page, "12-today")

    # She logs the day in one submit: both techniques, how they felt, and the stretch.
    log_a_day(page, stretch_minutes="3")
    expect(page.get_by_text("Saved: 2 items and the stretch.")).to_be_visible()
    expect(page.locator("#item-supported-corpse-stretch")).to_contain_text(
        "Logged today: 3 minutes"
    )
    assert LogEntry.objects.filter(member__email=MAYA, status="done").count() == 2
    assert StretchLog.objects.filter(member__email=MAYA, tension=True).count() == 1
    look(page, "13-day-logged")
