"""The calendar feed in settings: a subscribe link, and an address to copy with or without JS."""

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from tests.browser.steps import PASSWORD, sign_in
from tests.factories import ProfileFactory, RoutineFactory, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def member(site):
    user = UserFactory(username="maya", email="maya@smr.test")
    user.set_password(PASSWORD)
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    ProfileFactory(user=user, display_name="Maya")
    return RoutineFactory(member=user)


def test_the_copy_button_puts_the_feed_address_on_the_clipboard(site, browser, member):
    """Copy copies the private address and says so; Subscribe is a webcal:// link."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.url)
    page = context.new_page()
    sign_in(page, site, "maya@smr.test")
    page.goto(f"{site.url}/routine/settings/")
    address = page.get_by_label("Or copy the address into your calendar")
    feed_url = address.input_value()
    assert feed_url == f"{site.url}/routine/feed/{member.feed_token}.ics"
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("status").filter(has_text="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == feed_url
    subscribe = page.get_by_role("link", name="Subscribe in my calendar app")
    assert subscribe.get_attribute("href") == "webcal://" + feed_url.split("://", 1)[1]
    context.close()


def test_without_javascript_the_address_is_there_to_select(site, browser, member):
    """No script: no dead Copy button, and the address is a read-only field to copy from."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, site, "maya@smr.test")
    page.goto(f"{site.url}/routine/settings/")
    address = page.get_by_label("Or copy the address into your calendar")
    expect(address).to_be_visible()
    expect(address).not_to_be_editable()
    assert address.input_value().endswith(f"/routine/feed/{member.feed_token}.ics")
    expect(page.get_by_role("button", name="Copy")).to_be_hidden()
    context.close()
