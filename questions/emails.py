"""Notification emails about questions and replies.

``questions.tasks`` sends them after the posting transaction commits and never raises:
a mail server that is down must not cost a member their reply. Every email carries a signed link
that stops that kind of email without signing in, and RFC 8058 ``List-Unsubscribe``
headers so mail programs can offer the same in one click.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.urls import reverse

from members.models import Profile
from members.services import public_name
from questions.models import Comment, ThreadSubscription
from smrsite.mail import site_email

logger = logging.getLogger(__name__)

# Named after the app the links were first made in: links already sent must still work.
UNSUBSCRIBE_SALT = "techniques.comments.unsubscribe"
SCOPE_THREAD = "thread"
SCOPE_NEW_QUESTIONS = "new-questions"


def unsubscribe_token(*, user_id: int, scope: str, thread_id: int | None = None) -> str:
    return signing.dumps({"u": user_id, "s": scope, "t": thread_id}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_read(token: str) -> dict:
    """The token's content; ``signing.BadSignature`` if it was tampered with."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if data.get("s") not in (SCOPE_THREAD, SCOPE_NEW_QUESTIONS):
        raise signing.BadSignature("Unknown scope.")
    return data


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _wants(user, flag: str) -> bool:
    try:
        return getattr(user.profile, flag)
    except Profile.DoesNotExist:
        return True


def _message(*, user, subject: str, template: str, context: dict, token: str) -> EmailMessage:
    unsubscribe_url = _absolute(reverse("techniques:comment_unsubscribe", args=[token]))
    return site_email(
        subject=f"{settings.SITE_NAME}: {subject}",
        template=template,
        context={**context, "name": public_name(user), "unsubscribe_url": unsubscribe_url},
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def _send_each(messages: list[EmailMessage]) -> int:
    """Send one by one so a bad address does not stop the others."""
    sent = 0
    connection = get_connection()
    for message in messages:
        message.connection = connection
        try:
            sent += message.send()
        except Exception:
            logger.exception("Could not send a notification to %s", message.to)
    return sent


def reply_recipients(comment: Comment) -> list:
    """Who hears about a reply: the asker and the thread's followers, minus the replier
    and anyone who muted the thread or turned that kind of email off."""
    thread = comment.root
    choices = {
        s.member_id: s.following
        for s in ThreadSubscription.objects.filter(thread=thread).select_related("member__profile")
    }
    followers = (
        get_user_model()
        .objects.filter(pk__in=[pk for pk, following in choices.items() if following])
        .select_related("profile")
    )
    people = {}
    asker = thread.author
    if asker is not None and choices.get(asker.pk, True) and _wants(asker, "notify_replies"):
        people[asker.pk] = asker
    for member in followers:
        if member.pk != thread.author_id and _wants(member, "notify_followed"):
            people[member.pk] = member
    people.pop(comment.author_id, None)
    return [u for u in people.values() if u.is_active and u.email]


def notify_reply(comment_id: int) -> int:
    """Email the asker and followers of the thread about a new published reply."""
    comment = Comment.objects.select_related(
        "technique", "author__profile", "root__author__profile"
    ).get(pk=comment_id)
    if comment.status != Comment.Status.PUBLISHED or comment.root is None:
        return 0
    context = {
        "comment": comment,
        "thread": comment.root,
        "technique": comment.technique,
        "author_name": public_name(comment.author),
        "author_is_staff": bool(comment.author and comment.author.is_staff),
        "comment_url": _absolute(comment.get_absolute_url()),
    }
    messages = [
        _message(
            user=user,
            subject=f"New reply on “{comment.technique.name}”",
            template="email/comments/reply",
            context={**context, "is_asker": user.pk == comment.root.author_id},
            token=unsubscribe_token(user_id=user.pk, scope=SCOPE_THREAD, thread_id=comment.root_id),
        )
        for user in reply_recipients(comment)
    ]
    return _send_each(messages)


def new_question_recipients(comment: Comment) -> list:
    staff = get_user_model().objects.filter(is_staff=True, is_active=True).select_related("profile")
    return [
        u
        for u in staff
        if u.pk != comment.author_id and u.email and _wants(u, "notify_new_questions")
    ]


def notify_new_question(comment_id: int) -> int:
    """Email staff who opted in about a new question waiting for an answer."""
    comment = Comment.objects.select_related("technique", "author__profile").get(pk=comment_id)
    context = {
        "comment": comment,
        "technique": comment.technique,
        "author_name": public_name(comment.author),
        "comment_url": _absolute(comment.get_absolute_url()),
        "queue_url": _absolute(reverse("techniques:comment_queue")),
    }
    messages = [
        _message(
            user=user,
            subject=f"New question on “{comment.technique.name}”",
            template="email/comments/new_question",
            context=context,
            token=unsubscribe_token(user_id=user.pk, scope=SCOPE_NEW_QUESTIONS),
        )
        for user in new_question_recipients(comment)
    ]
    return _send_each(messages)
