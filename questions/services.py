"""Writes to the question-and-answer threads: posting, editing, moderation, answers, flags."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from members.services import profile_for, profile_update
from questions import emails, tasks
from questions.models import COMMENT_MAX_DEPTH, Comment, CommentFlag, ThreadSubscription
from questions.text import comment_normalise
from techniques.models import FaqEntry, Technique

BODY_MIN_LENGTH = 2
BODY_MAX_LENGTH = 5000
EDIT_WINDOW = timedelta(minutes=15)
# The same text from the same author in the same place within this long is one comment:
# a second press of the button, or Back and send again after the first went through.
DUPLICATE_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True)
class RateLimit:
    seconds: int
    limit: int
    message: str


# Per member; staff are not limited (they answer many questions in a sitting).
RATE_LIMITS = (
    RateLimit(
        60,
        5,
        "You have posted 5 comments in the last minute. Take a breath and try again "
        "in a minute; your text is still here.",
    ),
    RateLimit(
        24 * 60 * 60,
        50,
        "You have posted 50 comments today, which is our daily limit. "
        "Please come back tomorrow; your text is still here.",
    ),
)

BODY_TOO_SHORT = f"Write at least {BODY_MIN_LENGTH} characters."
BODY_TOO_LONG = f"Keep it to {BODY_MAX_LENGTH:,} characters or fewer (this one has %(length)s)."
PARENT_NOT_IN_TECHNIQUE = "That comment belongs to another technique."
PARENT_CLOSED = "That comment can no longer be replied to."
KIND_INVALID = "A new thread is a question or a remark."
EDIT_WINDOW_CLOSED = "Comments can be edited for 15 minutes after posting."
NOT_YOURS = "Only the author can do that."
STAFF_ONLY = "Only staff can do that."
ANSWER_NOT_ALLOWED = "Only the person who asked, or staff, can pick the answer."
ANSWER_NOT_A_REPLY = "Only a published reply to a question can be its answer."
FLAG_OWN_COMMENT = "You cannot flag your own comment."
ALREADY_POSTED = "Already posted: this comment went up a moment ago."


class RateLimited(ValidationError):
    """Too many comments in a window; the message says when to come back."""


class AlreadyPosted(ValidationError):
    """The author posted this very comment moments ago; ``comment`` is that one."""

    def __init__(self, comment: Comment) -> None:
        super().__init__(ALREADY_POSTED, code="already_posted")
        self.comment = comment


def _rate_keys(user_id: int, now: datetime) -> list[tuple[str, RateLimit]]:
    stamp = int(now.timestamp())
    return [
        (f"comment-rate:{user_id}:{rule.seconds}:{stamp // rule.seconds}", rule)
        for rule in RATE_LIMITS
    ]


def comment_rate_check(*, author: AbstractBaseUser, now: datetime | None = None) -> None:
    """Raise ``RateLimited`` if ``author`` has used up a window's allowance."""
    if author.is_staff:
        return
    keys = _rate_keys(author.pk, now or timezone.now())
    counts = cache.get_many([key for key, _ in keys])
    for key, rule in keys:
        if counts.get(key, 0) >= rule.limit:
            raise RateLimited(rule.message, code="rate_limited")


def _rate_count(*, author: AbstractBaseUser, now: datetime) -> None:
    for key, rule in _rate_keys(author.pk, now):
        cache.add(key, 0, timeout=rule.seconds)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=rule.seconds)


def comment_body_validate(body: str) -> str:
    """The normalised body, or a ``ValidationError`` with a message a member understands."""
    body = comment_normalise(body)
    if len(body) < BODY_MIN_LENGTH:
        raise ValidationError(BODY_TOO_SHORT, code="too_short")
    if len(body) > BODY_MAX_LENGTH:
        raise ValidationError(BODY_TOO_LONG, code="too_long", params={"length": f"{len(body):,}"})
    return body


def _needs_moderation(author: AbstractBaseUser) -> bool:
    """A member's first comment waits for staff; after one is approved, the rest go live."""
    if author.is_staff:
        return False
    return not Comment.objects.filter(author=author, status=Comment.Status.PUBLISHED).exists()


def comment_create(
    *,
    technique: Technique,
    author: AbstractBaseUser,
    body: str,
    parent: Comment | None = None,
    kind: str = Comment.Kind.QUESTION,
    follow: bool = False,
    display_name: str = "",
    now: datetime | None = None,
) -> Comment:
    """Post a question or remark, or a reply to ``parent``.

    Replies nest up to ``COMMENT_MAX_DEPTH`` levels; a reply to a comment on the last
    level joins that level (it is attached to the same parent), as blogs do. The same
    text in the same place from the same author within ``DUPLICATE_WINDOW`` raises
    :class:`AlreadyPosted` instead. A ``display_name`` becomes the author's, in the same
    transaction (staff are asked for one with their first answer).
    """
    now = now or timezone.now()
    body = comment_body_validate(body)
    comment = Comment(technique=technique, author=author, body=body, created_at=now)
    if parent is None:
        if kind not in (Comment.Kind.QUESTION, Comment.Kind.REMARK):
            raise ValidationError(KIND_INVALID, code="kind")
        comment.kind = kind
    else:
        if parent.technique_id != technique.pk:
            raise ValidationError(PARENT_NOT_IN_TECHNIQUE, code="parent")
        visible = parent.status == Comment.Status.PUBLISHED or (
            parent.status == Comment.Status.PENDING
            and (author.is_staff or parent.author_id == author.pk)
        )
        if not visible:
            raise ValidationError(PARENT_CLOSED, code="parent")
        if parent.depth >= COMMENT_MAX_DEPTH - 1:
            parent = parent.parent
        comment.kind = Comment.Kind.REPLY
        comment.parent = parent
        comment.root_id = parent.root_id or parent.pk
        comment.depth = parent.depth + 1
    with transaction.atomic():
        # One post at a time per author, so a double click cannot slip two copies past
        # the check below (PostgreSQL; SQLite writes one transaction at a time anyway).
        list(get_user_model().objects.select_for_update().filter(pk=author.pk).values_list("pk"))
        earlier = _same_comment(comment, since=now - DUPLICATE_WINDOW)
        if earlier is not None:
            raise AlreadyPosted(earlier)
        comment_rate_check(author=author, now=now)
        if display_name:
            profile_update(profile=profile_for(author), display_name=display_name)
        comment.status = (
            Comment.Status.PENDING if _needs_moderation(author) else Comment.Status.PUBLISHED
        )
        comment.full_clean()
        comment.save()
        if follow:
            thread_follow(thread_id=comment.thread_id, member=author, following=True)
    _rate_count(author=author, now=now)
    if comment.kind == Comment.Kind.QUESTION:
        tasks.notify_after_commit(emails.notify_new_question, comment.pk)
    if comment.kind == Comment.Kind.REPLY and comment.status == Comment.Status.PUBLISHED:
        tasks.notify_after_commit(emails.notify_reply, comment.pk)
    return comment


def _same_comment(comment: Comment, *, since: datetime) -> Comment | None:
    """The author's comment with the same text in the same place since ``since``, if any."""
    return (
        Comment.objects.filter(
            technique_id=comment.technique_id,
            author_id=comment.author_id,
            parent_id=comment.parent_id,
            body=comment.body,
            created_at__gte=since,
        )
        .exclude(status=Comment.Status.REMOVED)
        .order_by("-created_at")
        .first()
    )


def comment_can_edit(comment: Comment, user: AbstractBaseUser, now: datetime) -> bool:
    return (
        user.is_authenticated
        and comment.author_id == user.pk
        and comment.status in (Comment.Status.PUBLISHED, Comment.Status.PENDING)
        and now - comment.created_at <= EDIT_WINDOW
    )


def comment_can_delete(comment: Comment, user: AbstractBaseUser) -> bool:
    return user.is_authenticated and (user.is_staff or comment.author_id == user.pk)


def comment_update(
    *, comment: Comment, editor: AbstractBaseUser, body: str, now: datetime | None = None
) -> Comment:
    """Change the text of one's own comment within the edit window."""
    now = now or timezone.now()
    if comment.author_id != editor.pk:
        raise PermissionDenied(NOT_YOURS)
    if not comment_can_edit(comment, editor, now):
        raise PermissionDenied(EDIT_WINDOW_CLOSED)
    comment.body = comment_body_validate(body)
    comment.edited_at = now
    comment.full_clean()
    comment.save(update_fields=["body", "edited_at"])
    return comment


@transaction.atomic
def comment_delete(*, comment: Comment, by: AbstractBaseUser) -> None:
    """Delete a comment; one with replies stays as a "removed" placeholder so the thread holds."""
    if not comment_can_delete(comment, by):
        raise PermissionDenied(NOT_YOURS)
    if comment.root_id:
        Comment.objects.filter(pk=comment.root_id, answer=comment).update(
            answer=None, answered_at=None
        )
    if comment.replies.exists():
        comment.status = Comment.Status.REMOVED
        comment.body = ""
        comment.answer = None
        comment.answered_at = None
        comment.save(update_fields=["status", "body", "answer", "answered_at"])
        return
    parent = comment.parent
    comment.delete()
    # A placeholder left with nothing under it has nothing left to hold together.
    while (
        parent is not None
        and parent.status == Comment.Status.REMOVED
        and not parent.replies.exists()
    ):
        grandparent = parent.parent
        parent.delete()
        parent = grandparent


def _require_staff(user: AbstractBaseUser) -> None:
    if not (user.is_authenticated and user.is_staff):
        raise PermissionDenied(STAFF_ONLY)


def comment_approve(*, comment: Comment, by: AbstractBaseUser) -> Comment:
    """Publish a comment that was waiting (or hidden); a first-time reply notifies the thread."""
    _require_staff(by)
    was_pending = comment.status == Comment.Status.PENDING
    comment.status = Comment.Status.PUBLISHED
    comment.save(update_fields=["status"])
    if was_pending and comment.kind == Comment.Kind.REPLY:
        tasks.notify_after_commit(emails.notify_reply, comment.pk)
    return comment


def comment_hide(*, comment: Comment, by: AbstractBaseUser) -> Comment:
    """Take a comment off the page without deleting it (staff still see it)."""
    _require_staff(by)
    comment.status = Comment.Status.HIDDEN
    comment.save(update_fields=["status"])
    return comment


def comment_can_mark_answer(reply: Comment, question: Comment, user: AbstractBaseUser) -> bool:
    return (
        user.is_authenticated
        and question.is_question
        and reply.kind == Comment.Kind.REPLY
        and reply.root_id == question.pk
        and reply.status == Comment.Status.PUBLISHED
        and (user.is_staff or question.author_id == user.pk)
    )


@transaction.atomic
def comment_mark_answer(
    *, reply: Comment, by: AbstractBaseUser, now: datetime | None = None
) -> Comment:
    """Make ``reply`` the answer to its question, or un-mark it if it already is."""
    question = Comment.objects.select_for_update().get(pk=reply.root_id) if reply.root_id else None
    if question is None or not question.is_question:
        raise ValidationError(ANSWER_NOT_A_REPLY, code="answer")
    if not (by.is_staff or question.author_id == by.pk):
        raise PermissionDenied(ANSWER_NOT_ALLOWED)
    if not comment_can_mark_answer(reply, question, by):
        raise ValidationError(ANSWER_NOT_A_REPLY, code="answer")
    if question.answer_id == reply.pk:
        question.answer, question.answered_at = None, None
    else:
        question.answer, question.answered_at = reply, now or timezone.now()
    question.save(update_fields=["answer", "answered_at"])
    return question


def comment_flag(
    *, comment: Comment, member: AbstractBaseUser, reason: str = ""
) -> tuple[CommentFlag, bool]:
    """Ask staff to look at a comment; flagging twice is harmless (one flag per member)."""
    if comment.author_id == member.pk:
        raise ValidationError(FLAG_OWN_COMMENT, code="own")
    return CommentFlag.objects.get_or_create(
        comment=comment, member=member, defaults={"reason": reason[:200]}
    )


def comment_flags_resolve(
    *, comment: Comment, by: AbstractBaseUser, now: datetime | None = None
) -> int:
    """Mark a comment's open flags as dealt with; returns how many there were."""
    _require_staff(by)
    return comment.flags.filter(resolved_at__isnull=True).update(resolved_at=now or timezone.now())


def thread_follow(*, thread_id: int, member: AbstractBaseUser, following: bool) -> None:
    """Follow a thread (emails about new replies) or mute it (no emails at all)."""
    ThreadSubscription.objects.update_or_create(
        member=member, thread_id=thread_id, defaults={"following": following}
    )


def faq_promotable(reply: Comment) -> bool:
    """Whether ``reply`` answers a question, so that the two can go into the FAQ."""
    question = reply.root
    return (
        reply.kind == Comment.Kind.REPLY
        and reply.status == Comment.Status.PUBLISHED
        and question is not None
        and question.is_question
        and bool(question.body)
    )


@transaction.atomic
def faq_promote(*, reply: Comment, by: AbstractBaseUser, question: str, answer: str) -> FaqEntry:
    """Add a question and ``reply``'s answer to the technique's FAQ, in the wording staff
    gave them (``question`` and ``answer``), after the technique's other entries."""
    _require_staff(by)
    if not faq_promotable(reply):
        raise ValidationError(ANSWER_NOT_A_REPLY, code="answer")
    last = FaqEntry.objects.filter(technique_id=reply.technique_id).aggregate(Max("position"))
    entry = FaqEntry(
        technique_id=reply.technique_id,
        question=comment_normalise(question),
        answer=comment_normalise(answer),
        position=(last["position__max"] or 0) + 1,
        source_comment=reply,
    )
    entry.full_clean()
    entry.save()
    return entry
