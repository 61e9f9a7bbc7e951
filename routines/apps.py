from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class RoutinesConfig(AppConfig):
    name = "routines"
    verbose_name = "Routines"

    def ready(self) -> None:
        # The member's time zone decides which day "today" is. It lives on the profile,
        # which the members app saves without knowing about routines; a signal keeps
        # that dependency pointing one way.
        from members.models import Profile
        from routines import plancache

        for signal in (post_save, post_delete):
            signal.connect(plancache.profile_changed, sender=Profile, dispatch_uid="routines")
