from django.contrib.auth.management.commands import createsuperuser
from django.db.models.signals import post_save

from members.services import staff_email_verify


class Command(createsuperuser.Command):
    help = (
        "Create a superuser who can sign in on the site straight away: their email "
        "address counts as verified."
    )

    def handle(self, *args, **options):
        # Django's command does not hand back the user it makes: listen for it, only
        # while the command runs.
        made = []

        def remember(sender, instance, created, **kwargs):
            if created:
                made.append(instance)

        post_save.connect(remember, sender=self.UserModel, weak=False)
        try:
            super().handle(*args, **options)
        finally:
            post_save.disconnect(remember, sender=self.UserModel)
        for user in made:
            staff_email_verify(user=user)
