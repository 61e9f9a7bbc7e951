"""Joining from a technique page: the emailed link signs the newcomer in and takes them back."""

import re
from http import HTTPStatus
from urllib.parse import quote

import pytest
from django.core import mail
from django.test import Client

from tests.factories import TechniqueFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a long and unusual pass"
BACK = "/techniques/psoas-press/#respond"


@pytest.fixture(autouse=True)
def technique():
    return TechniqueFactory(name="Psoas Press", slug="psoas-press")


def _join(client, *, next_url=BACK):
    """Follow "join free" from the technique page and sign up; the emailed link's path."""
    page = client.get("/techniques/psoas-press/").content.decode()
    join = f'href="/accounts/signup/?next={quote("/techniques/psoas-press/", safe="/")}%23respond"'
    assert join in page
    client.get(f"/accounts/signup/?next={quote(next_url)}")
    response = client.post(
        "/accounts/signup/",
        {
            "email": "newcomer@smr.test",
            "display_name": "Newcomer",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "next": next_url,
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    [message] = mail.outbox
    return re.search(r"http://\S+(/accounts/confirm-email/\S+)", message.body)[1]


def _confirm(client, link):
    page = client.get(link)
    assert page.status_code == HTTPStatus.OK
    form_next = re.search(r'name="next" value="([^"]+)"', page.content.decode())[1]
    key = link.split("/confirm-email/", 1)[1].split("/", 1)[0]
    return client.post(f"/accounts/confirm-email/{key}/", {"next": form_next.replace("&amp;", "&")})


def _signed_in(client) -> bool:
    return "Your comment" in client.get("/techniques/psoas-press/").content.decode()


def test_confirming_in_the_same_browser_signs_in_and_goes_back_to_the_reply_box():
    """Join from the technique page, open the emailed link: signed in, at #respond."""
    client = Client()
    link = _join(client)
    assert "next=%2Ftechniques%2Fpsoas-press%2F%23respond" in link
    response = _confirm(client, link)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == BACK
    assert _signed_in(client)


def test_the_reply_link_of_a_comment_survives_joining():
    """A visitor's "reply" (?replyto=) sent to sign in, then to join, comes back to it."""
    client = Client()
    back = "/techniques/psoas-press/?replyto=7#reply-7"
    login_page = client.get(f"/accounts/login/?next={quote(back)}").content.decode()
    assert f'/accounts/signup/?next={quote(back, safe="")}"' in login_page
    response = _confirm(client, _join(client, next_url=back))
    assert response["Location"] == back
    assert _signed_in(client)


def test_confirming_in_another_browser_asks_to_sign_in_then_goes_back():
    """Opened elsewhere, the link confirms, asks to sign in, and then returns to the page."""
    link = _join(Client())
    elsewhere = Client()
    response = _confirm(elsewhere, link)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/accounts/login/?next={quote(BACK)}"
    assert not _signed_in(elsewhere)
    response = elsewhere.post(
        response["Location"], {"login": "newcomer@smr.test", "password": PASSWORD, "next": BACK}
    )
    assert response["Location"] == BACK
    assert _signed_in(elsewhere)


def test_a_next_pointing_elsewhere_is_not_carried():
    """A `next` to another site never reaches the emailed link."""
    client = Client()
    client.post(
        "/accounts/signup/",
        {
            "email": "newcomer@smr.test",
            "display_name": "Newcomer",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "next": "https://evil.test/",
        },
    )
    [message] = mail.outbox
    assert "next=" not in message.body
    assert "evil.test" not in message.body
