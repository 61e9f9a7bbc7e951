import pytest
from playwright.sync_api import expect

from members.models import Profile
from tests.browser.steps import sign_up_and_confirm

pytestmark = pytest.mark.browser


@pytest.fixture
def tokyo_page(browser):
    """A phone-sized page whose browser says it is in Tokyo."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, timezone_id="Asia/Tokyo")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_the_time_zone_starts_at_the_browsers_and_typing_a_city_finds_it(site, tokyo_page):
    """Onboarding offers the browser's own zone; typing "London" picks Europe/London, which
    is saved and then shown as the member's choice instead of the browser's."""
    page = tokyo_page
    sign_up_and_confirm(page, site, "traveller@example.com", "Traveller")
    page.goto(f"{site.url}/routine/start/")
    page.get_by_text("Time zone and a daily reminder email").click()
    zone = page.get_by_label("Time zone", exact=True)
    expect(zone).to_have_value("Asia/Tokyo")

    search = page.get_by_label("Find your time zone")
    search.fill("new york")
    expect(zone).to_have_value("America/New_York")
    search.fill("London")
    expect(zone).to_have_value("Europe/London")
    expect(page.get_by_text("1 time zone matches")).to_be_visible()
    page.get_by_role("button", name="Make my plan").click()
    expect(page.get_by_text("Your plan is ready")).to_be_visible()

    profile = Profile.objects.get(user__email="traveller@example.com")
    assert (profile.time_zone, profile.time_zone_chosen) == ("Europe/London", True)
    page.goto(f"{site.url}/accounts/profile/")
    expect(page.get_by_label("Time zone", exact=True)).to_have_value("Europe/London")
