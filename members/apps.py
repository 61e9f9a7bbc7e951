from django.apps import AppConfig


class MembersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "members"
    verbose_name = "Members"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save

        from members.auth import forget_user

        def user_changed(sender, instance, **kwargs) -> None:
            forget_user(instance.pk)

        for signal in (post_save, post_delete):
            signal.connect(user_changed, sender=get_user_model(), dispatch_uid="members.user")
