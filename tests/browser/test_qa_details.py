"""The Q&A in a browser: times in the reader's zone, a queue that never scrolls sideways."""

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone
from playwright.sync_api import expect

from techniques.models import Technique
from tests.browser.steps import PASSWORD, sign_in
from tests.factories import CommentFactory, ProfileFactory, UserFactory

pytestmark = pytest.mark.browser

NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


def test_a_visitor_reads_comment_times_in_the_browsers_zone(site, browser):
    """In Tokyo the tooltip says GMT+9 and the text counts from the browser's clock."""
    psoas = Technique.objects.get(slug="psoas-press")
    CommentFactory(technique=psoas, created_at=timezone.now() - timedelta(hours=3, minutes=5))
    context = browser.new_context(viewport={"width": 390, "height": 844}, timezone_id="Asia/Tokyo")
    page = context.new_page()
    page.goto(f"{site.url}/techniques/psoas-press/")
    posted = page.locator("li.comment time").first
    expect(posted).to_have_text("3 hours ago")
    expect(posted).to_have_attribute("title", re.compile(r"GMT\+9$"))
    context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_the_staff_queue_wraps_long_unbroken_text(site, browser, width):
    """A 400-letter word and a 300-letter link in waiting comments stay on the screen."""
    staff = UserFactory(username="coach", email="coach@smr.test", is_staff=True)
    staff.set_password(PASSWORD)
    staff.save()
    EmailAddress.objects.create(user=staff, email=staff.email, verified=True, primary=True)
    ProfileFactory(user=staff, display_name="Coach Sam")
    psoas = Technique.objects.get(slug="psoas-press")
    CommentFactory(technique=psoas, body="x" * 400)
    CommentFactory(technique=psoas, status="pending", body=f"https://example.org/{'a' * 300}")
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    sign_in(page, site, "coach@smr.test")
    page.goto(f"{site.url}/techniques/comments/queue/")
    expect(page.get_by_role("heading", name="Questions waiting")).to_be_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    page.context.close()
