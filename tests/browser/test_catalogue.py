import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_reader_finds_the_psoas_press_from_the_catalogue(site, page):
    """A reader opens the catalogue, searches, opens Psoas Press and follows its lead-in link."""
    page.goto(f"{site.url}/techniques/")
    expect(page.get_by_role("heading", name="Techniques", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Hip", level=2)).to_be_visible()

    page.get_by_label("Search names, muscles and complaints").fill("psoas")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("match “psoas”")

    page.get_by_role("link", name="Psoas Press").click()
    expect(page).to_have_url(f"{site.url}/techniques/psoas-press/")
    expect(page.get_by_role("heading", name="Psoas Press", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Step by step")).to_be_visible()
    expect(page.get_by_role("heading", name="When to back off")).to_be_visible()
    assert page.locator("ol.steps > li").count() >= 3

    page.get_by_role("link", name="Quads Roll").first.click()
    expect(page.get_by_role("heading", name="Quads Roll", level=1)).to_be_visible()


def test_region_filter_and_phone_layout(site, page):
    """On a phone the region tabs filter the list and nothing overflows sideways."""
    page.goto(f"{site.url}/techniques/")
    page.get_by_role("navigation", name="Regions").get_by_role("link", name="Calves").click()
    expect(page.get_by_role("heading", name="Calves techniques", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Hip", level=2)).to_have_count(0)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
