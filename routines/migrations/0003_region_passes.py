"""The place in the rotation becomes a region pass instead of a bare step number.

Each routine's place under the old rules (the step of its latest session, or the
next one once that session was finished) is carried over as the pass of that
step's region, begun on the first day the member worked on that region in this
round: the techniques of the region logged since then count as done, so nothing
is skipped and nothing repeated. The old rotation is rebuilt here from the rows
as they were, with a frozen copy of the old rules, so later changes to the
planner cannot change what this migration does.
"""

import math
from datetime import timedelta

import django.db.models.deletion
from django.db import migrations, models


def _old_split(count, per_day):
    if count <= 1:
        return (1,) * count
    days = min(math.ceil(count / per_day), count // 2)
    size, bigger = divmod(count, days)
    return (size + 1,) * bigger + (size,) * (days - bigger)


def _old_steps(routine, Technique, RoutineRegion):
    """The old rotation: (region id, step number within region) per step."""
    excluded = set(routine.excluded_techniques.values_list("pk", flat=True))
    steps = []
    for link in RoutineRegion.objects.filter(routine=routine).order_by("position"):
        count = (
            Technique.objects.filter(region_id=link.region_id, kind="release", is_published=True)
            .exclude(pk__in=excluded)
            .count()
        )
        for number, _size in enumerate(_old_split(count, routine.per_day), start=1):
            steps.append((link.region_id, number))
    return steps


def carry_places(apps, schema_editor):
    Routine = apps.get_model("routines", "Routine")
    RoutineRegion = apps.get_model("routines", "RoutineRegion")
    RoutinePass = apps.get_model("routines", "RoutinePass")
    DailySession = apps.get_model("routines", "DailySession")
    Technique = apps.get_model("techniques", "Technique")
    for routine in Routine.objects.all():
        steps = _old_steps(routine, Technique, RoutineRegion)
        sessions = list(DailySession.objects.filter(routine=routine).order_by("day"))
        for session in sessions:
            if steps:
                session.region_id = steps[session.step_index % len(steps)][0]
                session.save(update_fields=["region"])
        if not steps:
            continue
        if not sessions:
            RoutinePass.objects.create(
                routine=routine, region_id=steps[0][0], since=routine.start_date
            )
            continue
        latest = max(sessions, key=lambda s: (s.day, s.step_index))
        step = latest.step_index + (1 if latest.finished else 0)
        region_id, number = steps[step % len(steps)]
        first_step = step - (number - 1)
        begun = [s.day for s in sessions if s.step_index >= first_step]
        if begun:
            since = min(begun)
        else:
            # The pass begins after the session that finished the region before it.
            since = latest.day + timedelta(days=1)
        RoutinePass.objects.create(routine=routine, region_id=region_id, since=since)


class Migration(migrations.Migration):
    dependencies = [
        ("routines", "0002_logsubmission"),
        ("techniques", "0006_technique_picture"),
    ]

    operations = [
        migrations.CreateModel(
            name="RoutinePass",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("since", models.DateField()),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "region",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="techniques.region",
                    ),
                ),
                (
                    "routine",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="passes",
                        to="routines.routine",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "routine passes",
                "ordering": ["routine", "since", "id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("routine", "region", "since"), name="routine_pass_once_a_day"
                    )
                ],
            },
        ),
        migrations.AddField(
            model_name="dailysession",
            name="region",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="techniques.region",
            ),
        ),
        migrations.RunPython(carry_places, migrations.RunPython.noop),
        migrations.RemoveField(model_name="dailysession", name="step_index"),
        migrations.AlterField(
            model_name="logentry",
            name="technique",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="techniques.technique",
            ),
        ),
    ]
