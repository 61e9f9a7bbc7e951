"""Every page a visitor, a member or staff can reach, checked in Chromium at 390 and 1280 px.

On each page, as it is and in its error states (form errors, 404, 403, the CSRF page,
500): axe-core with the WCAG 2.2 AA rules finds no violation of any impact, headings
go in order under one h1, and a Tab walk meets the site's focus ring at every stop,
each a 24 × 24 px target on a phone (tests/browser/a11y.py). The admin has its own
sweep (test_admin_accessibility.py).

Pages come from the URL resolver: a new named URL the sweep does not know fails
``test_the_sweep_knows_every_page`` until it is visited here or said not to be a page.
"""

import os
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.template.loader import render_to_string

from tests.browser.a11y import (
    DESKTOP,
    PHONE,
    page_problems,
    report,
)
from tests.browser.steps import PASSWORD, answer
from tests.browser.world import World, make_world, sign_in
from tests.urlnames import url_names

pytestmark = pytest.mark.browser

# A folder to keep a full-page screenshot of every page checked, to look at them all.
SHOTS = os.environ.get("A11Y_SCREENSHOTS")


@pytest.fixture
def world(site):
    return make_world()


# --- How to bring each page into the state checked ------------------------------------


def submit(button: str, **fields: str) -> Callable:
    """Fill fields by name and press the button: the page the server answers is checked."""

    def act(page, world):
        for name, value in fields.items():
            page.locator(f"[name='{name}']:is(input:not([type=radio]), textarea)").fill(value)
        page.get_by_role("button", name=button, exact=True).first.click()
        page.wait_for_load_state("load")

    return act


def uncheck_all_regions(page, world):
    for box in page.locator(".region-choice input[type=checkbox]").all():
        box.uncheck()
    page.get_by_role("button", name=re.compile("Make my plan|Save")).click()
    page.wait_for_load_state("load")


def break_the_csrf_cookie(page, world):
    page.context.clear_cookies()
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_load_state("load")


def reauthenticate(page, world):
    """Give the password again where allauth asks for it (once per few minutes)."""
    if "reauthenticate" not in page.url:
        return
    page.locator("[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state("load")


def wrong_totp_code(page, world):
    reauthenticate(page, world)
    submit("Activate", code="000000")(page, world)


def sign_in_with_two_factor(code: str | None):
    def act(page, world):
        page.context.clear_cookies()  # a fresh visitor, not one halfway through signing in
        page.reload()
        submit("Sign in", login=world.guarded.email, password=PASSWORD)(page, world)
        if code is not None:
            submit("Sign In", code=code)(page, world)

    return act


def session_at(where: str):
    """Walk the guided session to an item (``item``), the log (``log``) or the log's errors."""

    def act(page, world):
        page.get_by_role("button", name="Start the session").click()
        if where == "item":
            return
        while not page.locator("#step-log").is_visible():
            page.locator("[data-step]:not([hidden]) [data-go=next]").click()
        if where == "errors":
            page.get_by_role("button", name="Save today’s log").click()

    return act


@dataclass(frozen=True)
class Visit:
    """A page in one state: the URL name it covers, where it is, what to do there first."""

    name: str
    path: str | Callable[[World], str]
    act: Callable | None = None
    state: str = ""

    def url(self, world: World) -> str:
        return self.path(world) if callable(self.path) else self.path

    def __str__(self) -> str:
        return f"{self.name}{f' ({self.state})' if self.state else ''}"


VISITOR = [
    Visit("home", "/"),
    Visit("techniques:list", "/techniques/"),
    Visit("techniques:list", "/techniques/?region=hip", state="one region"),
    Visit("techniques:list", "/techniques/?q=ball", state="search"),
    Visit("techniques:list", "/techniques/?q=zzzz", state="nothing found"),
    Visit("techniques:detail", "/techniques/psoas-press/", state="thread, FAQ"),
    Visit("techniques:detail", "/techniques/supported-corpse-stretch/", state="a stretch"),
    Visit("techniques:detail", lambda w: f"/techniques/{w.paged.slug}/?comments=2", state="p2"),
    Visit("techniques:detail", "/techniques/no-such-technique/", state="404"),
    Visit("account_login", "/accounts/login/"),
    Visit("account_login", "/accounts/login/", submit("Sign in", login="x@example.com"), "errors"),
    Visit("account_login", "/accounts/login/", break_the_csrf_cookie, "CSRF failure"),
    Visit("account_signup", "/accounts/signup/"),
    Visit("account_signup", "/accounts/signup/", submit("Join", email="not-an-email"), "errors"),
    Visit("account_reset_password", "/accounts/password/reset/"),
    Visit(
        "account_reset_password",
        "/accounts/password/reset/",
        submit("Send the link", email="nope"),
        "errors",
    ),
    Visit("account_reset_password_done", "/accounts/password/reset/done/"),
    Visit("account_reset_password_from_key", lambda w: w.reset_path),
    Visit(
        "account_reset_password_from_key",
        lambda w: w.reset_path,
        submit("Save password", password1="short", password2="other"),
        "errors",
    ),
    Visit("account_reset_password_from_key", "/accounts/password/reset/key/1-bad/", state="bad"),
    Visit("account_reset_password_from_key_done", "/accounts/password/reset/key/done/"),
    Visit("account_confirm_email", lambda w: f"/accounts/confirm-email/{w.confirm_key}/"),
    Visit("account_confirm_email", "/accounts/confirm-email/made-up/", state="bad key"),
    Visit("account_email_verification_sent", "/accounts/confirm-email/"),
    Visit("account_inactive", "/accounts/inactive/"),
    Visit("mfa_authenticate", "/accounts/login/", sign_in_with_two_factor(None)),
    Visit("mfa_authenticate", "/accounts/login/", sign_in_with_two_factor("000000"), "errors"),
    Visit("techniques:comment_unsubscribe", lambda w: w.unsubscribe),
    Visit(
        "techniques:comment_unsubscribe",
        lambda w: w.unsubscribe,
        submit("Stop these emails"),
        "done",
    ),
    Visit("routines:reminders_off", lambda w: w.reminders_off),
    Visit("404", "/no-such-page/"),
]


def log_without_feedback(page, world):
    """Mark the first item done but say nothing of how it felt, and save the day."""
    answer(page.locator("li.plan-item").first, "Did you do it?", "Done")
    page.locator("[name='stretch-unbroken_minutes']").fill("3")
    page.get_by_role("button", name="Save today’s log").click()
    page.wait_for_load_state("load")


MEMBER = [
    Visit("routines:today", "/routine/"),
    Visit("routines:today", "/routine/", log_without_feedback, "errors"),
    Visit("routines:upcoming", "/routine/next/"),
    Visit("routines:history", "/routine/history/"),
    Visit("routines:settings", "/routine/settings/"),
    Visit("routines:settings", "/routine/settings/", uncheck_all_regions, "errors"),
    Visit("routines:note", lambda w: f"/routine/log/{w.note_entry.pk}/note/"),
    Visit("routines:session", "/routine/session/"),
    Visit("routines:session", "/routine/session/", session_at("item"), "an item"),
    Visit("routines:session", "/routine/session/", session_at("log"), "the log"),
    Visit("routines:session", "/routine/session/", session_at("errors"), "errors"),
    Visit("members:profile", "/accounts/profile/"),
    Visit(
        "members:profile",
        "/accounts/profile/",
        # The time zone is a list now: a name of zero-width spaces is the error to show.
        submit("Save settings", display_name="\u200b\u200b"),
        "errors",
    ),
    Visit("account_email", "/accounts/email/"),
    Visit("account_email", "/accounts/email/", submit("Add address", email="nope"), "errors"),
    Visit("account_change_password", "/accounts/password/change/"),
    Visit(
        "account_change_password",
        "/accounts/password/change/",
        submit("Change password", oldpassword="wrong"),
        "errors",
    ),
    Visit("account_reauthenticate", "/accounts/reauthenticate/"),
    Visit("account_logout", "/accounts/logout/"),
    Visit("mfa_index", "/accounts/2fa/"),
    Visit("mfa_activate_totp", "/accounts/2fa/totp/activate/", reauthenticate),
    Visit("mfa_activate_totp", "/accounts/2fa/totp/activate/", wrong_totp_code, "errors"),
    Visit("techniques:detail", "/techniques/psoas-press/", state="signed in"),
    Visit(
        "techniques:detail",
        lambda w: f"/techniques/psoas-press/?replyto={w.question.pk}",
        state="reply",
    ),
    Visit(
        "techniques:comment_create",
        "/techniques/psoas-press/",
        submit("Post comment", body="x"),
        "errors",
    ),
    Visit("techniques:comment_edit", lambda w: f"/techniques/comments/{w.fresh.pk}/edit/"),
    Visit(
        "techniques:comment_edit",
        lambda w: f"/techniques/comments/{w.fresh.pk}/edit/",
        submit("Save changes", body=""),
        "errors",
    ),
    Visit(
        "techniques:comment_edit", lambda w: f"/techniques/comments/{w.old.pk}/edit/", state="403"
    ),
    Visit("techniques:comment_delete", lambda w: f"/techniques/comments/{w.fresh.pk}/delete/"),
]

NEWCOMER = [
    Visit("routines:start", "/routine/start/"),
    Visit("routines:start", "/routine/start/", uncheck_all_regions, "errors"),
]

GUARDED = [
    Visit("mfa_index", "/accounts/2fa/", state="two-factor on"),
    Visit("mfa_deactivate_totp", "/accounts/2fa/totp/deactivate/", reauthenticate),
    Visit("mfa_view_recovery_codes", "/accounts/2fa/recovery-codes/", reauthenticate),
    Visit("mfa_generate_recovery_codes", "/accounts/2fa/recovery-codes/generate/", reauthenticate),
    Visit("mfa_reauthenticate", "/accounts/2fa/reauthenticate/"),
]

STAFF = [
    Visit("techniques:detail", "/techniques/psoas-press/", state="staff"),
    Visit("techniques:comment_queue", "/techniques/comments/queue/"),
]

# Named URLs that are not pages of their own, and why.
NOT_PAGES = {
    "healthz": "plain text for the load balancer",
    "robots": "plain text",
    "sitemap": "XML",
    "techniques:pdf": "a PDF (tests/techniques/test_pdf.py)",
    "techniques:booklet": "a PDF",
    "techniques:video": "a video download",
    "routines:pdf": "a PDF",
    "routines:feed": "an iCal feed",
    "mfa_download_recovery_codes": "a text file",
    "techniques:comment": "redirects to the comment on its technique page",
    "account_set_password": "redirects members who have a password to changing it",
    "account_confirm_login_code": "sign-in by emailed code is off: redirects",
    "account_request_reauthentication_code": "sign-in by emailed code is off: redirects",
    "account_confirm_reauthentication_code": "sign-in by emailed code is off: redirects",
    # POST-only actions answer with a redirect to a page above (or a form page with errors).
    "routines:log": "POST, then today's page",
    "routines:session_log": "POST, then today's page (JSON for the session's script)",
    "routines:session_manifest": "JSON: the installable app's manifest",
    "service_worker": "JavaScript: the guided session's service worker",
    "routines:cycle_choice": "POST, then today's page",
    "routines:pin": "POST, then today's page",
    "routines:feed_regenerate": "POST, then the settings page",
    "techniques:comment_moderate": "POST, then the page or the queue",
    "techniques:comment_answer": "POST, then the technique page",
    "techniques:comment_flag": "POST, then the technique page",
    "techniques:comment_follow": "POST, then the technique page",
    "techniques:comment_faq": "POST, then the technique page",
}

# Known problems in a template owned elsewhere right now; each pattern must still match.
KNOWN: dict[str, list[re.Pattern]] = {}


def test_the_sweep_knows_every_page():
    """Every named URL outside the admin is visited by the sweep or is said not to be a page."""
    visited = {v.name for v in [*VISITOR, *MEMBER, *NEWCOMER, *GUARDED, *STAFF]}
    names = {name for name in url_names() if not name.startswith("admin:")}
    assert names - visited - NOT_PAGES.keys() == set(), "visit these pages in the sweep"
    assert (visited | NOT_PAGES.keys()) - names - {"404"} == set(), "gone from the site"


def _sweep(browser, site, world, visits, *, user, viewport) -> dict[str, list[str]]:
    context = browser.new_context(viewport=viewport)
    if user is not None:
        sign_in(context, site, user)
    page = context.new_page()
    page.set_default_timeout(15_000)
    found = {}
    for visit in visits:
        page.goto(site.url + visit.url(world))
        page.wait_for_load_state("load")
        if visit.act:
            visit.act(page, world)
        problems = page_problems(page, phone=viewport is PHONE, errors=visit.state == "errors")
        if SHOTS:
            slug = re.sub(r"[^a-z0-9]+", "-", str(visit).lower())
            page.screenshot(path=f"{SHOTS}/{viewport['width']}-{slug}.png", full_page=True)
        for pattern in KNOWN.get(visit.name, []):
            assert any(pattern.search(p) for p in problems), f"{visit}: fixed? drop {pattern}"
            problems = [p for p in problems if not pattern.search(p)]
        found[f"{visit} {page.url}"] = problems
    context.close()
    return {where: problems for where, problems in found.items() if problems}


VIEWPORTS = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])


@VIEWPORTS
def test_every_page_a_visitor_reaches(browser, site, world, viewport):
    """Public pages and their error states: axe clean, headings in order, rings, targets."""
    problems = _sweep(browser, site, world, VISITOR, user=None, viewport=viewport)
    assert problems == {}, report(problems)


@VIEWPORTS
def test_every_page_a_member_reaches(browser, site, world, viewport):
    """A member's plan, settings, account, two-factor and comment pages, with errors."""
    problems = {}
    for people, visits in (
        (world.member, MEMBER),
        (world.newcomer, NEWCOMER),
        (world.guarded, GUARDED),
    ):
        problems |= _sweep(browser, site, world, visits, user=people, viewport=viewport)
    assert problems == {}, report(problems)


@VIEWPORTS
def test_every_page_staff_reach(browser, site, world, viewport):
    """The technique page with moderation buttons and the questions queue."""
    problems = _sweep(browser, site, world, STAFF, user=world.staff, viewport=viewport)
    assert problems == {}, report(problems)


@VIEWPORTS
def test_the_500_page(browser, site, viewport):
    """The self-contained server error page, served from the site's address."""
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(f"{site.url}/healthz")
    page.set_content(render_to_string("500.html"))
    page.wait_for_load_state("load")
    assert page_problems(page, phone=viewport is PHONE) == []
    context.close()
