"""allauth's hooks: account emails that look like ours, and a `next` that survives the email."""

from urllib.parse import urlencode

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.utils import get_next_redirect_url
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

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        """The emailed link, carrying the page the member joined from (``?next=``).

        In the browser they joined in, confirming signs them in and allauth sends them
        back there from the session; the link's copy serves anyone who opens it elsewhere.
        """
        url = super().get_email_confirmation_url(request, emailconfirmation)
        after = get_next_redirect_url(request)
        return f"{url}?{urlencode({'next': after})}" if after else url
