# Comments, flags and thread follows now belong to the questions app (questions 0001,
# which takes over the same tables). Only Django's model state changes here: no table,
# row or constraint is touched. FAQ entries stay: they are catalogue content, printed on
# the handout; their source comment now points at questions.Comment, the same table.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('questions', '0001_initial'),
        ('techniques', '0004_former_slugs'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='commentflag',
                    name='comment',
                ),
                migrations.RemoveField(
                    model_name='threadsubscription',
                    name='thread',
                ),
                migrations.AlterField(
                    model_name='faqentry',
                    name='source_comment',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='faq_entries', to='questions.comment'),
                ),
                migrations.RemoveField(
                    model_name='commentflag',
                    name='member',
                ),
                migrations.RemoveField(
                    model_name='threadsubscription',
                    name='member',
                ),
                migrations.DeleteModel(
                    name='Comment',
                ),
                migrations.DeleteModel(
                    name='CommentFlag',
                ),
                migrations.DeleteModel(
                    name='ThreadSubscription',
                ),
            ],
            database_operations=[],
        ),
    ]
