"""Odd ?comments= values, permalinks of comments a reader may not see, deletes in the admin."""

import random
import string
from http import HTTPStatus

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from questions.models import Comment
from questions.selectors import COMMENTS_PER_PAGE
from tests.factories import CommentFactory, TechniqueFactory, UserFactory, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def technique():
    return TechniqueFactory(name="Psoas Press", slug="psoas-press")


@pytest.fixture
def two_pages(technique):
    """Eleven questions: the thread has two pages."""
    return CommentFactory.create_batch(COMMENTS_PER_PAGE + 1, technique=technique)


def _stored_keys() -> set:
    """Every key the cache holds now (the in-process cache or this test run's Redis db)."""
    store = getattr(cache, "_cache", None)
    if isinstance(store, dict):
        return set(store)
    return set(store.get_client().keys("*"))


@pytest.mark.parametrize(
    ("value", "location"),
    [
        ("abc", "/techniques/psoas-press/#comments"),
        ("", "/techniques/psoas-press/#comments"),
        ("0", "/techniques/psoas-press/#comments"),
        ("1", "/techniques/psoas-press/#comments"),
        ("02", "/techniques/psoas-press/?comments=2#comments"),
        ("²", "/techniques/psoas-press/#comments"),
        ("2.0", "/techniques/psoas-press/#comments"),
        ("-2", "/techniques/psoas-press/#comments"),
        ("9" * 5000, "/techniques/psoas-press/#comments"),
    ],
)
def test_a_comments_value_that_is_not_a_page_number_goes_to_the_canonical_page(
    client, two_pages, value, location
):
    """``?comments=abc`` redirects to the first page, ``?comments=02`` to ``?comments=2``."""
    response = client.get("/techniques/psoas-press/", {"comments": value})
    assert response.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert response["Location"] == location


def test_a_repeated_comments_parameter_goes_to_the_canonical_page(client, two_pages):
    """``?comments=2&comments=2`` is one address too many: it redirects to ``?comments=2``."""
    response = client.get("/techniques/psoas-press/?comments=2&comments=2")
    assert response["Location"] == "/techniques/psoas-press/?comments=2#comments"


def test_the_canonical_redirect_keeps_a_reply_link(two_pages):
    """A member's reply link with a junk page still opens the reply form, on page 1."""
    member = client_for(UserFactory(username="maya"))
    question = two_pages[0]
    response = member.get(f"/techniques/psoas-press/?comments=x&replyto={question.pk}")
    assert response["Location"] == (
        f"/techniques/psoas-press/?replyto={question.pk}#reply-{question.pk}"
    )


@pytest.mark.parametrize("viewer", ["anonymous", "member"])
def test_a_page_past_the_last_is_not_found(two_pages, viewer):
    """Page 2 of a two-page thread shows; page 3 and page 10**18 are 404."""
    reader = Client() if viewer == "anonymous" else client_for(UserFactory(username="maya"))
    assert reader.get("/techniques/psoas-press/?comments=2").status_code == HTTPStatus.OK
    assert reader.get("/techniques/psoas-press/?comments=3").status_code == HTTPStatus.NOT_FOUND
    huge = f"/techniques/psoas-press/?comments={10**18}"
    assert reader.get(huge).status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize("viewer", ["anonymous", "member"])
def test_random_comments_values_add_nothing_to_the_cache(settings, two_pages, viewer):
    """Two hundred made-up ``?comments=`` values store no new cache entry."""
    settings.PAGE_CACHE_SECONDS = 300
    reader = Client() if viewer == "anonymous" else client_for(UserFactory(username="maya"))
    for page in ("", "?comments=2"):  # the real pages, cached once each
        assert reader.get(f"/techniques/psoas-press/{page}").status_code == HTTPStatus.OK
    before = _stored_keys()
    chance = random.Random(11)
    for _ in range(200):
        value = "".join(chance.choices(string.ascii_letters + string.digits + "-.", k=8))
        response = reader.get("/techniques/psoas-press/", {"comments": value})
        assert response.status_code in (HTTPStatus.MOVED_PERMANENTLY, HTTPStatus.NOT_FOUND)
    for number in range(3, 50):
        response = reader.get("/techniques/psoas-press/", {"comments": number})
        assert response.status_code == HTTPStatus.NOT_FOUND
    assert _stored_keys() - before == set()


@pytest.fixture
def author():
    return UserFactory(username="newcomer")


@pytest.fixture
def pending(technique, author):
    return CommentFactory(technique=technique, author=author, status="pending")


@pytest.fixture
def hidden(technique, author):
    return CommentFactory(technique=technique, author=author, status="hidden")


def _permalink_status(client, comment) -> int:
    return client.get(reverse("techniques:comment", args=[comment.pk])).status_code


def test_a_pending_comments_permalink_is_only_for_its_author_and_staff(
    client, pending, author, staff_client
):
    """Visitors and other members get 404; the author and staff reach it on the page."""
    other = client_for(UserFactory(username="other"))
    assert _permalink_status(client, pending) == HTTPStatus.NOT_FOUND
    assert _permalink_status(other, pending) == HTTPStatus.NOT_FOUND
    assert _permalink_status(client_for(author), pending) == HTTPStatus.FOUND
    assert _permalink_status(staff_client, pending) == HTTPStatus.FOUND


def test_a_hidden_comments_permalink_is_only_for_staff(client, hidden, author, staff_client):
    """Hidden comments are staff's to see: everyone else, author included, gets 404."""
    assert _permalink_status(client, hidden) == HTTPStatus.NOT_FOUND
    assert _permalink_status(client_for(author), hidden) == HTTPStatus.NOT_FOUND
    assert _permalink_status(staff_client, hidden) == HTTPStatus.FOUND


def test_a_reply_under_a_pending_question_is_not_found_for_visitors(
    client, pending, staff_user, staff_client
):
    """A published reply whose question still waits is not on the page, so not linked."""
    reply = CommentFactory(parent=pending, author=staff_user)
    assert _permalink_status(client, reply) == HTTPStatus.NOT_FOUND
    assert _permalink_status(staff_client, reply) == HTTPStatus.FOUND


def test_a_reply_under_a_hidden_question_keeps_its_permalink(client, hidden):
    """A hidden question shows as a placeholder above its replies, which stay linkable."""
    reply = CommentFactory(parent=hidden)
    assert _permalink_status(client, reply) == HTTPStatus.FOUND


@pytest.fixture
def question_with_replies(technique):
    question = CommentFactory(technique=technique, body="How long should I hold it?")
    first = CommentFactory(parent=question, body="Two minutes a side.")
    CommentFactory(parent=first, body="Thanks, that helped.")
    return question


def _admin_delete_url(comment):
    return reverse("admin:questions_comment_delete", args=[comment.pk])


def test_deleting_a_question_in_the_admin_keeps_its_replies(admin_client, question_with_replies):
    """The admin's delete leaves a removed placeholder and every reply, as the page does."""
    admin_client.post(_admin_delete_url(question_with_replies), {"post": "yes"})
    question_with_replies.refresh_from_db()
    assert question_with_replies.status == Comment.Status.REMOVED
    assert question_with_replies.body == ""
    assert Comment.objects.filter(root=question_with_replies).count() == 2


def test_the_admins_delete_page_does_not_promise_to_delete_replies(
    admin_client, question_with_replies
):
    """The confirmation lists the comment and says it stays as a placeholder."""
    page = admin_client.get(_admin_delete_url(question_with_replies)).content.decode()
    assert "stays as “This comment was removed.”" in page
    assert "Two minutes a side" not in page
    assert "Reply #" not in page


def test_bulk_delete_in_the_admin_keeps_replies_of_what_it_deletes(
    admin_client, technique, question_with_replies
):
    """The "delete selected" action goes through the service for each comment."""
    lone = CommentFactory(technique=technique, body="Nothing under me")
    admin_client.post(
        reverse("admin:questions_comment_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [question_with_replies.pk, lone.pk],
            "post": "yes",
        },
    )
    assert not Comment.objects.filter(pk=lone.pk).exists()
    question_with_replies.refresh_from_db()
    assert question_with_replies.status == Comment.Status.REMOVED
    assert Comment.objects.filter(root=question_with_replies).count() == 2


def test_bulk_deleting_a_whole_thread_in_the_admin_leaves_nothing(
    admin_client, question_with_replies
):
    """Picking a question and all its replies deletes them all, placeholders included."""
    thread = [
        question_with_replies.pk,
        *question_with_replies.thread_comments.values_list("pk", flat=True),
    ]
    admin_client.post(
        reverse("admin:questions_comment_changelist"),
        {"action": "delete_selected", "_selected_action": thread, "post": "yes"},
    )
    assert not Comment.objects.exists()
