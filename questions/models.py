"""Questions and answers under each technique: comments, flags and follows.

The tables keep the names they had when this lived in the techniques app
(``db_table``), so moving the code moved no rows.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from questions.text import comment_to_html
from techniques.models import Technique

COMMENT_MAX_DEPTH = 3  # levels shown: a comment, a reply, a reply to that reply


class Comment(models.Model):
    """A question, remark or reply under a technique; ``parent`` makes the thread."""

    class Kind(models.TextChoices):
        QUESTION = "question", "Question"
        REMARK = "remark", "Remark"
        REPLY = "reply", "Reply"

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting moderation"
        PUBLISHED = "published", "Published"
        HIDDEN = "hidden", "Hidden by staff"
        REMOVED = "removed", "Removed (placeholder)"

    technique = models.ForeignKey(Technique, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="technique_comments",
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    # The top-level comment of the thread (null on top-level comments themselves).
    root = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="thread_comments"
    )
    depth = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.QUESTION)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    body = models.TextField(blank=True)
    # The body as readers see it (paragraphs, links, sanitised), made when the text is
    # written: a thread page shows forty comments, and nh3 on each cost a tenth of the
    # page's build.
    body_html = models.TextField(blank=True, editable=False)
    # Questions only: the reply the asker or staff picked as the answer.
    answer = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "techniques_comment"
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["technique", "created_at"], name="comment_technique_time"),
            # Counted from the index alone: each technique page's heading and the
            # catalogue's counts read published comments per technique (the catalogue's
            # count of 100,000 comments took 106 ms through the heap, 34 ms this way).
            models.Index(fields=["technique", "status"], name="comment_technique_status"),
            # A thread page lists one technique's top-level comments in order.
            models.Index(
                fields=["technique", "created_at", "id"],
                condition=Q(parent__isnull=True),
                name="comment_thread_tops",
            ),
            # Home's latest answered questions, newest answer first.
            models.Index(
                fields=["-answered_at", "-id"],
                condition=Q(kind="question", status="published", answer__isnull=False),
                name="comment_answered_recent",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["question", "remark", "reply"]), name="comment_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "published", "hidden", "removed"]),
                name="comment_status_valid",
            ),
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="comment_not_own_parent"),
            models.CheckConstraint(condition=~Q(answer=F("pk")), name="comment_not_own_answer"),
            # Replies have a parent and a root; top-level comments have neither.
            models.CheckConstraint(
                condition=(
                    Q(kind="reply", parent__isnull=False, root__isnull=False, depth__gte=1)
                    | Q(kind__in=["question", "remark"], parent__isnull=True, root__isnull=True)
                    & Q(depth=0)
                ),
                name="comment_reply_has_parent",
            ),
            models.CheckConstraint(
                condition=Q(depth__lt=COMMENT_MAX_DEPTH), name="comment_depth_limit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} on {self.technique_id}"

    def save(self, *args, **kwargs) -> None:
        """Save, with :attr:`body_html` made from the body being saved."""
        self.body_html = comment_to_html(self.body)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "body" in update_fields:
            kwargs["update_fields"] = {*update_fields, "body_html"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        """The permalink: redirects to the right page of the thread, at ``#comment-<id>``."""
        return reverse("techniques:comment", kwargs={"pk": self.pk})

    @property
    def thread_id(self) -> int:
        return self.root_id or self.pk

    @property
    def is_question(self) -> bool:
        return self.kind == self.Kind.QUESTION


class CommentFlag(models.Model):
    """A member asking staff to look at a comment."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="flags")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_flags"
    )
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "techniques_commentflag"
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["comment", "member"], name="one_flag_per_member"),
        ]

    def __str__(self) -> str:
        return f"Flag on comment #{self.comment_id}"


class ThreadSubscription(models.Model):
    """A member's choice about emails for one thread: following it, or muting it."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="thread_subscriptions"
    )
    thread = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="subscriptions")
    following = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "techniques_threadsubscription"
        ordering = ["thread", "member"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "thread"], name="one_subscription_per_thread"
            ),
        ]

    def __str__(self) -> str:
        return f"{'Follows' if self.following else 'Muted'} thread #{self.thread_id}"
