"""Staff made from the command line or in the admin sign in on the site without a confirmation."""

from http import HTTPStatus
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from members.services import staff_email_verify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a long and unusual pass"


def _sign_in(email: str) -> tuple[Client, str]:
    client = Client()
    response = client.post("/accounts/login/", {"login": email, "password": PASSWORD})
    assert response.status_code == HTTPStatus.FOUND
    return client, response["Location"]


def test_a_createsuperuser_account_signs_in_on_the_site(monkeypatch):
    """createsuperuser's address is primary and verified, so sign-in goes straight through."""
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command(
        "createsuperuser",
        interactive=False,
        username="sam",
        email="sam@smr.test",
        stdout=StringIO(),
    )
    user = get_user_model().objects.get(username="sam")
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.verified, address.primary) == ("sam@smr.test", True, True)
    client, landing = _sign_in("sam@smr.test")
    assert landing == "/"
    assert client.get("/admin/").status_code == HTTPStatus.OK


def test_staff_given_an_email_in_the_admin_can_sign_in(admin_client):
    """A staff account added in the admin, email set on its change page, signs in."""
    admin_client.post(
        "/admin/auth/user/add/",
        {
            "username": "coach",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "usable_password": "true",
        },
    )
    coach = get_user_model().objects.get(username="coach")
    response = admin_client.post(
        f"/admin/auth/user/{coach.pk}/change/",
        {
            "username": "coach",
            "email": "coach@smr.test",
            "is_active": "on",
            "is_staff": "on",
            "date_joined_0": "2026-03-02",
            "date_joined_1": "09:00:00",
        },
    )
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:2000]
    _, landing = _sign_in("coach@smr.test")
    assert landing == "/"


def test_a_member_still_confirms_their_email():
    """Members are not staff: an unconfirmed address still has to be confirmed first."""
    member = UserFactory(username="maya", email="maya@smr.test")
    member.set_password(PASSWORD)
    member.save()
    assert staff_email_verify(user=member) is None
    _, landing = _sign_in("maya@smr.test")
    assert landing == "/accounts/confirm-email/"


def test_a_new_staff_email_becomes_the_primary_one():
    """When a staff member's email changes, the new address is the verified primary."""
    staff = UserFactory(username="coach", email="old@smr.test", is_staff=True)
    EmailAddress.objects.create(user=staff, email="old@smr.test", verified=True, primary=True)
    staff.email = "new@smr.test"
    staff_email_verify(user=staff)
    primary = EmailAddress.objects.get(user=staff, primary=True)
    assert (primary.email, primary.verified) == ("new@smr.test", True)
