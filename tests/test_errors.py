from http import HTTPStatus

from django.test import RequestFactory
from django.views.defaults import server_error


def test_server_error_page_is_friendly_and_self_contained():
    """The 500 page renders without a database or context processors and says what to do."""
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    body = response.content.decode()
    assert "Something went wrong on our side" in body
    assert "Go to the home page" in body
