# The questions and answers moved out of the techniques app into their own. The tables
# stay where they are (each model's db_table names its old table): this migration only
# tells Django's model state that the models now belong here, and relabels their content
# types so staff permissions and admin history follow them. techniques 0005 then drops
# the old models from the techniques app's state, again without touching a table.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


MOVED_MODELS = ("comment", "commentflag", "threadsubscription")


def _relabel(apps, old, new):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED_MODELS:
        if not ContentType.objects.filter(app_label=new, model=model).exists():
            ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def content_types_forward(apps, schema_editor):
    _relabel(apps, "techniques", "questions")


def content_types_backward(apps, schema_editor):
    _relabel(apps, "questions", "techniques")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('techniques', '0003_upload_validators'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Comment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('depth', models.PositiveSmallIntegerField(default=0)),
                        ('kind', models.CharField(choices=[('question', 'Question'), ('remark', 'Remark'), ('reply', 'Reply')], default='question', max_length=10)),
                        ('status', models.CharField(choices=[('pending', 'Awaiting moderation'), ('published', 'Published'), ('hidden', 'Hidden by staff'), ('removed', 'Removed (placeholder)')], default='published', max_length=10)),
                        ('body', models.TextField(blank=True)),
                        ('answered_at', models.DateTimeField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                        ('edited_at', models.DateTimeField(blank=True, null=True)),
                        ('answer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='questions.comment')),
                        ('author', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='technique_comments', to=settings.AUTH_USER_MODEL)),
                        ('parent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='replies', to='questions.comment')),
                        ('root', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='thread_comments', to='questions.comment')),
                        ('technique', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='comments', to='techniques.technique')),
                    ],
                    options={
                        'db_table': 'techniques_comment',
                        'ordering': ['created_at', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='CommentFlag',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('reason', models.CharField(blank=True, max_length=200)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('resolved_at', models.DateTimeField(blank=True, null=True)),
                        ('comment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='flags', to='questions.comment')),
                        ('member', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='comment_flags', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'techniques_commentflag',
                        'ordering': ['created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='ThreadSubscription',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('following', models.BooleanField(default=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('member', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='thread_subscriptions', to=settings.AUTH_USER_MODEL)),
                        ('thread', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='subscriptions', to='questions.comment')),
                    ],
                    options={
                        'db_table': 'techniques_threadsubscription',
                        'ordering': ['thread', 'member'],
                    },
                ),
                migrations.AddIndex(
                    model_name='comment',
                    index=models.Index(fields=['technique', 'created_at'], name='comment_technique_time'),
                ),
                migrations.AddConstraint(
                    model_name='comment',
                    constraint=models.CheckConstraint(condition=models.Q(('kind__in', ['question', 'remark', 'reply'])), name='comment_kind_valid'),
                ),
                migrations.AddConstraint(
                    model_name='comment',
                    constraint=models.CheckConstraint(condition=models.Q(('status__in', ['pending', 'published', 'hidden', 'removed'])), name='comment_status_valid'),
                ),
                migrations.AddConstraint(
                    model_name='comment',
                    constraint=models.CheckConstraint(condition=models.Q(('parent', models.F('pk')), _negated=True), name='comment_not_own_parent'),
                ),
                migrations.AddConstraint(
                    model_name='comment',
                    constraint=models.CheckConstraint(condition=models.Q(('answer', models.F('pk')), _negated=True), name='comment_not_own_answer'),
                ),
                migrations.AddConstraint(
                    model_name='comment',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('depth__gte', 1), ('kind', 'reply'), ('parent__isnull', False), ('root__isnull', False)), models.Q(('kind__in', ['question', 'remark']), ('parent__isnull', True), ('root__isnull', True), ('depth', 0)), _connector='OR'), name='comment_reply_has_parent'),
                ),
                migrations.AddConstraint(
                    model_name='comment',
                    constraint=models.CheckConstraint(condition=models.Q(('depth__lt', 3)), name='comment_depth_limit'),
                ),
                migrations.AddConstraint(
                    model_name='commentflag',
                    constraint=models.UniqueConstraint(fields=('comment', 'member'), name='one_flag_per_member'),
                ),
                migrations.AddConstraint(
                    model_name='threadsubscription',
                    constraint=models.UniqueConstraint(fields=('member', 'thread'), name='one_subscription_per_thread'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_forward, content_types_backward),
    ]
