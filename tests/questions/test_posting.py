"""Posting twice, staff who have no name yet, and FAQ entries in staff's own words."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from members.models import Profile
from questions import services
from questions.models import Comment
from techniques.models import FaqEntry
from tests.factories import CommentFactory, ProfileFactory, TechniqueFactory, UserFactory

pytestmark = pytest.mark.django_db

QUESTION = "Can I do the Psoas Press straight after a run?"


@pytest.fixture
def technique():
    return TechniqueFactory(name="Psoas Press", slug="psoas-press")


def _post(client, technique, **data):
    url = reverse("techniques:comment_create", args=[technique.slug])
    return client.post(url, {"body": QUESTION, "kind": "question", **data})


def test_posting_the_same_question_again_makes_one_comment(auth_client, user, technique):
    """Back and send again: the second press says "Already posted" and links the first."""
    first = _post(auth_client, technique)
    again = _post(auth_client, technique)
    [comment] = Comment.objects.all()
    assert again.status_code == HTTPStatus.FOUND
    assert again["Location"] == first["Location"] == comment.get_absolute_url()
    message = str(list(get_messages(again.wsgi_request))[-1])
    assert message.startswith("Already posted")
    assert f'<a href="{comment.get_absolute_url()}">See it</a>' in message


def test_the_already_posted_message_shows_on_the_page_with_its_link(auth_client, technique):
    """The message reaches the reader as a working link, not as escaped markup."""
    _post(auth_client, technique)
    auth_client.get(technique.get_absolute_url())  # shows the first post's own message
    shown = _post(auth_client, technique)
    page = auth_client.get(shown["Location"], follow=True).content.decode()
    comment = Comment.objects.get()
    assert f'<a href="{comment.get_absolute_url()}">See it</a>' in page


def test_the_same_text_elsewhere_or_later_is_a_new_comment(technique, user):
    """A reply with the question's text, or the same text after ten minutes, is posted."""
    CommentFactory(author=user)  # approved before: these go live
    now = timezone.now()
    question = services.comment_create(technique=technique, author=user, body=QUESTION, now=now)
    reply = services.comment_create(
        technique=technique, author=user, body=QUESTION, parent=question, now=now
    )
    later = services.comment_create(
        technique=technique,
        author=user,
        body=QUESTION,
        now=now + services.DUPLICATE_WINDOW + timedelta(seconds=1),
    )
    assert len({question.pk, reply.pk, later.pk}) == 3


def test_another_member_may_ask_the_same_question(technique, user, other_user):
    """Only one's own earlier comment counts as posted already."""
    services.comment_create(technique=technique, author=user, body=QUESTION)
    services.comment_create(technique=technique, author=other_user, body=QUESTION)
    assert Comment.objects.count() == 2


def test_the_service_names_the_comment_already_posted(technique, user):
    """``AlreadyPosted`` carries the first comment, whitespace differences aside."""
    first = services.comment_create(technique=technique, author=user, body=QUESTION)
    with pytest.raises(services.AlreadyPosted) as raised:
        services.comment_create(technique=technique, author=user, body=f"  {QUESTION}\r\n")
    assert raised.value.comment == first


@pytest.fixture
def nameless_staff():
    return UserFactory(username="lead", is_staff=True)


def test_staff_without_a_name_are_asked_for_one_on_the_form(nameless_staff, technique):
    """The reply box shows "Your name on answers" to staff who have no display name."""
    client = Client()
    client.force_login(nameless_staff)
    page = client.get(technique.get_absolute_url()).content.decode()
    assert "Your name on answers" in page


def test_staff_cannot_post_without_giving_a_name(nameless_staff, technique):
    """Without a name nothing is posted and the text comes back."""
    client = Client()
    client.force_login(nameless_staff)
    response = _post(client, technique)
    assert response.status_code == HTTPStatus.OK
    assert QUESTION in response.content.decode()
    assert "Your name on answers" in response.content.decode()
    assert not Comment.objects.exists()


def test_staffs_first_answer_is_signed_with_the_name_they_give(nameless_staff, technique):
    """The name is saved as their display name and their answer shows it."""
    client = Client()
    client.force_login(nameless_staff)
    _post(client, technique, display_name="Coach Sam")
    assert Profile.objects.get(user=nameless_staff).display_name == "Coach Sam"
    page = Client().get(technique.get_absolute_url()).content.decode()
    assert "Coach Sam" in page
    assert f"Member {nameless_staff.pk}" not in page
    assert "Your name on answers" not in client.get(technique.get_absolute_url()).content.decode()


def test_members_and_named_staff_are_not_asked(auth_client, staff_client, staff_user, technique):
    """Members' names come from sign-up; staff with a name are not asked again."""
    ProfileFactory(user=staff_user, display_name="Coach Sam")
    for client in (auth_client, staff_client):
        assert (
            "Your name on answers" not in client.get(technique.get_absolute_url()).content.decode()
        )


@pytest.fixture
def answer(technique, staff_user):
    question = CommentFactory(technique=technique, body="Can I do it daily? Thanks!!")
    return CommentFactory(parent=question, author=staff_user, body="Good question, Maya. Yes.")


def _faq_url(comment):
    return reverse("techniques:comment_faq", args=[comment.pk])


def test_add_to_faq_opens_a_form_with_the_thread_wording(staff_client, answer):
    """Staff start from the question's and the answer's own words."""
    page = staff_client.get(_faq_url(answer)).content.decode()
    assert "Can I do it daily? Thanks!!" in page
    assert "Good question, Maya. Yes." in page


def test_the_faq_gets_the_wording_staff_wrote(staff_client, client, answer, technique):
    """The edited question and answer go into the FAQ, and so onto the page and handout."""
    response = staff_client.post(
        _faq_url(answer), {"question": "Can I do it daily?", "answer": "Yes, if it helps."}
    )
    assert response["Location"] == f"{technique.get_absolute_url()}#faq-heading"
    entry = FaqEntry.objects.get()
    assert (entry.question, entry.answer, entry.source_comment) == (
        "Can I do it daily?",
        "Yes, if it helps.",
        answer,
    )
    page = client.get(technique.get_absolute_url()).content.decode()
    assert "Yes, if it helps." in page
    assert "Good question, Maya" not in page.split("Asked and answered")[1].split("</section>")[0]


def test_an_empty_faq_answer_comes_back_with_the_question_kept(staff_client, answer):
    """A form error, the staff's wording kept, nothing stored."""
    response = staff_client.post(_faq_url(answer), {"question": "Daily?", "answer": "  "})
    assert response.status_code == HTTPStatus.OK
    assert "Daily?" in response.content.decode()
    assert not FaqEntry.objects.exists()


def test_only_an_answer_to_a_question_can_go_into_the_faq(staff_client, technique):
    """A top-level comment, or a reply to a remark, has no question to pair: 404."""
    remark = CommentFactory(technique=technique, kind="remark")
    reply = CommentFactory(parent=remark)
    assert staff_client.get(_faq_url(remark)).status_code == HTTPStatus.NOT_FOUND
    assert staff_client.get(_faq_url(reply)).status_code == HTTPStatus.NOT_FOUND


def test_members_cannot_open_the_faq_form(auth_client, answer):
    """The form is staff's: members get 404."""
    assert auth_client.get(_faq_url(answer)).status_code == HTTPStatus.NOT_FOUND
