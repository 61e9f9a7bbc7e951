from django.apps import AppConfig


class MembersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "members"
    verbose_name = "Members"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_migrate, post_save

        from members.auth import forget_user
        from members.services import site_sync

        def user_changed(sender, instance, **kwargs) -> None:
            forget_user(instance.pk)

        for signal in (post_save, post_delete):
            signal.connect(user_changed, sender=get_user_model(), dispatch_uid="members.user")

        def sync_site(sender, using, **kwargs) -> None:
            site_sync(using=using)

        # Sent for this app before django.contrib.sites would make its "example.com" row
        # (members comes first in INSTALLED_APPS), so that row is never made.
        post_migrate.connect(sync_site, sender=self, dispatch_uid="members.site")
