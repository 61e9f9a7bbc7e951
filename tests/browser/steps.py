"""Steps several browser tests take, through the real pages."""

import re

from django.core import mail
from playwright.sync_api import expect

PASSWORD = "a long and unusual pass"


def fill_sign_up(page, email, display_name):
    """Fill in and send the sign-up form the page shows."""
    page.get_by_label("Email").fill(email)
    page.get_by_label("Display name").fill(display_name)
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()


def sign_up_and_confirm(page, site, email, display_name):
    """Join through the real sign-up page and confirm from the emailed link: signed in."""
    page.goto(f"{site.url}/accounts/signup/")
    fill_sign_up(page, email, display_name)
    [confirmation] = [m for m in mail.outbox if email in m.to]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", confirmation.body)[0]
    page.goto(site.url + "/accounts/" + link.split("/accounts/", 1)[1])
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text(f"You have confirmed {email}")).to_be_visible()
    expect(page.get_by_text("Successfully signed in")).to_be_visible()


def sign_in(page, site, email):
    """Through the real sign-in page."""
    page.goto(f"{site.url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Successfully signed in")).to_be_visible()


def staff_answer(
    page, site, *, question: str, answer: str, asker: str, name: str | None = None
) -> None:
    """Staff, signed in on ``page``, approve the waiting ``question`` and reply to it;
    staff with no display name yet give ``name`` in the reply box."""
    page.goto(f"{site.url}/techniques/psoas-press/")
    thread = page.locator("li.comment", has_text=question).first
    thread.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Comment approved.")).to_be_visible()
    thread = page.locator("li.comment", has_text=question).first
    thread.get_by_role("link", name="Reply").first.click()
    expect(page.locator("#reply-title")).to_have_text(f"Reply to {asker}")
    if name is not None:
        page.get_by_label("Your name on answers").fill(name)
    page.get_by_label("Your comment").fill(answer)
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_text("Thanks, your comment is up.")).to_be_visible()


def answer(item, question: str, choice: str) -> None:
    """On "today", tap one answer of an item's question (static/js/daylog.js makes each
    question one button showing its answers; a tap picks one, Space moves to the next)."""
    button = item.get_by_role("button", name=question)
    button.locator(".log-cycle-option").filter(has_text=re.compile(f"^{choice}$")).click()
    expect(button).to_have_accessible_name(re.compile(f"{re.escape(question)} {choice}$"))


def log_a_day(page, *, stretch_minutes: str = "3") -> None:
    """On "today", in one submit: every item done, less sensitive and moving better, and
    the stretch, when the day has it, held ``stretch_minutes`` with tension still felt."""
    items = page.locator("li.plan-item", has=page.get_by_role("button", name="Did you do it?"))
    for n in range(items.count()):
        item = items.nth(n)
        answer(item, "Did you do it?", "Done")
        answer(item, "How does the area feel now?", "Less sensitive")
        answer(item, "How does it move?", "Moves better")
    minutes = page.get_by_label("Unbroken, motionless minutes")
    if minutes.count():
        minutes.fill(stretch_minutes)
        page.get_by_label("I still felt tension").check()
    page.get_by_role("button", name="Save today’s log").click()
    expect(page.get_by_text("That is everything for today")).to_be_visible()
