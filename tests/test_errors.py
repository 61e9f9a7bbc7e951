from http import HTTPStatus

from django.db import OperationalError
from django.test import RequestFactory
from django.urls import get_resolver

from smrsite import views


def test_server_error_page_is_friendly_and_self_contained():
    """The 500 page renders without a database or context processors and says what to do."""
    response = views.server_error(RequestFactory().get("/"))
    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    body = response.content.decode()
    assert "Something went wrong on our side" in body
    assert "Go to the home page" in body


def test_a_lost_database_connection_gets_the_503_page():
    """When the database connection broke mid-request, the error page says to retry soon."""
    try:
        raise OperationalError("terminating connection due to administrator command")
    except OperationalError:
        response = views.server_error(RequestFactory().get("/"))
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response["Retry-After"] == str(views.DATABASE_RETRY_AFTER)
    assert "no-cache" in response["Cache-Control"]
    assert "could not reach our database" in response.content.decode()


def test_the_site_uses_its_own_error_handler():
    """Uncaught errors go through smrsite.views.server_error."""
    assert get_resolver().resolve_error_handler(500) is views.server_error
