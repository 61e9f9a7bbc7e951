from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from questions import services
from questions.models import COMMENT_MAX_DEPTH, Comment, CommentFlag
from techniques.models import FaqEntry
from tests.factories import CommentFactory, TechniqueFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def technique():
    return TechniqueFactory(name="Psoas Press", slug="psoas-press")


@pytest.fixture
def regular(user):
    """A member whose earlier comment was approved, so new ones go live at once."""
    CommentFactory(author=user)
    return user


def test_a_members_first_comment_waits_for_moderation(technique, user):
    """The first comment of a new member is pending; once approved, the next goes live."""
    first = services.comment_create(technique=technique, author=user, body="Is this safe?")
    assert first.status == Comment.Status.PENDING
    second = services.comment_create(technique=technique, author=user, body="Still pending?")
    assert second.status == Comment.Status.PENDING


def test_approved_member_posts_go_live(technique, regular):
    """After one approved comment, a member's comments are published straight away."""
    comment = services.comment_create(technique=technique, author=regular, body="Hello there")
    assert comment.status == Comment.Status.PUBLISHED
    assert comment.kind == Comment.Kind.QUESTION


def test_staff_comments_never_wait(technique, staff_user):
    """Staff answers are published at once."""
    comment = services.comment_create(technique=technique, author=staff_user, body="Answer")
    assert comment.status == Comment.Status.PUBLISHED


def test_approving_publishes(technique, user, staff_user):
    """Staff approve a pending comment."""
    comment = services.comment_create(technique=technique, author=user, body="Hello")
    services.comment_approve(comment=comment, by=staff_user)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED


def test_members_cannot_moderate(technique, user, other_user):
    """Approve and hide are staff-only."""
    comment = CommentFactory(technique=technique, author=user, status="pending")
    with pytest.raises(PermissionDenied):
        services.comment_approve(comment=comment, by=other_user)
    with pytest.raises(PermissionDenied):
        services.comment_hide(comment=comment, by=other_user)


def test_a_reply_joins_the_thread(technique, regular, staff_user):
    """A reply points at its parent and the thread's question."""
    question = CommentFactory(technique=technique)
    reply = services.comment_create(
        technique=technique, author=staff_user, body="Yes", parent=question
    )
    assert (reply.kind, reply.parent, reply.root, reply.depth) == ("reply", question, question, 1)


def test_replies_deeper_than_the_limit_attach_at_the_last_level(technique, staff_user):
    """Replying on the last level adds a sibling there instead of nesting deeper."""
    comment = CommentFactory(technique=technique)
    for level in range(COMMENT_MAX_DEPTH + 2):
        comment = services.comment_create(
            technique=technique, author=staff_user, body=f"Deeper {level}", parent=comment
        )
    assert comment.depth == COMMENT_MAX_DEPTH - 1
    assert Comment.objects.order_by("-depth").first().depth == COMMENT_MAX_DEPTH - 1


def test_the_database_refuses_a_reply_without_parent(technique, user):
    """Kind, parent and depth are checked by the database too."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.create(technique=technique, author=user, kind="reply", body="x")


def test_the_database_refuses_an_unknown_status(technique, user):
    """Only the known statuses can be stored."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.create(technique=technique, author=user, body="x", status="spam")


def test_cannot_reply_across_techniques(technique, staff_user):
    """A reply's parent must be under the same technique."""
    elsewhere = CommentFactory()
    with pytest.raises(ValidationError, match=services.PARENT_NOT_IN_TECHNIQUE):
        services.comment_create(
            technique=technique, author=staff_user, body="Hello", parent=elsewhere
        )


@pytest.mark.parametrize(
    ("body", "message"),
    [("", services.BODY_TOO_SHORT), (" a ", services.BODY_TOO_SHORT), ("x" * 5001, "5,001")],
)
def test_length_limits(technique, regular, body, message):
    """Bodies of 2–5000 characters are accepted, with a message saying what is wrong."""
    with pytest.raises(ValidationError, match=message):
        services.comment_create(technique=technique, author=regular, body=body)


def test_author_can_edit_within_fifteen_minutes(technique, user):
    """Edits are allowed up to 15 minutes after posting and are marked."""
    posted = timezone.now()
    comment = CommentFactory(technique=technique, author=user, created_at=posted)
    services.comment_update(
        comment=comment, editor=user, body="Fixed typo", now=posted + timedelta(minutes=15)
    )
    comment.refresh_from_db()
    assert comment.body == "Fixed typo"
    assert comment.edited_at is not None


def test_edit_window_closes(technique, user):
    """After 15 minutes the text is final."""
    posted = timezone.now()
    comment = CommentFactory(technique=technique, author=user, created_at=posted)
    with pytest.raises(PermissionDenied, match=services.EDIT_WINDOW_CLOSED):
        services.comment_update(
            comment=comment, editor=user, body="Late", now=posted + timedelta(minutes=16)
        )


def test_others_cannot_edit_or_delete(technique, user, other_user):
    """Only the author edits; only the author or staff delete."""
    comment = CommentFactory(technique=technique, author=user)
    with pytest.raises(PermissionDenied):
        services.comment_update(comment=comment, editor=other_user, body="Mine now")
    with pytest.raises(PermissionDenied):
        services.comment_delete(comment=comment, by=other_user)


def test_deleting_a_comment_with_replies_leaves_a_placeholder(technique, user):
    """The thread holds: the comment becomes "removed" and its text is gone."""
    question = CommentFactory(technique=technique, author=user, body="Private detail")
    reply = CommentFactory(parent=question)
    services.comment_delete(comment=question, by=user)
    question.refresh_from_db()
    assert question.status == Comment.Status.REMOVED
    assert question.body == ""
    assert Comment.objects.filter(pk=reply.pk).exists()


def test_deleting_the_last_reply_clears_the_placeholder(technique, user, staff_user):
    """A placeholder with nothing left under it goes too."""
    question = CommentFactory(technique=technique, author=user)
    reply = CommentFactory(parent=question, author=staff_user)
    services.comment_delete(comment=question, by=user)
    services.comment_delete(comment=reply, by=staff_user)
    assert not Comment.objects.exists()


def test_deleting_without_replies_removes_the_row(technique, user):
    """A comment nobody replied to simply goes."""
    comment = CommentFactory(technique=technique, author=user)
    services.comment_delete(comment=comment, by=user)
    assert not Comment.objects.filter(pk=comment.pk).exists()


@pytest.mark.parametrize("who", ["asker", "staff"])
def test_asker_or_staff_mark_the_answer(technique, user, staff_user, who):
    """The asker or staff pick the answer; marking again un-marks it."""
    question = CommentFactory(technique=technique, author=user)
    reply = CommentFactory(parent=question, author=staff_user)
    by = user if who == "asker" else staff_user
    question = services.comment_mark_answer(reply=reply, by=by)
    assert question.answer == reply
    assert question.answered_at is not None
    question = services.comment_mark_answer(reply=reply, by=by)
    assert question.answer is None


def test_others_cannot_mark_the_answer(technique, user, other_user):
    """A member who did not ask cannot pick the answer."""
    question = CommentFactory(technique=technique, author=user)
    reply = CommentFactory(parent=question)
    with pytest.raises(PermissionDenied):
        services.comment_mark_answer(reply=reply, by=other_user)


def test_one_flag_per_member(technique, user, other_user):
    """Flagging twice keeps one flag; the database refuses a duplicate."""
    comment = CommentFactory(technique=technique, author=user)
    assert services.comment_flag(comment=comment, member=other_user)[1] is True
    assert services.comment_flag(comment=comment, member=other_user)[1] is False
    with pytest.raises(IntegrityError), transaction.atomic():
        CommentFlag.objects.create(comment=comment, member=other_user)


def test_members_cannot_flag_their_own_comment(technique, user):
    """Flags are for other people's comments."""
    comment = CommentFactory(technique=technique, author=user)
    with pytest.raises(ValidationError):
        services.comment_flag(comment=comment, member=user)


def test_rate_limit_per_minute(technique, regular):
    """The sixth comment within a minute is refused with a clear message."""
    now = timezone.now().replace(second=0)
    for n in range(5):
        services.comment_create(technique=technique, author=regular, body=f"Note {n}", now=now)
    with pytest.raises(services.RateLimited, match="in the last minute"):
        services.comment_create(technique=technique, author=regular, body="Six", now=now)


def test_rate_limit_per_day(technique, regular):
    """The fifty-first comment in a day is refused."""
    start = timezone.now().replace(hour=0, minute=0, second=0)
    for n in range(50):
        services.comment_create(
            technique=technique,
            author=regular,
            body=f"Note {n}",
            now=start + timedelta(minutes=2 * n),
        )
    with pytest.raises(services.RateLimited, match="daily limit"):
        services.comment_create(
            technique=technique, author=regular, body="Too many", now=start + timedelta(hours=2)
        )


def test_staff_promote_an_answer_to_the_faq_in_their_own_words(technique, user, staff_user):
    """The FAQ gets the wording staff gave, after the technique's other entries."""
    question = CommentFactory(technique=technique, author=user, body="Daily? Thanks!")
    reply = CommentFactory(parent=question, author=staff_user, body="Good question, Maya. Yes.")
    entry = services.faq_promote(
        reply=reply, by=staff_user, question="  Can I do it daily?\r\n", answer="Yes."
    )
    assert (entry.question, entry.answer, entry.position) == ("Can I do it daily?", "Yes.", 1)
    assert entry.source_comment == reply
    assert list(technique.faq_entries.all()) == [entry]
    with pytest.raises(PermissionDenied):
        services.faq_promote(reply=reply, by=user, question="Daily?", answer="Yes.")
    assert FaqEntry.objects.count() == 1


def test_an_faq_entry_needs_words_on_both_sides(technique, staff_user):
    """An empty question or answer is refused and nothing is stored."""
    reply = CommentFactory(parent=CommentFactory(technique=technique), author=staff_user)
    with pytest.raises(ValidationError):
        services.faq_promote(reply=reply, by=staff_user, question="Daily?", answer="  ")
    assert not FaqEntry.objects.exists()


def test_other_users_pending_comment_cannot_be_replied_to(technique, other_user):
    """Nobody replies to a comment they cannot see."""
    pending = CommentFactory(technique=technique, status="pending", author=UserFactory())
    CommentFactory(author=other_user)
    with pytest.raises(ValidationError, match=services.PARENT_CLOSED):
        services.comment_create(technique=technique, author=other_user, body="hi", parent=pending)
