import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from playwright.sync_api import expect

from tests.browser.steps import PASSWORD, sign_in, sign_up_and_confirm, staff_answer
from tests.factories import ProfileFactory, UserFactory

pytestmark = pytest.mark.browser

QUESTION = "My lower back is tight every morning. Can I do the Psoas Press daily?"
ANSWER = "Yes, as long as the area gets less sensitive each time and you move better."


def test_newcomer_asks_staff_answer_and_the_asker_hears_back(site, page, browser):
    """Sign up, verify, ask under Psoas Press; staff answer; the asker sees it and gets mail."""
    staff = UserFactory(username="coach", email="coach@example.com", is_staff=True)
    staff.set_password(PASSWORD)
    staff.save()
    EmailAddress.objects.create(user=staff, email=staff.email, verified=True, primary=True)
    ProfileFactory(user=staff, display_name="Coach Sam")

    # A newcomer joins and confirms their address from the email.
    sign_up_and_confirm(page, site, "ryan@example.com", "Ryan")

    # They ask under the Psoas Press; it waits for moderation and they are told so.
    page.goto(f"{site.url}/techniques/psoas-press/")
    page.get_by_label("Your comment").fill(QUESTION)
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_text("waits for a moderator")).to_be_visible()
    question = page.locator("li.comment.is-pending").first
    expect(question).to_contain_text(QUESTION)
    expect(question).to_contain_text("Awaiting moderation")
    assert [m.to for m in mail.outbox if "New question" in m.subject] == [["coach@example.com"]]

    # Staff sign in, approve the question and answer it.
    staff_page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(staff_page, site, "coach@example.com")
    staff_answer(staff_page, site, question=QUESTION, answer=ANSWER, asker="Ryan")
    staff_page.context.close()

    # The asker sees the answer, marked as staff, and has the email about it.
    page.reload()
    answer = page.locator("li.comment.by-staff", has_text=ANSWER)
    expect(answer).to_be_visible()
    expect(answer.locator(".badge-staff")).to_have_text("Staff")
    expect(answer).to_contain_text("Coach Sam")
    answer.get_by_role("button", name="Mark as the answer").click()
    expect(page.locator("li.comment.is-answer")).to_contain_text(ANSWER)
    [notification] = [m for m in mail.outbox if "New reply" in m.subject]
    assert notification.to == ["ryan@example.com"]
    assert ANSWER in notification.body
    assert "Stop emails about this thread" in notification.body
