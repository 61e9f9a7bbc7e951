"""Emails that look like the site: our subject, a plain-text body and an HTML alternative.

Every email the site sends (allauth's account emails through ``members.adapter``, the
question and reply notifications, the daily reminders) is rendered from a pair of
templates, ``<name>.txt`` and ``<name>.html``, with the site's name and address in the
context. The HTML extends ``email/base.html``: styles inline, no image or stylesheet
fetched from anywhere, so it looks the same in every mail program and offline.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def site_context(site_url: str | None = None) -> dict:
    """The names every email template may use: the site's name, address and host."""
    url = (site_url or settings.SITE_URL).rstrip("/")
    return {"site_name": settings.SITE_NAME, "site_url": url, "site_host": urlsplit(url).netloc}


def render_bodies(template: str, context: dict, request=None) -> tuple[str, str]:
    """The plain-text body and the HTML alternative of ``template`` (a name without extension)."""
    text = render_to_string(f"{template}.txt", context, request).strip() + "\n"
    html = render_to_string(f"{template}.html", context, request)
    return text, html


def site_email(
    *,
    subject: str,
    template: str,
    context: dict,
    to: list[str],
    headers: dict[str, str] | None = None,
    site_url: str | None = None,
) -> EmailMultiAlternatives:
    """One email with a plain-text body and an HTML alternative that looks like the site.

    ``site_url`` is the address the links point at (``settings.SITE_URL`` by default).
    """
    text, html = render_bodies(template, {**site_context(site_url), **context})
    message = EmailMultiAlternatives(subject=subject, body=text, to=to, headers=headers)
    message.attach_alternative(html, "text/html")
    return message
