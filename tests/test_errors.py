from http import HTTPStatus

import pytest
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


def test_a_mistyped_technique_address_suggests_the_closest_names(client, catalogue):
    """/techniques/psoas-pres/ answers 404 with "Did you mean Psoas Press?" and a search box."""
    response = client.get("/techniques/psoas-pres/")
    assert response.status_code == HTTPStatus.NOT_FOUND
    body = response.content.decode()
    assert 'Did you mean <a href="/techniques/psoas-press/">Psoas Press</a>' in body
    assert 'name="q" value="psoas pres"' in body
    assert 'action="/techniques/"' in body


def test_a_404_with_nothing_alike_offers_the_search_alone(client, catalogue):
    """An address like no technique gets the search box, no made-up suggestion."""
    response = client.get("/no/such/zzzzqqq/")
    assert response.status_code == HTTPStatus.NOT_FOUND
    body = response.content.decode()
    assert "Did you mean" not in body
    assert 'name="q" value="zzzzqqq"' in body


def test_the_404_page_costs_one_query(client, catalogue, django_assert_num_queries):
    """Suggestions read the published names and slugs once, with no session or user lookup."""
    with django_assert_num_queries(1):
        client.get("/quad-rol/")
    # Under /techniques/ the page's own look-up of the slug comes first, then whether
    # it is a renamed technique's old slug (which would redirect).
    with django_assert_num_queries(3):
        client.get("/techniques/quad-rol/")


@pytest.mark.parametrize(
    "path", ["/%00/", "/" + "x" * 5000 + "/", "/techniques/%ZZ/", "/nope/?q=<b>"]
)
def test_odd_404_addresses_never_break_the_page(client, db, path):
    """NULs, very long and badly escaped addresses still get the 404 page."""
    assert client.get(path).status_code == HTTPStatus.NOT_FOUND
