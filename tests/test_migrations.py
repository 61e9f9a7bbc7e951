import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_missing_migrations():
    """Every model change has a migration."""
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_time_zones_no_calendar_knows_are_migrated_to_utc():
    """Profiles saved with localtime, Factory or posixrules become UTC; a real zone other
    than UTC is kept and counts as the member's choice."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = [("members", "0001_initial")], [("members", "0002_real_time_zones")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    User = old_apps.get_model("auth", "User")
    Profile = old_apps.get_model("members", "Profile")
    zones = ["localtime", "Factory", "posixrules", "Europe/Oslo", "UTC"]
    for n, zone in enumerate(zones):
        Profile.objects.create(user=User.objects.create(username=f"m{n}"), time_zone=zone)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    Profile = executor.loader.project_state(after).apps.get_model("members", "Profile")
    migrated = dict(
        Profile.objects.values_list("user__username", "time_zone").order_by("user__username")
    )
    assert migrated == {"m0": "UTC", "m1": "UTC", "m2": "UTC", "m3": "Europe/Oslo", "m4": "UTC"}
    chosen = set(
        Profile.objects.filter(time_zone_chosen=True).values_list("user__username", flat=True)
    )
    assert chosen == {"m3"}
