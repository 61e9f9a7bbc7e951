"""allauth's hooks: account emails that look like ours."""

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings

from smrsite.mail import site_context


class AccountAdapter(DefaultAccountAdapter):
    def format_email_subject(self, subject: str) -> str:
        """Subjects read like our notifications': "SMR Coach: Confirm your email address"."""
        return f"{settings.SITE_NAME}: {subject}"

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's emails, with the site's name and address for our templates.

        Each kind has ``<prefix>_message.txt`` and ``<prefix>_message.html`` under
        ``templates/account/email/``; allauth sends the HTML as the alternative.
        """
        super().send_mail(template_prefix, email, {**site_context(), **context})
