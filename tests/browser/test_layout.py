"""Layout a person notices: the staff menu on one line, long search words wrapped."""

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from tests.browser.steps import PASSWORD, sign_in
from tests.factories import ProfileFactory, UserFactory

pytestmark = pytest.mark.browser

NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


def test_the_staff_menu_fits_on_one_line_at_1280(site, browser):
    """Techniques, Today's plan, Questions, Admin, Settings and Sign out sit side by side."""
    staff = UserFactory(username="coach", email="coach@smr.test", is_staff=True)
    staff.set_password(PASSWORD)
    staff.save()
    EmailAddress.objects.create(user=staff, email=staff.email, verified=True, primary=True)
    ProfileFactory(user=staff, display_name="Coach Sam")
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, site, "coach@smr.test")
    menu = page.locator("#main-nav .nav-link")
    expect(menu).to_have_count(6)
    boxes = [menu.nth(n).bounding_box() for n in range(6)]
    heights = {round(box["height"]) for box in boxes}
    tops = {round(box["y"]) for box in boxes}
    assert len(tops) == 1, boxes  # one row
    assert max(heights) < 50, boxes  # and no entry wrapped onto two lines inside it
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    page.context.close()


def test_a_long_unbroken_search_wraps_on_a_phone(site, page):
    """ "Nothing matches" with a 200-letter word stays inside a 390 px screen."""
    word = "x" * 200
    page.goto(f"{site.url}/techniques/?q={word}")
    nothing = page.locator(".empty-state")
    expect(nothing).to_contain_text("Nothing matches")
    assert nothing.bounding_box()["width"] <= 390
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
