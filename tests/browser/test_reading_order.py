"""A technique page as a screen reader meets it: Chromium's accessibility tree, in order.

The tree (Playwright's ARIA snapshot of the page) must read the way a person needs the
page: where they are, the technique's name, what and why, before you start, the steps,
the hold timer with its Start button, how often, when to back off, downloads, more of
the region, the disclaimer, then the questions. Decoration (the breadcrumb's slashes,
the region's body map) is not read.
"""

import pytest

from tests.browser.a11y import PHONE

pytestmark = pytest.mark.browser

READING_ORDER = [
    'link "Skip to the content"',
    "banner:",
    'navigation "Breadcrumb"',
    'link "Hip"',
    'heading "Psoas Press" [level=1]',
    'region "What it works and why"',
    'region "Who it helps"',
    'region "Before you start"',
    'region "Step by step"',
    'group "Hold timer for Psoas Press"',
    'button "Start"',
    'region "How often, and what to pair it with"',
    'complementary "When to back off"',
    'link "Printable instructions (PDF, A4)"',
    'navigation "More for the hip"',
    "note:",
    'heading "Questions and answers" [level=2]',
    'heading "Leave a reply" [level=3]',
    "contentinfo:",
]


def test_a_technique_page_reads_in_the_order_a_person_needs_it(site, browser):
    """Landmarks, headings and the timer come in reading order; slashes and icons are silent."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{site.url}/techniques/psoas-press/")
    page.wait_for_load_state("load")
    tree = page.locator("body").aria_snapshot()
    context.close()
    print(tree)  # the log keeps the whole tree, for the next screen-reader pass
    positions = [tree.find(item) for item in READING_ORDER]
    missing = [item for item, at in zip(READING_ORDER, positions, strict=True) if at < 0]
    assert missing == []
    assert positions == sorted(positions), "read out of order"
    breadcrumb = tree[tree.find('navigation "Breadcrumb"') : tree.find("article")]
    read_aloud = [line for line in breadcrumb.splitlines() if "/url:" not in line]
    assert "/" not in "\n".join(read_aloud)
    assert "img" not in tree[: tree.find("region")]  # the body map beside the name
