from http import HTTPStatus

import pytest

from techniques.models import Technique
from tests.factories import technique_change_form

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/admin/techniques/technique/",
        "/admin/techniques/technique/?region__id__exact=1",
        "/admin/techniques/technique/?q=psoas",
        "/admin/techniques/technique/add/",
        "/admin/techniques/stretch/",
        "/admin/techniques/region/",
        "/admin/techniques/tool/",
    ],
)
def test_admin_screens_open(admin_client, catalogue, url):
    """Staff can open every catalogue screen of the admin."""
    assert admin_client.get(url).status_code == HTTPStatus.OK


def test_admin_edit_page_has_step_inlines(admin_client, catalogue):
    """A technique's edit page shows its steps inline."""
    psoas = Technique.objects.get(slug="psoas-press")
    response = admin_client.get(f"/admin/techniques/technique/{psoas.pk}/change/")
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert "steps-0-text" in body
    assert psoas.steps.first().text in body


def test_admin_refuses_a_loop_of_prerequisites(admin_client, catalogue):
    """Saving 'Quads Roll after Psoas Press' in the admin is refused with a message."""
    quads = Technique.objects.get(slug="quads-roll")
    psoas = Technique.objects.get(slug="psoas-press")
    response = admin_client.post(
        f"/admin/techniques/technique/{quads.pk}/change/",
        technique_change_form(quads, after=psoas.pk),
    )
    assert response.status_code == HTTPStatus.OK
    assert "This would make a loop" in response.content.decode()
    quads.refresh_from_db()
    assert quads.after is None


def test_anonymous_visitors_are_sent_to_the_admin_login(client, db):
    """The admin is staff-only."""
    response = client.get("/admin/techniques/technique/")
    assert response.status_code == HTTPStatus.FOUND
    assert "/admin/login/" in response["Location"]
