import re
from http import HTTPStatus

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client

from members.models import Profile
from members.services import profile_for, profile_update, public_name
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_profile_is_created_lazily_with_defaults(user):
    """Older accounts get a profile the first time one is needed."""
    profile = profile_for(user)
    assert profile.time_zone == "UTC"
    assert profile.notify_replies is True
    assert profile_for(user) == profile
    assert Profile.objects.count() == 1


@pytest.mark.parametrize("zone", ["Europe/London", "America/New_York", "UTC"])
def test_known_time_zones_are_accepted(user, zone):
    """IANA names are accepted."""
    assert profile_update(profile=profile_for(user), time_zone=zone).time_zone == zone


@pytest.mark.parametrize("zone", ["Mars/Olympus", "GMT+25", ""])
def test_unknown_time_zones_are_refused(user, zone):
    """Anything zoneinfo does not know is refused."""
    with pytest.raises(ValidationError):
        profile_update(profile=profile_for(user), time_zone=zone)


def test_public_name_never_shows_the_email(user):
    """Without a display name a member is "Member <id>", not their address."""
    assert "@" not in public_name(user)
    assert public_name(None) == "Former member"


def test_signup_asks_for_a_display_name_and_verifies_the_email(client):
    """Signing up stores the display name and sends a verification link."""
    response = client.post(
        "/accounts/signup/",
        {
            "email": "newcomer@example.com",
            "display_name": "New Rower",
            "password1": "a long and unusual pass",
            "password2": "a long and unusual pass",
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/accounts/confirm-email/"
    user = Profile.objects.get(display_name="New Rower").user
    assert user.email == "newcomer@example.com"
    [message] = mail.outbox
    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", message.body)[0]
    key_path = link.split("testserver", 1)[-1]
    assert client.post(key_path).status_code == HTTPStatus.FOUND
    assert user.emailaddress_set.get().verified


def test_profile_page_needs_sign_in(client):
    """Anonymous visitors are sent to sign in."""
    response = client.get("/accounts/profile/")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/accounts/login/")


def test_member_changes_their_settings(auth_client, user):
    """The settings page saves name, time zone and email choices."""
    response = auth_client.post(
        "/accounts/profile/",
        {"display_name": "Ryan R.", "time_zone": "Europe/Berlin", "notify_replies": "on"},
    )
    assert response.status_code == HTTPStatus.FOUND
    profile = Profile.objects.get(user=user)
    assert (profile.display_name, profile.time_zone) == ("Ryan R.", "Europe/Berlin")
    assert profile.notify_replies is True
    assert profile.notify_followed is False


def test_bad_time_zone_keeps_the_form(auth_client):
    """A wrong time zone is explained and the rest of the input is kept."""
    response = auth_client.post(
        "/accounts/profile/", {"display_name": "Ryan R.", "time_zone": "Mars/Olympus"}
    )
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert "not a time zone we know" in body
    assert 'value="Ryan R."' in body


def test_staff_only_choice_is_hidden_from_members(auth_client, staff_user):
    """Members do not see the staff "new questions" choice; staff do."""
    assert "notify_new_questions" not in auth_client.get("/accounts/profile/").content.decode()
    staff = Client()
    staff.force_login(staff_user)
    assert "notify_new_questions" in staff.get("/accounts/profile/").content.decode()


def test_sign_out_is_a_post(auth_client):
    """A GET to the sign-out page only asks; POST signs out."""
    assert auth_client.get("/accounts/logout/").status_code == HTTPStatus.OK
    assert auth_client.get("/accounts/profile/").status_code == HTTPStatus.OK
    auth_client.post("/accounts/logout/")
    assert auth_client.get("/accounts/profile/").status_code == HTTPStatus.FOUND


def test_account_pages_use_the_site_look(client):
    """Sign-in, sign-up and password reset render in the site's frame with Bootstrap fields."""
    for url in ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]:
        body = client.get(url).content.decode()
        assert 'class="site-header"' in body, url
        assert "form-control" in body, url


def test_password_reset_sends_a_link(client, user):
    """Password reset emails a link to the member."""
    UserFactory()
    client.post("/accounts/password/reset/", {"email": user.email})
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
