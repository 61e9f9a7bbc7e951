from datetime import date
from http import HTTPStatus

import pytest

from routines.models import LogEntry
from techniques.models import Technique
from tests.factories import LogEntryFactory, UserFactory, technique_change_form

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


def _logged(technique: Technique) -> LogEntry:
    member = UserFactory()
    return LogEntryFactory(member=member, technique=technique, day=date(2026, 3, 1))


@pytest.mark.parametrize("method", ["get", "post"])
def test_deleting_a_logged_technique_is_refused_with_a_way_out(admin_client, catalogue, method):
    """A technique members have logged stays, and staff are told to unpublish it instead."""
    psoas = Technique.objects.get(slug="psoas-press")
    entry = _logged(psoas)
    url = f"/admin/techniques/technique/{psoas.pk}/delete/"
    response = getattr(admin_client, method)(url, {"post": "yes"}, follow=True)
    assert response.redirect_chain[-1][0] == f"/admin/techniques/technique/{psoas.pk}/change/"
    page = response.content.decode()
    assert "“Psoas Press” cannot be deleted: members have logged it" in page
    assert "Unpublish instead (untick “Published” and save)" in page
    assert Technique.objects.filter(pk=psoas.pk).exists()
    assert LogEntry.objects.filter(pk=entry.pk).exists()


def test_a_technique_nobody_logged_can_still_be_deleted(admin_client, catalogue):
    """Without logs the admin's delete works as usual."""
    quads = Technique.objects.get(slug="quads-roll")
    url = f"/admin/techniques/technique/{quads.pk}/delete/"
    assert "Are you sure" in admin_client.get(url).content.decode()
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == HTTPStatus.FOUND
    assert not Technique.objects.filter(pk=quads.pk).exists()


def test_the_bulk_delete_refuses_logged_techniques(admin_client, catalogue):
    """Choosing logged techniques in the list and "Delete selected" deletes none of them."""
    psoas, calf, quads = (
        Technique.objects.get(slug=slug) for slug in ("psoas-press", "calf-roll", "quads-roll")
    )
    _logged(psoas)
    _logged(calf)
    response = admin_client.post(
        "/admin/techniques/technique/",
        {"action": "delete_selected", "_selected_action": [psoas.pk, calf.pk, quads.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "“Calf Roll” and “Psoas Press” cannot be deleted: members have logged them" in page
    assert "Unpublish instead" in page
    assert Technique.objects.filter(pk__in=[psoas.pk, calf.pk, quads.pk]).count() == 3


def test_the_bulk_delete_still_deletes_techniques_nobody_logged(admin_client, catalogue):
    """Without logs "Delete selected" asks to confirm, then deletes."""
    quads = Technique.objects.get(slug="quads-roll")
    data = {"action": "delete_selected", "_selected_action": [quads.pk]}
    confirm = admin_client.post("/admin/techniques/technique/", data)
    assert "Are you sure" in confirm.content.decode()
    admin_client.post("/admin/techniques/technique/", {**data, "post": "yes"})
    assert not Technique.objects.filter(pk=quads.pk).exists()
