"""The signed-in user is read through the cache, and every change to the user applies at once."""

from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.auth import ModelBackend
from members.models import Profile

pytestmark = pytest.mark.django_db

PROFILE = "/accounts/profile/"


def test_a_signed_in_member_costs_no_user_query_once_kept(auth_client):
    """Once read, the member's user row (with their profile) comes from the cache.

    The first visit to the profile page makes the profile of an account that had none,
    which forgets the kept copy; the next request keeps it again."""
    auth_client.get(PROFILE)
    auth_client.get(PROFILE)
    with CaptureQueriesContext(connection) as queries:
        response = auth_client.get(PROFILE)
    assert response.status_code == HTTPStatus.OK
    assert not any('FROM "auth_user"' in q["sql"] for q in queries.captured_queries)


def test_a_deactivated_member_is_signed_out_at_once(auth_client, user):
    """Deactivating in the admin (a save) takes effect on the member's next request."""
    assert auth_client.get(PROFILE).status_code == HTTPStatus.OK
    user.is_active = False
    user.save()
    response = auth_client.get(PROFILE)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("account_login"))


def test_a_password_change_signs_out_the_other_sessions(auth_client, user):
    """The kept copy goes with the old password, so other browsers are signed out."""
    assert auth_client.get(PROFILE).status_code == HTTPStatus.OK
    user.set_password("a-brand-new-passphrase-42")
    user.save()
    assert auth_client.get(PROFILE).status_code == HTTPStatus.FOUND


def test_a_new_staff_flag_shows_on_the_next_page(auth_client, user):
    """Staff links appear as soon as a member is made staff."""
    queue = reverse("techniques:comment_queue")
    assert queue not in auth_client.get("/").content.decode()
    user.is_staff = True
    user.save()
    assert queue in auth_client.get("/").content.decode()


def test_a_profile_change_reaches_the_kept_user(user):
    """The kept user carries the profile (name, time zone), so saving the profile forgets
    the copy: the next request reads the new one."""
    backend = ModelBackend()
    profile = Profile.objects.create(user=user, display_name="Rowan")
    assert backend.get_user(user.pk).profile.display_name == "Rowan"
    profile.display_name = "Renamed Rowan"
    profile.save()
    assert backend.get_user(user.pk).profile.display_name == "Renamed Rowan"
