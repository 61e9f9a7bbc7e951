"""Every email the site sends is branded SMR Coach, in text and in HTML, never example.com."""

import re
from datetime import date, time
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.contrib.sites.models import Site
from django.core import mail
from django.core.management import call_command
from django.test import Client

from members.services import profile_for, profile_update
from questions import services
from tests.factories import (
    ProfileFactory,
    RoutineFactory,
    TechniqueFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PASSWORD = "a long and unusual pass"
# Addresses outside example.com, so any "example.com" in an email is the site's own.
ASKER = "maya@smr.test"
COACH = "coach@smr.test"


def _member(email, name, **extra):
    user = UserFactory(username=email.split("@")[0], email=email, **extra)
    user.set_password(PASSWORD)
    user.save()
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    ProfileFactory(user=user, display_name=name)
    return user


def _html(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def assert_branded(message):
    """Our subject, a plain-text body and an HTML alternative, all naming SMR Coach."""
    html = _html(message)
    for text in (message.subject, message.body, html):
        assert "example.com" not in text
        assert "SMR Coach" in text
    assert message.subject.startswith("SMR Coach")
    assert "SMR Coach" in message.from_email
    # The HTML looks like the site without fetching anything: inline styles only.
    assert 'style="' in html
    assert "<link" not in html
    assert "<style" not in html
    assert not re.search(r"""src=["']?https?:""", html)
    assert "127.0.0.1:8000" in html  # the site's address, from SITE_URL


def only_email(subject: str):
    """The one email sent, branded, with this subject."""
    [message] = mail.outbox
    assert_branded(message)
    assert message.subject == subject
    return message


def _sign_up(client, email, **extra):
    return client.post(
        "/accounts/signup/",
        {
            "email": email,
            "display_name": "Newcomer",
            "password1": PASSWORD,
            "password2": PASSWORD,
            **extra,
        },
    )


def test_the_sites_framework_names_smr_coach_at_site_url():
    """Migrating sets the Site from SITE_NAME and SITE_URL instead of example.com."""
    site = Site.objects.get_current()
    assert (site.name, site.domain) == ("SMR Coach", "127.0.0.1:8000")
    # Made with its id before Django's own default row: more sites can still be added.
    assert Site.objects.create(domain="other.test", name="Other").pk != site.pk


def test_the_sitemap_points_at_the_site_not_example_com(catalogue):
    """The sitemap's addresses come from the Site, so they must be ours."""
    body = Client().get("/sitemap.xml").content.decode()
    assert "example.com" not in body
    assert "/techniques/psoas-press/" in body


def test_signup_confirmation_is_ours():
    """The confirmation email says who we are and how to finish joining."""
    _sign_up(Client(), "newcomer@smr.test")
    message = only_email("SMR Coach: Confirm your email to finish joining")
    assert "Hello from SMR Coach" in message.body
    assert "/accounts/confirm-email/" in message.body
    assert "Confirm my address" in _html(message)


def test_a_second_confirmation_is_ours():
    """An address added later gets our "confirm your email address" email."""
    member = _member("maya@smr.test", "Maya")
    client = Client()
    client.force_login(member)
    client.post("/accounts/email/", {"action_add": "", "email": "maya.two@smr.test"})
    message = only_email("SMR Coach: Confirm your email address")
    assert "maya.two@smr.test" in message.body


def test_password_reset_is_ours():
    """The reset email links to choosing a new password, in our words."""
    _member(ASKER, "Maya")
    Client().post("/accounts/password/reset/", {"email": ASKER})
    message = only_email("SMR Coach: Choose a new password")
    assert "/accounts/password/reset/key/" in message.body


def test_reset_for_an_unknown_address_is_ours():
    """Asking to reset an address nobody uses says so, and offers to join."""
    Client().post("/accounts/password/reset/", {"email": "nobody@smr.test"})
    message = only_email("SMR Coach: No account with this address")
    assert "/accounts/signup/" in message.body


def test_joining_twice_with_one_address_is_ours():
    """Signing up with an address that has an account tells its owner, in our words."""
    _member(ASKER, "Maya")
    _sign_up(Client(), ASKER)
    only_email("SMR Coach: You already have an account")


def test_reply_and_new_question_notifications_are_ours(django_capture_on_commit_callbacks):
    """Staff hear of the question and the asker of the answer, both branded."""
    asker = _member(ASKER, "Maya")
    coach = _member(COACH, "Coach Sam", is_staff=True)
    technique = TechniqueFactory(name="Psoas Press", slug="psoas-press")
    with django_capture_on_commit_callbacks(execute=True):
        question = services.comment_create(
            technique=technique, author=asker, body="Can I do this <b>daily</b>?"
        )
    [new_question] = mail.outbox
    assert new_question.to == [COACH]
    assert_branded(new_question)
    assert new_question.subject == "SMR Coach: New question on “Psoas Press”"
    # The member's words are text in the HTML, never markup.
    assert "Can I do this &lt;b&gt;daily&lt;/b&gt;?" in _html(new_question)

    with django_capture_on_commit_callbacks(execute=True):
        services.comment_create(
            technique=technique, author=coach, body="Yes, gently.", parent=question
        )
    [reply] = [m for m in mail.outbox if "New reply" in m.subject]
    assert reply.to == [ASKER]
    assert_branded(reply)
    assert "Coach Sam" in _html(reply)
    assert "Stop emails about this thread" in _html(reply)


def test_daily_reminder_is_ours(catalogue):
    """The reminder names the day in words and links today's plan, in text and HTML."""
    member = _member("ryan@smr.test", "Ryan")
    RoutineFactory(
        member=member, start_date=date(2026, 3, 2), reminders_on=True, reminder_time=time(8)
    )
    profile_update(profile=profile_for(member), time_zone="UTC")
    call_command("send_reminders", "--now", "2026-03-02T09:00+00:00", stdout=StringIO())
    message = only_email("SMR Coach: Your plan for Monday 2 March")
    assert "Hello Ryan" in message.body
    assert "/routine/" in _html(message)
    assert "Stop these reminders" in _html(message)
