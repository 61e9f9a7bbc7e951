"""A newcomer joins from a technique page and the emailed link brings them back, signed in."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.browser.steps import fill_sign_up

pytestmark = pytest.mark.browser


def test_join_free_from_a_technique_page_lands_back_at_the_reply_box(site, page):
    """Join free under the questions, confirm from the email: signed in, at "Leave a reply"."""
    page.goto(f"{site.url}/techniques/psoas-press/")
    page.locator("#respond").get_by_role("link", name="join free").click()
    expect(page.get_by_role("heading", name="Join SMR Coach")).to_be_visible()
    fill_sign_up(page, "maya@smr.test", "Maya")

    [message] = mail.outbox
    assert message.subject == "SMR Coach: Confirm your email to finish joining"
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", message.body)[0]
    page.goto(site.url + "/accounts/" + link.split("/accounts/", 1)[1])
    page.get_by_role("button", name="Confirm").click()

    expect(page).to_have_url(re.compile(r"/techniques/psoas-press/#respond$"))
    expect(page.get_by_text("You have confirmed maya@smr.test")).to_be_visible()
    expect(page.get_by_label("Your comment")).to_be_visible()
    expect(page.get_by_role("heading", name="Leave a reply")).to_be_in_viewport()


def test_the_confirmation_email_looks_like_the_site(site, page):
    """The HTML alternative shows the site's name, a confirm button and its address."""
    page.goto(f"{site.url}/accounts/signup/")
    fill_sign_up(page, "maya@smr.test", "Maya")
    [(html, _)] = mail.outbox[0].alternatives
    page.set_content(html)
    expect(page.get_by_role("link", name="SMR Coach", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Welcome to SMR Coach")).to_be_visible()
    button = page.get_by_role("link", name="Confirm my address")
    expect(button).to_be_visible()
    assert "/accounts/confirm-email/" in button.get_attribute("href")
