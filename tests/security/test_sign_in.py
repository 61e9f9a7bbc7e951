"""Sign-in under attack: allauth's rate limits, the admin's sign-in, staff two-factor (TOTP)."""

import time
from http import HTTPStatus

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal import auth as totp
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"
TOO_MANY = "Too many failed login attempts"


def _member(username: str, *, is_staff: bool = False):
    user = UserFactory(username=username, email=f"{username}@example.com", is_staff=is_staff)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def _sign_in(client: Client, email: str, password: str, **extra):
    return client.post(reverse("account_login"), {"login": email, "password": password}, **extra)


def _failures_allowed_per_key() -> int:
    # "10/m/ip,5/300s/key" -> 5 failed attempts for one email every 5 minutes.
    per_key = next(
        r
        for r in django_settings.ACCOUNT_RATE_LIMITS["login_failed"].split(",")
        if r.endswith("/key")
    )
    return int(per_key.split("/")[0])


def test_failed_sign_ins_for_one_email_are_limited(db):
    """After the allowed failures for one email, even the right password is refused for a while."""
    member = _member("target")
    allowed = _failures_allowed_per_key()
    # Each attempt from another address, so only the per-email limit can stop them.
    for n in range(allowed):
        response = _sign_in(Client(), member.email, f"guess-{n}", REMOTE_ADDR=f"10.0.0.{n + 1}")
        assert response.status_code == HTTPStatus.OK
        assert TOO_MANY not in response.content.decode()
    response = _sign_in(Client(), member.email, "guess-again", REMOTE_ADDR="10.0.1.1")
    assert TOO_MANY in response.content.decode()
    response = _sign_in(Client(), member.email, PASSWORD, REMOTE_ADDR="10.0.1.2")
    assert TOO_MANY in response.content.decode()
    assert "_auth_user_id" not in response.wsgi_request.session


def test_failed_sign_ins_from_one_address_are_limited(db):
    """One address trying many emails is stopped by the per-address limit."""
    for n in range(10):
        _sign_in(Client(), f"nobody{n}@example.com", "guess", REMOTE_ADDR="10.9.9.9")
    response = _sign_in(Client(), "someone@example.com", "guess", REMOTE_ADDR="10.9.9.9")
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS or TOO_MANY in (
        response.content.decode()
    )


def test_a_member_signs_in_with_the_right_password(db):
    """Below the limits, the right password signs in (the limit test is not vacuous)."""
    member = _member("ordinary")
    response = _sign_in(Client(), member.email, PASSWORD)
    assert response.status_code == HTTPStatus.FOUND
    assert response.wsgi_request.user == member


def test_the_admin_sign_in_goes_through_allauth(db):
    """The admin's login page sends visitors to the site's sign-in and back to the admin."""
    response = Client().get("/admin/login/?next=/admin/techniques/")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2Ftechniques%2F"


def test_the_admin_sign_in_refuses_a_next_address_on_another_site(db):
    """A ``next`` pointing elsewhere is replaced by the admin's index."""
    response = Client().get("/admin/login/?next=https://evil.example/")
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"


def test_the_admin_form_cannot_be_used_to_guess_passwords(db):
    """Posting credentials to the admin's login does not sign in; it only redirects."""
    staff = _member("boss", is_staff=True)
    response = Client().post("/admin/login/", {"username": staff.username, "password": PASSWORD})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in response.wsgi_request.session


def test_a_signed_in_member_who_is_not_staff_gets_403_from_the_admin_login(db):
    """A member who is not staff is told no instead of bouncing between sign-in pages."""
    client = Client()
    client.force_login(_member("plain"))
    assert client.get("/admin/login/").status_code == HTTPStatus.FORBIDDEN


def test_staff_sign_in_through_allauth_opens_the_admin(db):
    """Staff who sign in on the site's page land back in the admin."""
    staff = _member("editor", is_staff=True)
    client = Client()
    response = client.post(
        "/accounts/login/?next=/admin/", {"login": staff.email, "password": PASSWORD}
    )
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == HTTPStatus.OK


# --- Two-factor sign-in (TOTP) ----------------------------------------------------------


def _current_code(secret: str) -> str:
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD  # what the app shows now
    return totp.format_hotp_value(totp.hotp_value(secret, counter))


def _wrong_code(secret: str) -> str:
    valid = {
        totp.format_hotp_value(totp.hotp_value(secret, c))
        for c in totp.yield_hotp_counters_from_time()
    }
    return next(code for code in ("000000", "111111", "222222") if code not in valid)


@pytest.fixture
def staff_with_totp(db):
    """A staff member who turned on two-factor sign-in through the site's pages."""
    staff = _member("coach2fa", is_staff=True)
    client = Client()
    assert _sign_in(client, staff.email, PASSWORD).status_code == HTTPStatus.FOUND
    # Turning it on asks for the password again (allauth's reauthentication).
    assert client.get(reverse("mfa_activate_totp")).status_code == HTTPStatus.FOUND
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == HTTPStatus.OK
    secret = client.session[totp.SECRET_SESSION_KEY]
    assert secret in page.content.decode()
    refused = client.post(reverse("mfa_activate_totp"), {"code": _wrong_code(secret)})
    assert refused.status_code == HTTPStatus.OK
    assert not Authenticator.objects.filter(user=staff).exists()
    response = client.post(reverse("mfa_activate_totp"), {"code": _current_code(secret)})
    assert response.status_code == HTTPStatus.FOUND
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()
    client.post(reverse("account_logout"))
    return staff, secret


def test_staff_with_totp_are_asked_for_a_code_after_the_password(staff_with_totp):
    """After the right password, a staff member with TOTP is not signed in until the code."""
    staff, _ = staff_with_totp
    client = Client()
    response = _sign_in(client, staff.email, PASSWORD)
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == HTTPStatus.FOUND


def test_a_wrong_totp_code_is_refused(staff_with_totp):
    """A wrong code keeps the staff member signed out, with the form shown again."""
    staff, secret = staff_with_totp
    client = Client()
    _sign_in(client, staff.email, PASSWORD)
    response = client.post(reverse("mfa_authenticate"), {"code": _wrong_code(secret)})
    assert response.status_code == HTTPStatus.OK
    assert "Incorrect code" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_right_totp_code_signs_staff_in_and_opens_the_admin(staff_with_totp):
    """The current code from the authenticator app completes the sign-in."""
    staff, secret = staff_with_totp
    client = Client()
    _sign_in(client, staff.email, PASSWORD)
    response = client.post(reverse("mfa_authenticate"), {"code": _current_code(secret)})
    assert response.status_code == HTTPStatus.FOUND
    assert client.session["_auth_user_id"] == str(staff.pk)
    assert client.get("/admin/").status_code == HTTPStatus.OK


def test_the_two_factor_pages_use_the_site_look_and_the_profile_links_them(db):
    """Two-factor pages render inside the site's frame; the settings page links to them."""
    staff = _member("linker", is_staff=True)
    client = Client()
    _sign_in(client, staff.email, PASSWORD)
    profile = client.get(reverse("members:profile")).content.decode()
    assert reverse("mfa_index") in profile
    assert "Two-factor sign-in" in profile
    page = client.get(reverse("mfa_index")).content.decode()
    assert django_settings.SITE_NAME in page
    assert "Medical note" in page  # the site's footer
