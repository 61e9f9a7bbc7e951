"""The site's own pages satisfy its Content-Security-Policy in a real browser."""

import pytest
from playwright.sync_api import expect

from tests.browser.steps import sign_up_and_confirm

pytestmark = pytest.mark.browser

LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"}` +
      ` at ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


class CspWatch:
    """Collects CSP violations from the page's events and the console."""

    def __init__(self, page):
        self.page = page
        self.console: list[str] = []
        page.add_init_script(LISTEN)
        page.on("console", self._console)

    def _console(self, message):
        if message.type == "error" and "Content Security Policy" in message.text:
            self.console.append(message.text)

    def visit(self, url: str) -> None:
        response = self.page.goto(url)
        assert response.ok, f"{url} answered {response.status}"
        assert "default-src 'self'" in response.headers["content-security-policy"]
        self.page.wait_for_load_state("load")
        self.check(url)

    def check(self, where: str) -> None:
        violations = self.page.evaluate("window.__cspViolations || []") + self.console
        assert violations == [], f"CSP violations on {where}: {violations}"


def test_public_and_member_pages_raise_no_csp_violations(site, page):
    """Home, catalogue, a technique, sign-in, sign-up, onboarding, today's plan and a
    technique page with the comment form load without a single CSP violation."""
    watch = CspWatch(page)
    for path in (
        "/",
        "/techniques/",
        "/techniques/?region=hip",
        "/techniques/psoas-press/",
        "/accounts/login/",
        "/accounts/signup/",
    ):
        watch.visit(site.url + path)

    sign_up_and_confirm(page, site, "csp@example.com", "Policy Reader")
    watch.check("sign-up and sign-in")
    watch.visit(f"{site.url}/routine/")
    page.get_by_role("button", name="Make my plan").click()
    expect(page.get_by_text("Your plan is ready")).to_be_visible()
    watch.check("onboarding")
    watch.visit(f"{site.url}/routine/")
    page.locator("li.plan-item").first.get_by_role("button", name="Start").click()
    watch.check("today's plan with a hold timer running")
    watch.visit(f"{site.url}/techniques/psoas-press/")
    expect(page.locator("form.comment-form")).to_be_visible()
    watch.visit(f"{site.url}/accounts/profile/")


def test_expired_form_page_raises_no_csp_violations(site, page):
    """A form posted without its CSRF cookie gets our own 403 page, which obeys the policy."""
    watch = CspWatch(page)
    watch.visit(f"{site.url}/accounts/login/")
    page.context.clear_cookies()
    page.get_by_label("Email").fill("nobody@example.com")
    page.locator("input[name=password]").fill("whatever it is")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="That form had expired")).to_be_visible()
    watch.check("the CSRF failure page")
