"""Reads of the question-and-answer threads.

A technique page shows one page of its thread: ten top-level comments with their
replies. Two queries read it whatever the thread's size, in plain SQL (the ORM took
longer to compile them than the database to run them): the top-level comments with the
count of published ones (for the heading and the page links) and the page's comments
with their authors and profiles. Everything the template shows about each comment,
what the viewer may do with it and the addresses of those actions included, is worked
out here, once, so the template only prints.
"""

from dataclasses import dataclass, field, fields
from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from members.models import Profile, shown_name
from members.services import chosen_time_zone
from questions.models import Comment, CommentFlag, ThreadSubscription
from questions.services import (
    comment_can_delete,
    comment_can_edit,
    comment_can_mark_answer,
)
from questions.times import PostedAt, Timeline
from smrsite import sql
from smrsite.links import url_maker
from techniques.models import Technique

# Top-level comments (each with all its replies) per page: ten questions with their
# answers are a long scroll on a phone already, under a page of instructions.
COMMENTS_PER_PAGE = 10
PAGE_PARAMETER = "comments"

_VISIBLE_STATUSES = (Comment.Status.PUBLISHED, Comment.Status.REMOVED, Comment.Status.HIDDEN)


class PageNotFound(Exception):
    """A page of a thread past its last page (page 1 always exists)."""


@dataclass(frozen=True)
class CommentActions:
    """The addresses of what can be done with one comment (reversed once per thread)."""

    edit: str
    delete: str
    answer: str
    flag: str
    follow: str
    moderate: str
    faq: str


@dataclass(slots=True)
class ThreadComment:
    """The columns of one comment a thread page shows, read as a plain row.

    A page holds forty comments; model instances with their author and profile cost a
    tenth of its build. It answers what the permission checks of
    :mod:`questions.services` ask of a comment.
    """

    pk: int
    author_id: int | None
    parent_id: int | None
    root_id: int | None
    depth: int
    kind: str
    status: str
    body: str
    body_html: str
    answer_id: int | None
    created_at: datetime
    edited_at: datetime | None

    @property
    def is_question(self) -> bool:
        return self.kind == Comment.Kind.QUESTION

    @property
    def kind_label(self) -> str:
        return Comment.Kind(self.kind).label


@dataclass
class CommentNode:
    """One comment as one viewer sees it, with its visible replies, ready to print."""

    comment: ThreadComment
    children: list["CommentNode"] = field(default_factory=list)
    is_placeholder: bool = False
    is_pending: bool = False
    is_hidden: bool = False
    is_own: bool = False
    is_answer: bool = False
    is_answered_question: bool = False
    author_name: str = ""
    author_is_staff: bool = False
    body_html: SafeString | str = ""
    posted: PostedAt | None = None
    reply_url: str = ""
    actions: CommentActions | None = None
    can_reply: bool = False
    #: A visitor's "Sign in to reply" link.
    can_sign_in_to_reply: bool = False
    can_edit: bool = False
    can_delete: bool = False
    can_flag: bool = False
    can_mark_answer: bool = False
    can_follow: bool = False
    is_followed: bool = False
    can_moderate: bool = False
    can_add_to_faq: bool = False

    @property
    def id(self) -> int:
        return self.comment.pk


@dataclass
class Thread:
    """Everything the technique page shows of its questions and answers."""

    technique: Technique
    nodes: list[CommentNode]
    #: Published comments of the whole technique ("12 thoughts on …").
    count: int
    page_number: int = 1
    page_count: int = 1
    previous_url: str = ""
    next_url: str = ""
    #: Times are in the reader's chosen zone, or UTC for the browser to rewrite in its own.
    browser_time_zone: bool = False

    @property
    def paginated(self) -> bool:
        return self.page_count > 1


@dataclass(frozen=True, slots=True)
class _Viewer:
    """What the thread's rules read of the viewer, read once: ``request.user`` is a lazy
    proxy, and a page of forty comments asked it hundreds of times."""

    pk: int | None
    is_authenticated: bool
    is_staff: bool

    @classmethod
    def of(cls, user: AbstractBaseUser) -> "_Viewer":
        if not user.is_authenticated:
            return cls(pk=None, is_authenticated=False, is_staff=False)
        return cls(pk=user.pk, is_authenticated=True, is_staff=user.is_staff)


def _visible_for(viewer: _Viewer, prefix: str = "") -> Q:
    """The comments ``viewer`` sees in a thread (placeholders included); ``prefix`` reads
    the condition through a relation, e.g. ``parent__``."""
    if viewer.is_staff:
        return Q()
    visible = Q(**{f"{prefix}status__in": _VISIBLE_STATUSES})
    if viewer.is_authenticated:
        visible |= Q(**{f"{prefix}author_id": viewer.pk, f"{prefix}status": Comment.Status.PENDING})
    return visible


def _placeholder_for(viewer: _Viewer) -> Q:
    """The comments shown to ``viewer`` as "This comment was removed.", without text."""
    if viewer.is_staff:
        return Q(status=Comment.Status.REMOVED)
    return Q(status__in=[Comment.Status.REMOVED, Comment.Status.HIDDEN])


def _sees(viewer: _Viewer, status: str, author_id: int | None) -> bool:
    """Whether ``viewer`` sees a comment in a thread, placeholders included (as
    :func:`_visible_for`, on a row already read)."""
    return (
        viewer.is_staff
        or status in _VISIBLE_STATUSES
        or (status == Comment.Status.PENDING and author_id == viewer.pk is not None)
    )


def _is_placeholder(status: str, staff: bool) -> bool:
    """Whether a comment in ``status`` shows as "This comment was removed." (as
    :func:`_placeholder_for`, on a row already read)."""
    return status == Comment.Status.REMOVED or (status == Comment.Status.HIDDEN and not staff)


_TABLE = Comment._meta.db_table
# Every top-level comment of a technique in thread order (the partial index
# comment_thread_tops holds them so), each row also carrying the count of the
# technique's published comments for the heading: a technique with no top-level comment
# has no comment at all, as every reply hangs under one.
_TOPS_SQL = f"""
    SELECT c.id, c.status, c.author_id,
        (SELECT COUNT(*) FROM {_TABLE} p WHERE p.technique_id = %s AND p.status = %s)
    FROM {_TABLE} c
    WHERE c.technique_id = %s AND c.parent_id IS NULL
    ORDER BY c.created_at, c.id"""


def _thread_tops(technique_id: int, viewer: _Viewer) -> tuple[list[int], int]:
    """The ids of the top-level comments ``viewer`` sees, oldest first, and how many
    comments of the technique are published.

    One query reads every top-level comment's id, status and author and the rules of
    :func:`_visible_for` are applied to the rows. A placeholder shows only above a reply
    the viewer can read: one whose parent is shown too (a reply's parent is the
    top-level comment or, at depth 2, a reply to it); only when the technique has a
    removed or hidden question does a second query look for such replies.
    """
    rows = sql.rows(_TOPS_SQL, [technique_id, Comment.Status.PUBLISHED, technique_id])
    count = rows[0][3] if rows else 0
    shown, placeholders = [], set()
    for pk, status, author_id, _ in rows:
        if not _sees(viewer, status, author_id):
            continue
        shown.append(pk)
        if _is_placeholder(status, viewer.is_staff):
            placeholders.add(pk)
    if not placeholders:
        return shown, count
    kept = set(
        Comment.objects.filter(root__in=placeholders)
        .filter(_visible_for(viewer))
        .exclude(_placeholder_for(viewer))
        .filter(Q(depth=1) | _visible_for(viewer, "parent__"))
        .values_list("root_id", flat=True)
    )
    return [pk for pk in shown if pk not in placeholders or pk in kept], count


_ACTIONS = ("edit", "delete", "answer", "flag", "follow", "moderate", "faq")


class _Urls:
    """Comment addresses from one ``reverse()`` per name, however many comments there are."""

    def __init__(self) -> None:
        self._makers = {name: url_maker(f"techniques:comment_{name}", "pk") for name in _ACTIONS}

    def actions(self, pk: int) -> CommentActions:
        return CommentActions(**{name: make(pk) for name, make in self._makers.items()})


def _page_url(technique: Technique, number: int) -> str:
    """A page of the thread, written the one way ``?comments=`` is read (none for page 1)."""
    query = f"?{PAGE_PARAMETER}={number}" if number > 1 else ""
    return f"{technique.get_absolute_url()}{query}#comments"


def comment_thread(
    *,
    technique: Technique,
    viewer: AbstractBaseUser,
    page_number: int = 1,
    following: frozenset[int] = frozenset(),
    time_zone: str | None = None,
    now: datetime | None = None,
) -> Thread:
    """One page of the technique's thread as ``viewer`` sees it, in two queries (one
    more when a question was removed or hidden, see :func:`_thread_tops`).

    ``following`` is the questions the viewer follows and ``time_zone`` theirs, None to
    leave times to the browser (see :func:`thread_reader`). Raises :class:`PageNotFound`
    for a page past the last.
    """
    now = now or timezone.now()
    reader = _Viewer.of(viewer)
    shown, count = _thread_tops(technique.pk, reader)
    page_count = max(1, -(-len(shown) // COMMENTS_PER_PAGE))
    if not 1 <= page_number <= page_count:
        raise PageNotFound(page_number)
    start = (page_number - 1) * COMMENTS_PER_PAGE
    comments = _page_comments(shown[start : start + COMMENTS_PER_PAGE], reader)
    zone = time_zone or "UTC"
    nodes = _nodes(comments, reader, page_number, following, now, zone)
    return Thread(
        technique=technique,
        nodes=nodes,
        count=count,
        page_number=page_number,
        page_count=page_count,
        previous_url=_page_url(technique, page_number - 1) if page_number > 1 else "",
        next_url=_page_url(technique, page_number + 1) if page_number < page_count else "",
        browser_time_zone=time_zone is None,
    )


@dataclass(slots=True)
class _Author:
    """What a thread shows of a comment's author (None for a deleted account)."""

    is_staff: bool | None
    display_name: str | None


_COLUMNS = tuple(f.name for f in fields(ThreadComment))
_FIELDS = (
    *(Comment._meta.pk if name == "pk" else Comment._meta.get_field(name) for name in _COLUMNS),
    get_user_model()._meta.get_field("is_staff"),
    Profile._meta.get_field("display_name"),
)
_PAGE_SQL = f"""
    SELECT {", ".join(f"c.{f.column}" for f in _FIELDS[: len(_COLUMNS)])},
        author.is_staff, profile.display_name
    FROM {_TABLE} c
    LEFT JOIN {get_user_model()._meta.db_table} author ON author.id = c.author_id
    LEFT JOIN {Profile._meta.db_table} profile ON profile.user_id = c.author_id
    WHERE c.id IN ({{ids}}) OR c.root_id IN ({{ids}})
    ORDER BY c.created_at, c.id"""


def _page_comments(tops: list[int], viewer: _Viewer) -> list[tuple[ThreadComment, _Author]]:
    """The comments of the threads ``tops`` that ``viewer`` sees, oldest first, with
    their authors, in one query (the few the viewer may not see are dropped here, by the
    rule that chose the threads)."""
    if not tops:
        return []
    ids = ", ".join(["%s"] * len(tops))
    found = sql.rows(_PAGE_SQL.format(ids=ids), [*tops, *tops])
    width = len(_COLUMNS)
    comments = (
        (ThreadComment(*row[:width]), _Author(*row[width:]))
        for row in sql.converted(_FIELDS, found)
    )
    return [pair for pair in comments if _sees(viewer, pair[0].status, pair[0].author_id)]


def _nodes(comments, viewer, page_number, following, now, time_zone) -> list[CommentNode]:
    """The page's tree: each comment under its parent, with all it shows worked out."""
    urls = _Urls()
    page_query = f"{PAGE_PARAMETER}={page_number}&" if page_number > 1 else ""
    staff = viewer.is_staff
    by_id = {c.pk: c for c, _ in comments}
    nodes: dict[int, CommentNode] = {}
    top: list[CommentNode] = []
    times = Timeline(now=now, time_zone=time_zone)
    for comment, author in comments:
        question = by_id.get(comment.root_id) if comment.root_id else None
        node = _node(comment, author, question, viewer, staff, urls, following, now)
        node.posted = times.posted_at(comment.created_at)
        # Relative, as short as it can be: a page of ten threads carries dozens of them.
        node.reply_url = f"?{page_query}replyto={comment.pk}#reply-{comment.pk}"
        nodes[comment.pk] = node
        if comment.parent_id is None:
            top.append(node)
        elif comment.parent_id in nodes:
            nodes[comment.parent_id].children.append(node)
    return _prune(top)


def _node(comment, author, question, viewer, staff, urls, following, now) -> CommentNode:
    status = comment.status
    placeholder = _is_placeholder(status, staff)
    node = CommentNode(comment=comment, is_placeholder=placeholder)
    if placeholder:
        return node
    signed_in = viewer.is_authenticated
    node.is_pending = status == Comment.Status.PENDING
    node.is_hidden = status == Comment.Status.HIDDEN
    node.is_own = signed_in and comment.author_id == viewer.pk
    node.is_answer = question is not None and question.answer_id == comment.pk
    node.is_answered_question = comment.is_question and comment.answer_id is not None
    node.author_name = shown_name(display_name=author.display_name, user_id=comment.author_id)
    node.author_is_staff = bool(author.is_staff)
    # Made from the body when it was saved (Comment.save).
    node.body_html = mark_safe(comment.body_html)
    # Visitors are offered no action on a comment, so no address is made for them.
    node.actions = urls.actions(comment.pk) if signed_in else None
    node.can_reply = signed_in and not node.is_hidden
    node.can_sign_in_to_reply = not signed_in
    node.can_edit = comment_can_edit(comment, viewer, now)
    node.can_delete = comment_can_delete(comment, viewer)
    node.can_flag = signed_in and not node.is_own
    node.can_mark_answer = question is not None and comment_can_mark_answer(
        comment, question, viewer
    )
    node.can_follow = comment.is_question and signed_in and not node.is_own
    node.is_followed = comment.pk in following
    node.can_moderate = staff
    node.can_add_to_faq = (
        staff
        and comment.kind == Comment.Kind.REPLY
        and question is not None
        and question.is_question
        and not node.is_pending
    )
    return node


def _prune(nodes: list[CommentNode]) -> list[CommentNode]:
    """Drop placeholders that have nothing visible under them."""
    kept = []
    for node in nodes:
        node.children = _prune(node.children)
        if node.children or not node.is_placeholder:
            kept.append(node)
    return kept


@dataclass(frozen=True)
class ThreadReader:
    """Who is reading a thread, as far as it changes what they see."""

    key: str | None
    following: frozenset[int]
    #: Comment times are shown in it; None (visitors, members who have not picked one)
    #: leaves it to the browser.
    time_zone: str | None = None


# One query: the viewer's own comments on the technique, and others' questions they
# follow (the Follow button is never shown on one's own comments, so those are all it
# needs).
_READER_SQL = f"""
    SELECT c.id, c.author_id, c.status, c.created_at
    FROM {_TABLE} c JOIN {Technique._meta.db_table} t ON t.id = c.technique_id
    WHERE t.slug = %s AND (c.author_id = %s OR c.id IN (
        SELECT s.thread_id FROM {ThreadSubscription._meta.db_table} s
        WHERE s.member_id = %s AND s.following = %s))"""
_READER_FIELDS = tuple(
    Comment._meta.get_field(name) for name in ("id", "author", "status", "created_at")
)


def thread_reader(
    *, technique_slug: str | None, viewer: AbstractBaseUser, now: datetime | None = None
) -> ThreadReader:
    """What about ``viewer`` changes how the thread looks, with ``key`` naming it for a cache.

    Anonymous visitors all see the same thread, and so do members who have not written
    on this technique nor follow any of its questions: most readers share one copy.
    A member's own comments (pending ones included, and whether each can still be
    edited), followed questions and a time zone of their own make their own copy. Staff
    get no key (no cache): they see comments waiting for moderation and hidden ones.
    ``technique_slug`` (read by slug, so the page need not load the technique first) may
    be None for an anonymous viewer.
    """
    if not viewer.is_authenticated:
        return ThreadReader(key="anonymous", following=frozenset())
    now = now or timezone.now()
    zone = chosen_time_zone(viewer)
    params = [technique_slug, viewer.pk, viewer.pk, True]
    found = sql.converted(_READER_FIELDS, sql.rows(_READER_SQL, params))
    comments = [Comment(pk=pk, author_id=a, status=s, created_at=c) for pk, a, s, c in found]
    following = frozenset(c.pk for c in comments if c.author_id != viewer.pk)
    if viewer.is_staff:
        return ThreadReader(key=None, following=following, time_zone=zone)
    own = [c for c in comments if c.author_id == viewer.pk]
    editable = [c for c in own if comment_can_edit(c, viewer, now)]
    mine = sorted(f"{c.pk}:{c.status}:{int(c in editable)}" for c in own)
    followed_ids = ",".join(map(str, sorted(following)))
    key = f"member;tz={zone or 'browser'};own={','.join(mine)};following={followed_ids}"
    return ThreadReader(key=key, following=following, time_zone=zone)


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


def comment_page_number(*, comment: Comment, viewer: AbstractBaseUser) -> int:
    """Which page of its technique's thread shows ``comment`` to ``viewer`` (permalinks);
    page 1 for a comment the viewer does not see (:func:`comment_visible_to`)."""
    top = comment.root or comment
    shown, _ = _thread_tops(comment.technique_id, _Viewer.of(viewer))
    return (shown.index(top.pk) if top.pk in shown else 0) // COMMENTS_PER_PAGE + 1


@dataclass
class QueueItem:
    """A comment in the staff queue, with when it was posted in the reader's time zone."""

    comment: Comment
    posted: PostedAt


@dataclass
class StaffQueue:
    unanswered: list[QueueItem]
    pending: list[QueueItem]
    flagged: list[QueueItem]
    #: As :attr:`Thread.browser_time_zone`.
    browser_time_zone: bool = False


def comment_queue(*, viewer: AbstractBaseUser, now: datetime | None = None) -> StaffQueue:
    """What needs staff: unanswered questions (oldest first), comments waiting, flags."""
    now = now or timezone.now()
    zone = chosen_time_zone(viewer)

    times = Timeline(now=now, time_zone=zone or "UTC")

    def items(comments: QuerySet[Comment]) -> list[QueueItem]:
        return [QueueItem(comment=c, posted=times.posted_at(c.created_at)) for c in comments]

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
    return StaffQueue(
        unanswered=items(unanswered),
        pending=items(pending),
        flagged=items(flagged),
        browser_time_zone=zone is None,
    )


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
