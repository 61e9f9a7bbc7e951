import logging
import re
from http import HTTPStatus

import pytest
from django.core import mail
from django.test import Client

from questions import emails, services
from questions.models import ThreadSubscription
from tests.factories import CommentFactory, ProfileFactory, TechniqueFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def technique():
    return TechniqueFactory(name="Psoas Press", slug="psoas-press")


@pytest.fixture
def question(technique, user):
    return CommentFactory(technique=technique, author=user, body="Daily, or not?")


def reply(question, author, captured, body="Daily is fine if it keeps helping."):
    with captured(execute=True):
        return services.comment_create(
            technique=question.technique, author=author, body=body, parent=question
        )


def unsubscribe_path(message) -> str:
    url = re.search(r"Stop (?:emails about this thread|these emails): (\S+)", message.body)[1]
    return url.removeprefix("http://127.0.0.1:8000")


def test_asker_hears_about_a_reply(question, staff_user, user, django_capture_on_commit_callbacks):
    """The asker gets one email with the reply, a link to it and an unsubscribe link."""
    reply(question, staff_user, django_capture_on_commit_callbacks)
    [message] = [m for m in mail.outbox if "New reply" in m.subject]
    assert message.to == [user.email]
    assert "Daily is fine if it keeps helping." in message.body
    assert "(SMR Coach staff)" in message.body
    assert "/techniques/comments/" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")


def test_the_replier_and_bystanders_get_nothing(
    question, user, other_user, django_capture_on_commit_callbacks
):
    """Nobody is told about their own reply; members not in the thread hear nothing."""
    CommentFactory(author=user)
    bystander = UserFactory()
    reply(question, user, django_capture_on_commit_callbacks, body="Answering myself")
    assert mail.outbox == []
    assert bystander.email not in [to for m in mail.outbox for to in m.to]


def test_followers_hear_about_replies(
    question, staff_user, other_user, django_capture_on_commit_callbacks
):
    """Members who follow a thread get an email too."""
    services.thread_follow(thread_id=question.pk, member=other_user, following=True)
    reply(question, staff_user, django_capture_on_commit_callbacks)
    assert sorted(to for m in mail.outbox for to in m.to) == sorted(
        [question.author.email, other_user.email]
    )


def test_profile_choices_are_respected(
    question, user, staff_user, django_capture_on_commit_callbacks
):
    """An asker who turned reply emails off gets none."""
    ProfileFactory(user=user, notify_replies=False)
    reply(question, staff_user, django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_pending_reply_notifies_only_once_approved(
    question, other_user, staff_user, django_capture_on_commit_callbacks
):
    """A reply waiting for moderation is announced when staff approve it."""
    pending = reply(question, other_user, django_capture_on_commit_callbacks)
    assert pending.status == "pending"
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_approve(comment=pending, by=staff_user)
    assert [m.to for m in mail.outbox] == [[question.author.email]]


def test_staff_hear_about_new_questions(
    technique, user, staff_user, django_capture_on_commit_callbacks
):
    """Each new question emails staff who opted in, even while it awaits moderation."""
    quiet_staff = UserFactory(is_staff=True)
    ProfileFactory(user=quiet_staff, notify_new_questions=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_create(technique=technique, author=user, body="Does it hurt?")
    assert [m.to for m in mail.outbox] == [[staff_user.email]]
    assert "Does it hurt?" in mail.outbox[0].body
    assert "waits for moderation" in mail.outbox[0].body


def test_unsubscribe_link_asks_then_stops_thread_emails(
    question, user, staff_user, django_capture_on_commit_callbacks
):
    """GET shows a confirm button; POST (no sign-in, no CSRF token) mutes the thread."""
    reply(question, staff_user, django_capture_on_commit_callbacks)
    path = unsubscribe_path(mail.outbox[0])
    anonymous = Client(enforce_csrf_checks=True)
    page = anonymous.get(path)
    assert page.status_code == HTTPStatus.OK
    assert "Stop these emails" in page.content.decode()
    assert not ThreadSubscription.objects.exists()
    assert anonymous.post(path).status_code == HTTPStatus.OK
    assert ThreadSubscription.objects.get(member=user, thread=question).following is False
    mail.outbox.clear()
    reply(question, staff_user, django_capture_on_commit_callbacks, body="Another reply")
    assert mail.outbox == []


def test_staff_unsubscribe_stops_new_question_emails(
    technique, user, staff_user, django_capture_on_commit_callbacks
):
    """The link in a new-question email turns those emails off."""
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_create(technique=technique, author=user, body="First question")
    Client().post(unsubscribe_path(mail.outbox[0]))
    staff_user.profile.refresh_from_db()
    assert staff_user.profile.notify_new_questions is False


def test_tampered_unsubscribe_token_is_not_found(client, db):
    """A forged token gets a 404."""
    token = emails.unsubscribe_token(user_id=1, scope=emails.SCOPE_THREAD, thread_id=1)
    assert client.get(f"/techniques/comments/unsubscribe/{token}x/").status_code == 404


def test_a_broken_mail_server_does_not_break_posting(
    question, staff_user, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    """Sending errors are logged; the reply is saved all the same."""

    def explode(*args, **kwargs):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", explode)
    with caplog.at_level(logging.ERROR, logger="questions.emails"):
        saved = reply(question, staff_user, django_capture_on_commit_callbacks)
    assert saved.pk is not None
    assert "Could not send" in caplog.text
