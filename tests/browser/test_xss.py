import pytest
from django.core.cache import cache
from django.test import Client
from playwright.sync_api import expect

from questions import services
from questions.models import Comment
from questions.selectors import COMMENTS_PER_PAGE
from techniques.models import Technique
from tests.factories import CommentFactory, UserFactory

pytestmark = pytest.mark.browser

# Each tries to run script; the ones that could set window.__xss would prove it ran.
PAYLOADS = [
    "<script>window.__xss = 1; alert('script')</script>",
    "<img src=x onerror=\"window.__xss = 1; alert('img')\">",
    '"><svg onload="window.__xss = 1; alert(\'svg\')">',
    "<a href=\"javascript:window.__xss = 1; alert('link')\">click me</a>",
    "javascript:alert('bare')",
    '<iframe srcdoc="<script>parent.__xss = 1</script>"></iframe>',
    "</p></div><script>window.__xss = 1</script><div><p>",
    "<b onmouseover=alert('b')>unclosed <i>markup",
    'https://example.org/"onmouseover="window.__xss=1"style="position:fixed;inset:0"',
    "<scr<script>ipt>window.__xss = 1</scr</script>ipt>",
    "\u202eRTL override\u202c and zero\u200bwidth\u200d joiner <script>alert(1)</script>",
    "<style>body{display:none}</style>still visible",
]


def _session_cookie(user, site):
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    return {"name": "sessionid", "value": cookie.value, "url": site.url}


def test_hostile_comments_never_run_and_show_as_text(site, page):
    """Every payload appears as plain text in Chromium; no dialog opens, no flag gets set."""
    technique = Technique.objects.get(slug="psoas-press")
    member = UserFactory(username="mallory")
    CommentFactory(author=member, technique=technique, body="An earlier, approved comment.")
    ids = []
    for payload in PAYLOADS[1:]:
        comment = services.comment_create(
            technique=technique, author=member, body=payload, kind="remark"
        )
        ids.append(comment.pk)
        cache.clear()  # the per-minute limit is not what this test is about

    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.context.add_cookies([_session_cookie(member, site)])

    # One payload goes through the real form too.
    page.goto(f"{site.url}/techniques/psoas-press/#respond")
    page.get_by_role("radio", name="Remark").check()
    page.get_by_label("Your comment").fill(PAYLOADS[0])
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_text("Thanks, your comment is up.")).to_be_visible()
    ids.insert(0, Comment.objects.filter(author=member).latest("id").pk)

    # The payloads and the earlier comment fill more than one page of the thread.
    pages = (len(ids) + 1 + COMMENTS_PER_PAGE - 1) // COMMENTS_PER_PAGE
    for viewer in ("member", "anonymous"):
        if viewer == "anonymous":
            page.context.clear_cookies()
        seen = {}
        for number in range(1, pages + 1):
            page.goto(f"{site.url}/techniques/psoas-press/?comments={number}")
            page.locator(".comment-body").last.scroll_into_view_if_needed()
            page.mouse.move(200, 300)
            page.wait_for_timeout(300)
            assert page.evaluate("window.__xss") is None
            assert dialogs == []
            hostile = ".comment-body :is(script, img, svg, iframe, style, b, i)"
            assert page.locator(hostile).count() == 0
            for link in page.locator(".comment-body a").all():
                assert link.get_attribute("href").startswith(("http://", "https://"))
                assert link.get_attribute("rel") == "nofollow ugc noopener"
            for pk in ids:
                body = page.locator(f"#comment-{pk} .comment-body")
                if body.count():
                    seen[pk] = body.inner_text()
            if page.get_by_text("still visible").count():
                expect(page.get_by_text("still visible")).to_be_visible()
                seen["still visible"] = True
        assert seen.keys() == {*ids, "still visible"}, viewer
        for pk, payload in zip(ids, PAYLOADS, strict=True):
            visible = payload.replace("\u202e", "").replace("\u202c", "")
            assert seen[pk].replace("\n", "") == visible.replace("\n", ""), payload
