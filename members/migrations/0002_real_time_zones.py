import zoneinfo

from django.db import migrations, models

import members.validators

# As members.validators.NOT_TIME_ZONES when this migration was written.
NOT_TIME_ZONES = {"localtime", "Factory", "posixrules"}


def clean_time_zones(apps, schema_editor):
    """Zones no calendar knows become UTC; a zone other than UTC was chosen by the member."""
    Profile = apps.get_model("members", "Profile")
    known = zoneinfo.available_timezones() - NOT_TIME_ZONES
    Profile.objects.exclude(time_zone__in=known).update(time_zone="UTC")
    Profile.objects.exclude(time_zone="UTC").update(time_zone_chosen=True)


class Migration(migrations.Migration):

    dependencies = [
        ("members", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="profile",
            name="time_zone_chosen",
            field=models.BooleanField(
                default=False,
                help_text="Whether the member picked the time zone; until then forms offer the browser's own.",
            ),
        ),
        migrations.AlterField(
            model_name="profile",
            name="display_name",
            field=models.CharField(
                blank=True,
                help_text="Shown on your questions and replies instead of your email address.",
                max_length=40,
                validators=[members.validators.validate_display_name],
            ),
        ),
        migrations.AlterField(
            model_name="profile",
            name="time_zone",
            field=models.CharField(
                default="UTC",
                help_text="Your daily plan changes day at midnight in this time zone.",
                max_length=64,
                validators=[members.validators.validate_time_zone],
            ),
        ),
        migrations.RunPython(clean_time_zones, migrations.RunPython.noop),
    ]
