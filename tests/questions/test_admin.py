"""The comment admin's bulk actions tell staff what they did in plain English."""

import pytest
from django.urls import reverse

from questions.models import Comment
from tests.factories import CommentFactory, TechniqueFactory

pytestmark = pytest.mark.django_db


def _act(admin_client, action, comments):
    response = admin_client.post(
        reverse("admin:questions_comment_changelist"),
        {"action": action, "_selected_action": [c.pk for c in comments]},
        follow=True,
    )
    return [str(m) for m in response.context["messages"]]


@pytest.mark.parametrize(
    ("count", "message"), [(1, "Approved 1 comment."), (3, "Approved 3 comments.")]
)
def test_approving_in_bulk_counts_the_comments_in_words(admin_client, count, message):
    """One comment is "1 comment", several are "3 comments", never "comment(s)"."""
    technique = TechniqueFactory()
    pending = CommentFactory.create_batch(count, technique=technique, status="pending")
    assert _act(admin_client, "approve", pending) == [message]
    assert Comment.objects.filter(status=Comment.Status.PUBLISHED).count() == count


@pytest.mark.parametrize(("count", "message"), [(1, "Hid 1 comment."), (2, "Hid 2 comments.")])
def test_hiding_in_bulk_counts_the_comments_in_words(admin_client, count, message):
    """The hide action's message agrees in number with what was hidden."""
    technique = TechniqueFactory()
    shown = CommentFactory.create_batch(count, technique=technique)
    assert _act(admin_client, "hide", shown) == [message]
    assert Comment.objects.filter(status=Comment.Status.HIDDEN).count() == count
