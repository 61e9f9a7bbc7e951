"""Store each comment's HTML beside its text, and index what the thread and home read."""

from django.conf import settings
from django.db import migrations, models

from questions.text import comment_to_html

BATCH = 2000


def fill_body_html(apps, schema_editor):
    """Render the HTML of every existing comment, a batch at a time."""
    Comment = apps.get_model("questions", "Comment")
    last = 0
    while True:
        batch = list(Comment.objects.filter(pk__gt=last).order_by("pk").only("body")[:BATCH])
        if not batch:
            return
        for comment in batch:
            comment.body_html = comment_to_html(comment.body)
        Comment.objects.bulk_update(batch, ["body_html"])
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("questions", "0001_initial"),
        ("techniques", "0006_technique_picture"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="body_html",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(fill_body_html, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="comment",
            index=models.Index(
                condition=models.Q(("parent__isnull", True)),
                fields=["technique", "created_at", "id"],
                name="comment_thread_tops",
            ),
        ),
        migrations.AddIndex(
            model_name="comment",
            index=models.Index(
                condition=models.Q(
                    ("answer__isnull", False), ("kind", "question"), ("status", "published")
                ),
                fields=["-answered_at", "-id"],
                name="comment_answered_recent",
            ),
        ),
    ]
