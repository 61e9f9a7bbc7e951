from django.apps import AppConfig


class MembersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "members"
    verbose_name = "Members"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from members.services import site_sync

        def sync_site(sender, using, **kwargs) -> None:
            site_sync(using=using)

        # Sent for this app before django.contrib.sites would make its "example.com" row
        # (members comes first in INSTALLED_APPS), so that row is never made.
        post_migrate.connect(sync_site, sender=self, dispatch_uid="members.site")
