"""Moving the questions into their own app keeps every row of a database that had them."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# The last state in which comments belonged to the techniques app.
BEFORE = [("techniques", "0004_former_slugs"), ("questions", None)]


def _migrate(targets):
    """Migrate to ``targets``; the models as they were then (auth and contenttypes current)."""
    MigrationExecutor(connection).migrate(targets)
    graph = MigrationExecutor(connection).loader.graph
    nodes = [target for target in targets if target[1] is not None]
    nodes += [*graph.leaf_nodes("auth"), *graph.leaf_nodes("contenttypes")]
    return MigrationExecutor(connection).loader.project_state(nodes).apps


@pytest.mark.django_db(transaction=True)
def test_moving_the_app_keeps_comments_flags_follows_faq_and_permissions():
    """A database migrated with comments in it keeps them all, linked as before."""
    old = _migrate(BEFORE)
    user = old.get_model("auth", "User").objects.create(username="maya", email="m@example.com")
    staff = old.get_model("auth", "User").objects.create(username="coach", is_staff=True)
    region = old.get_model("techniques", "Region").objects.create(
        slug="hip", name="Hip", position=1
    )
    technique = old.get_model("techniques", "Technique").objects.create(
        name="Psoas Press", slug="psoas-press", region=region, target_muscles="Psoas", summary="x"
    )
    comments = old.get_model("techniques", "Comment").objects
    question = comments.create(technique=technique, author=user, body="How long?")
    reply = comments.create(
        technique=technique,
        author=staff,
        body="Two minutes.",
        kind="reply",
        parent=question,
        root=question,
        depth=1,
    )
    question.answer = reply
    question.save()
    old.get_model("techniques", "CommentFlag").objects.create(comment=reply, member=user)
    old.get_model("techniques", "ThreadSubscription").objects.create(member=user, thread=question)
    old.get_model("techniques", "FaqEntry").objects.create(
        technique=technique, question="How long?", answer="Two minutes.", source_comment=reply
    )
    content_type = old.get_model("contenttypes", "ContentType").objects.get(
        app_label="techniques", model="comment"
    )
    permission = old.get_model("auth", "Permission").objects.get_or_create(
        content_type=content_type, codename="change_comment", defaults={"name": "Can change"}
    )[0]
    staff.user_permissions.add(permission)

    executor = MigrationExecutor(connection)
    _migrate(executor.loader.graph.leaf_nodes())

    from django.contrib.auth import get_user_model

    from questions.models import Comment, CommentFlag, ThreadSubscription
    from techniques.models import FaqEntry

    moved_question = Comment.objects.get(pk=question.pk)
    assert moved_question.body == "How long?"
    assert moved_question.answer_id == reply.pk
    assert [c.pk for c in moved_question.replies.all()] == [reply.pk]
    assert CommentFlag.objects.get().comment_id == reply.pk
    assert ThreadSubscription.objects.get().thread_id == question.pk
    assert FaqEntry.objects.get().source_comment == Comment.objects.get(pk=reply.pk)
    coach = get_user_model().objects.get(username="coach")
    assert coach.has_perm("questions.change_comment")
