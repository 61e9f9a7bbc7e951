import re
from http import HTTPStatus

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client

from members.models import Profile
from members.services import profile_for, profile_update, public_name
from members.validators import INVISIBLE_NAME_ERROR
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


@pytest.mark.parametrize("zone", ["localtime", "Factory", "posixrules"])
def test_files_in_the_zoneinfo_folder_that_are_not_time_zones_are_refused(user, zone):
    """ZoneInfo opens these, but no calendar knows them."""
    with pytest.raises(ValidationError):
        profile_update(profile=profile_for(user), time_zone=zone)


def test_the_profile_form_refuses_localtime_and_keeps_the_rest(auth_client, user):
    """A posted "localtime" is explained; nothing is saved."""
    response = auth_client.post(
        "/accounts/profile/", {"display_name": "Ryan R.", "time_zone": "localtime"}
    )
    assert response.status_code == HTTPStatus.OK
    assert "“localtime” is not a time zone we know" in response.content.decode()
    assert profile_for(user).time_zone == "UTC"


def _refused_name(body: str) -> bool:
    """The form says why: our message, or Django's own for what ``strip()`` empties."""
    return INVISIBLE_NAME_ERROR in body or "This field is required." in body


INVISIBLE_NAMES = [
    "\u200b\u200b\u200b",  # zero-width spaces
    "\u200e\u200f",  # bidi marks
    "\u3000\u3000",  # ideographic spaces
    " \u2060\ufeff ",  # word joiner, zero-width no-break space
    "\u3164",  # Hangul filler, a "letter" drawn blank
    "\u202e\u0301",  # a bidi override and a lone combining accent
]


@pytest.mark.parametrize("name", INVISIBLE_NAMES)
def test_a_display_name_nobody_can_see_is_refused_on_the_profile(auth_client, user, name):
    """Names made only of invisible characters get a message; the name is not stored."""
    response = auth_client.post("/accounts/profile/", {"display_name": name, "time_zone": "UTC"})
    assert response.status_code == HTTPStatus.OK
    assert _refused_name(response.content.decode())
    assert profile_for(user).display_name != name


@pytest.mark.parametrize("name", INVISIBLE_NAMES)
def test_a_display_name_nobody_can_see_is_refused_at_sign_up(client, name):
    """Sign-up refuses the same names and keeps the email typed."""
    response = client.post(
        "/accounts/signup/",
        {
            "email": "ghost@example.com",
            "display_name": name,
            "password1": "a long and unusual pass",
            "password2": "a long and unusual pass",
        },
    )
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert _refused_name(body)
    assert 'value="ghost@example.com"' in body
    assert not Profile.objects.filter(user__email="ghost@example.com").exists()


@pytest.mark.parametrize("name", ["Zoë", "李小龍", "\u200bAnn", "Ann\u200f", "é", "🙂"])
def test_names_with_something_visible_are_accepted(user, name):
    """Accents, other scripts and a stray invisible character next to letters are fine."""
    assert profile_update(profile=profile_for(user), display_name=name).display_name == name


def test_an_invisible_name_stored_earlier_shows_as_member_n(user):
    """Names saved before the check are shown as "Member <id>", never as a blank."""
    Profile.objects.create(user=user, display_name="\u200b\u200b")
    assert public_name(user) == f"Member {user.pk}"


def test_the_profile_offers_the_browsers_zone_until_the_member_chooses(auth_client, user):
    """Before any choice the time zone list asks for the browser's zone; after saving, the
    saved zone is selected and the browser is not asked."""
    first = auth_client.get("/accounts/profile/").content.decode()
    assert "data-browser-zone" in first
    assert "js/time-zone" in first
    auth_client.post("/accounts/profile/", {"display_name": "Ann", "time_zone": "UTC"})
    profile = profile_for(user)
    profile.refresh_from_db()
    assert profile.time_zone_chosen
    again = auth_client.get("/accounts/profile/").content.decode()
    assert "data-browser-zone" not in again
    assert '<option value="UTC" selected>' in again


def test_onboarding_offers_the_browsers_zone_only_when_none_was_chosen(auth_client, user):
    """A member who picked Europe/Paris in their profile sees it on onboarding."""
    assert "data-browser-zone" in auth_client.get("/routine/start/").content.decode()
    profile_update(profile=profile_for(user), time_zone="Europe/Paris")
    body = auth_client.get("/routine/start/").content.decode()
    assert "data-browser-zone" not in body
    assert '<option value="Europe/Paris" selected>' in body
