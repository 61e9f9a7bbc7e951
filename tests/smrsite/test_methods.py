"""Pages answer GET, HEAD and POST; TRACE, OPTIONS and the rest get 405 and no page."""

from http import HTTPStatus

import pytest
from django.test import Client

from smrsite.methods import ALLOWED_METHODS
from smrsite.pagecache import HIT_HEADER

pytestmark = pytest.mark.django_db

PAGES = ["/", "/techniques/", "/techniques/psoas-press/", "/accounts/login/"]


def _assert_refused(response) -> None:
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert response["Allow"] == ", ".join(ALLOWED_METHODS)
    assert response.content == b""


@pytest.mark.parametrize("method", ["TRACE", "OPTIONS", "PUT", "DELETE", "PROPFIND"])
@pytest.mark.parametrize("path", PAGES)
def test_other_methods_get_405_on_cached_public_pages(catalogue, path, method):
    """Even with the page in the cache, another method gets 405 without the page."""
    visitor = Client()
    assert visitor.get(path).status_code == HTTPStatus.OK
    if path != "/accounts/login/":  # a page with a form and its CSRF cookie is not kept
        assert visitor.get(path)[HIT_HEADER] == "hit"
    _assert_refused(visitor.generic(method, path))


@pytest.mark.parametrize("method", ["TRACE", "OPTIONS"])
@pytest.mark.parametrize("path", ["/accounts/profile/", "/routine/start/", "/healthz"])
def test_other_methods_get_405_on_signed_in_pages(auth_client, catalogue, path, method):
    """A member's own pages, never cached, refuse them the same way."""
    _assert_refused(auth_client.generic(method, path))


def test_get_head_and_post_still_work(auth_client, catalogue):
    """The allowed methods reach the views as before."""
    assert auth_client.head("/techniques/").status_code == HTTPStatus.OK
    response = auth_client.post("/accounts/profile/", {"display_name": "Ann", "time_zone": "UTC"})
    assert response.status_code == HTTPStatus.FOUND
