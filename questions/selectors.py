"""Reads of the question-and-answer threads.

A technique's whole thread is one query (comments with their authors and profiles);
the tree, what each viewer may see and the page of top-level comments are worked out
in Python, so the page costs the same number of queries for 1 comment or 500.
"""

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString

from members.services import public_name
from questions.models import Comment, CommentFlag, ThreadSubscription
from questions.services import (
    EDIT_WINDOW,
    comment_can_delete,
    comment_can_edit,
    comment_can_mark_answer,
)
from questions.text import comment_to_html
from techniques.models import Technique

# Top-level comments (each with all its replies) per page: ten questions with their
# answers are a long scroll on a phone already, under a page of instructions.
COMMENTS_PER_PAGE = 10
PAGE_PARAMETER = "comments"

_VISIBLE_STATUSES = (Comment.Status.PUBLISHED, Comment.Status.REMOVED, Comment.Status.HIDDEN)


@dataclass
class CommentNode:
    """One comment as a viewer sees it, with its visible replies."""

    comment: Comment
    viewer: AbstractBaseUser
    now: datetime
    question: Comment | None = None
    children: list["CommentNode"] = field(default_factory=list)

    @property
    def id(self) -> int:
        return self.comment.pk

    @property
    def is_placeholder(self) -> bool:
        """Removed, or hidden from a reader who is not staff: the text is not shown."""
        status = self.comment.status
        return status == Comment.Status.REMOVED or (
            status == Comment.Status.HIDDEN and not self.viewer.is_staff
        )

    @property
    def is_pending(self) -> bool:
        return self.comment.status == Comment.Status.PENDING

    @property
    def is_hidden(self) -> bool:
        return self.comment.status == Comment.Status.HIDDEN

    @property
    def author_name(self) -> str:
        return public_name(self.comment.author)

    @property
    def author_is_staff(self) -> bool:
        return bool(self.comment.author and self.comment.author.is_staff)

    @property
    def is_answer(self) -> bool:
        return self.question is not None and self.question.answer_id == self.comment.pk

    @property
    def is_answered_question(self) -> bool:
        return self.comment.is_question and self.comment.answer_id is not None

    @cached_property
    def body_html(self) -> SafeString:
        return comment_to_html(self.comment.body)

    @property
    def is_own(self) -> bool:
        return self.viewer.is_authenticated and self.comment.author_id == self.viewer.pk

    @property
    def can_reply(self) -> bool:
        return self.viewer.is_authenticated and not self.is_placeholder and not self.is_hidden

    @property
    def can_edit(self) -> bool:
        return not self.is_placeholder and comment_can_edit(self.comment, self.viewer, self.now)

    @property
    def can_delete(self) -> bool:
        return self.comment.status != Comment.Status.REMOVED and comment_can_delete(
            self.comment, self.viewer
        )

    @property
    def can_moderate(self) -> bool:
        return self.viewer.is_authenticated and self.viewer.is_staff

    @property
    def can_flag(self) -> bool:
        return self.viewer.is_authenticated and not self.is_own and not self.is_placeholder

    @property
    def can_mark_answer(self) -> bool:
        return self.question is not None and comment_can_mark_answer(
            self.comment, self.question, self.viewer
        )


@dataclass
class Thread:
    """Everything the technique page shows of its questions and answers."""

    technique: Technique
    nodes: list[CommentNode]
    page: Page
    count: int
    following: frozenset[int] = frozenset()

    @property
    def paginated(self) -> bool:
        return self.page.paginator.num_pages > 1


def _visible_for(viewer: AbstractBaseUser) -> Q:
    if viewer.is_authenticated and viewer.is_staff:
        return Q()
    visible = Q(status__in=_VISIBLE_STATUSES)
    if viewer.is_authenticated:
        visible |= Q(author=viewer, status=Comment.Status.PENDING)
    return visible


def _prune(nodes: list[CommentNode]) -> list[CommentNode]:
    """Drop placeholders that have nothing visible under them."""
    kept = []
    for node in nodes:
        node.children = _prune(node.children)
        if node.children or not node.is_placeholder:
            kept.append(node)
    return kept


def comment_thread(
    *,
    technique: Technique,
    viewer: AbstractBaseUser,
    page_number: int = 1,
    following: frozenset[int] | None = None,
    now: datetime | None = None,
) -> Thread:
    """The technique's thread for ``viewer``: one page of top-level comments with all replies.

    ``following`` is the questions the viewer follows, when the caller already knows.
    Raises ``EmptyPage`` for a page past the last (page 1 always exists).
    """
    now = now or timezone.now()
    comments = list(
        Comment.objects.filter(technique=technique)
        .filter(_visible_for(viewer))
        .select_related("author__profile")
        .order_by("created_at", "id")
    )
    by_id = {c.pk: c for c in comments}
    nodes = {c.pk: CommentNode(comment=c, viewer=viewer, now=now) for c in comments}
    top: list[CommentNode] = []
    for comment in comments:
        node = nodes[comment.pk]
        if comment.root_id:
            node.question = by_id.get(comment.root_id)
        if comment.parent_id is None:
            top.append(node)
        elif comment.parent_id in nodes:
            nodes[comment.parent_id].children.append(node)
    top = _prune(top)
    count = sum(1 for c in comments if c.status == Comment.Status.PUBLISHED)
    page = Paginator(top, COMMENTS_PER_PAGE).page(page_number)
    if following is None:
        following = thread_reader(technique=technique, viewer=viewer).following
    return Thread(
        technique=technique, nodes=list(page), page=page, count=count, following=following
    )


@dataclass(frozen=True)
class ThreadReader:
    """Who is reading a thread, as far as it changes what they see."""

    key: str | None
    following: frozenset[int]
    # When the key stops holding by the clock: an own comment's edit window closes.
    valid_until: datetime | None = None

    def is_current(self) -> bool:
        """Whether the clock has not yet changed what this reader sees."""
        return self.valid_until is None or timezone.now() < self.valid_until


def thread_reader(
    *, technique: Technique | None, viewer: AbstractBaseUser, now: datetime | None = None
) -> ThreadReader:
    """What about ``viewer`` changes how the thread looks, with ``key`` naming it for a cache.

    Anonymous visitors all see the same thread, and so do members who have not written
    on this technique nor follow any of its questions: most readers share one copy.
    A member's own comments (pending ones included, and whether each can still be
    edited) and followed questions make their own copy. Staff get no key (no cache):
    they see comments waiting for moderation, which do not change the content version.
    ``technique`` may be None for an anonymous viewer.
    """
    if not viewer.is_authenticated:
        return ThreadReader(key="anonymous", following=frozenset())
    now = now or timezone.now()
    followed = ThreadSubscription.objects.filter(member=viewer, following=True)
    # One query: the viewer's own comments, and others' questions they follow (the
    # Follow button is never shown on one's own comments, so those are all it needs).
    rows = (
        Comment.objects.filter(technique=technique)
        .filter(Q(author=viewer) | Q(pk__in=followed.order_by().values("thread_id")))
        .order_by()
        .values_list("pk", "author_id", "status", "created_at")
    )
    comments = [Comment(pk=pk, author_id=a, status=s, created_at=c) for pk, a, s, c in rows]
    following = frozenset(c.pk for c in comments if c.author_id != viewer.pk)
    if viewer.is_staff:
        return ThreadReader(key=None, following=following)
    own = [c for c in comments if c.author_id == viewer.pk]
    editable = [c for c in own if comment_can_edit(c, viewer, now)]
    mine = sorted(f"{c.pk}:{c.status}:{int(c in editable)}" for c in own)
    key = f"member;own={','.join(mine)};following={','.join(map(str, sorted(following)))}"
    closes = min((c.created_at + EDIT_WINDOW for c in editable), default=None)
    return ThreadReader(key=key, following=following, valid_until=closes)


def comment_visible_to(*, comment: Comment, viewer: AbstractBaseUser) -> bool:
    """Whether ``viewer`` may see ``comment`` on its page (for its permalink).

    Comments waiting for moderation show to their author and staff, hidden ones to
    staff; a removed one has nothing left to show. Its parent and question must be
    on the page too, if only as "removed" placeholders (``comment`` is loaded with
    them).
    """
    staff = viewer.is_authenticated and viewer.is_staff
    own = viewer.is_authenticated and comment.author_id == viewer.pk
    shown = {
        Comment.Status.PUBLISHED: True,
        Comment.Status.PENDING: staff or own,
        Comment.Status.HIDDEN: staff,
        Comment.Status.REMOVED: False,
    }[comment.status]
    above = [c for c in (comment.parent, comment.root) if c is not None]
    return shown and all(_shows_in_thread(c, viewer) for c in above)


def _shows_in_thread(comment: Comment, viewer: AbstractBaseUser) -> bool:
    """Whether the thread shows ``comment`` to ``viewer``, as itself or as a placeholder."""
    if comment.status != Comment.Status.PENDING:
        return True
    return viewer.is_authenticated and (viewer.is_staff or comment.author_id == viewer.pk)


def comment_page_number(*, comment: Comment) -> int:
    """Which page of its technique's thread shows ``comment`` (for permalinks)."""
    top = comment.root or comment
    earlier = Comment.objects.filter(
        technique_id=comment.technique_id,
        parent__isnull=True,
        status__in=_VISIBLE_STATUSES,
        created_at__lt=top.created_at,
    ).count()
    return earlier // COMMENTS_PER_PAGE + 1


@dataclass
class StaffQueue:
    unanswered: list[Comment]
    pending: list[Comment]
    flagged: list[Comment]


def comment_queue() -> StaffQueue:
    """What needs staff: unanswered questions (oldest first), comments waiting, flags."""
    base = Comment.objects.select_related("technique", "author__profile")
    unanswered = base.filter(
        kind=Comment.Kind.QUESTION,
        answer__isnull=True,
        status__in=[Comment.Status.PUBLISHED, Comment.Status.PENDING],
    ).order_by("created_at", "id")
    pending = base.filter(status=Comment.Status.PENDING).order_by("created_at", "id")
    flagged = (
        base.annotate(open_flags=Count("flags", filter=Q(flags__resolved_at__isnull=True)))
        .filter(open_flags__gt=0)
        .order_by("created_at", "id")
    )
    return StaffQueue(unanswered=list(unanswered), pending=list(pending), flagged=list(flagged))


def open_flag_reasons(*, comment_ids: list[int]) -> QuerySet[CommentFlag]:
    return CommentFlag.objects.filter(comment_id__in=comment_ids, resolved_at__isnull=True)


def recent_answered_questions(*, limit: int = 5) -> QuerySet[Comment]:
    """The latest questions that got an answer, for the home page."""
    return (
        Comment.objects.filter(
            kind=Comment.Kind.QUESTION,
            status=Comment.Status.PUBLISHED,
            answer__isnull=False,
            technique__is_published=True,
        )
        .select_related("technique", "author__profile")
        .order_by("-answered_at", "-id")[:limit]
    )
