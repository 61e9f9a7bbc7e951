"""axe-core (from npm, never a CDN) run in Chromium over the main pages: no serious problems."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import CommentFactory, UserFactory

pytestmark = pytest.mark.browser

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}


def _axe(page) -> list[dict]:
    """Every axe violation on the page, printed for the log."""
    # Evaluated through the DevTools protocol, so a strict Content-Security-Policy on the
    # page does not block it (add_script_tag would add an inline script).
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    violations = result["violations"]
    for violation in violations:
        print(  # the log is the report
            json.dumps(
                {
                    "page": page.url,
                    "id": violation["id"],
                    "impact": violation["impact"],
                    "help": violation["help"],
                    "nodes": [node["target"] for node in violation["nodes"]][:5],
                }
            )
        )
    return violations


def _assert_accessible(page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("load")
    blocking = [v for v in _axe(page) if v["impact"] in BLOCKING]
    assert blocking == [], [(v["id"], v["help"], v["nodes"][0]["html"]) for v in blocking]


@pytest.fixture
def a11y_page(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.mark.parametrize(
    "path",
    ["/", "/techniques/", "/techniques/?region=hip", "/accounts/login/", "/accounts/signup/"],
)
def test_public_pages_have_no_serious_accessibility_problems(site, a11y_page, path):
    """Home, the catalogue, sign-in and sign-up pass axe with no serious or critical issue."""
    _assert_accessible(a11y_page, f"{site.url}{path}")


def test_a_technique_page_with_comments_has_no_serious_accessibility_problems(site, a11y_page):
    """A technique page with a thread of questions and replies passes axe."""
    from techniques.models import Technique

    technique = Technique.objects.get(slug="psoas-press")
    question = CommentFactory(technique=technique, body="How long should I hold it?")
    CommentFactory(parent=question, body="About ninety seconds a side.")
    CommentFactory(technique=technique, kind="remark", body="This helped my lower back.")
    _assert_accessible(a11y_page, f"{site.url}/techniques/psoas-press/")


def test_todays_plan_after_onboarding_has_no_serious_accessibility_problems(
    site, a11y_page, settings
):
    """Onboarding, today's plan, the next days and the member's settings pass axe."""
    settings.ROUTINES_ALLOW_DATE_OVERRIDE = True
    member = UserFactory(username="reader", email="reader@example.com")
    client = Client()
    client.force_login(member)
    a11y_page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": site.url,
            }
        ]
    )
    _assert_accessible(a11y_page, f"{site.url}/routine/start/")
    a11y_page.get_by_role("button", name="Make my plan").click()
    a11y_page.wait_for_url(f"{site.url}/routine/")
    _assert_accessible(a11y_page, f"{site.url}/routine/?date=2026-03-02")
    _assert_accessible(a11y_page, f"{site.url}/routine/next/")
    _assert_accessible(a11y_page, f"{site.url}/accounts/profile/")
