from http import HTTPStatus

import pytest

from techniques import selectors
from techniques.models import FormerSlug, Technique
from tests.factories import TechniqueFactory, technique_change_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def renamed(settings):
    """TFL Ball Press, once at /techniques/tfl-ball/, with a video uploaded."""
    path = settings.MEDIA_ROOT / "techniques" / "videos" / "tfl.mp4"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(100))
    technique = TechniqueFactory(
        slug="tfl-ball-press", name="TFL Ball Press", video="techniques/videos/tfl.mp4"
    )
    FormerSlug.objects.create(slug="tfl-ball", technique=technique)
    return technique


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/techniques/tfl-ball/", "/techniques/tfl-ball-press/"),
        ("/techniques/tfl-ball/?comments=2", "/techniques/tfl-ball-press/?comments=2"),
        ("/techniques/tfl-ball/pdf/", "/techniques/tfl-ball-press/pdf/"),
        ("/techniques/tfl-ball/pdf/?size=letter", "/techniques/tfl-ball-press/pdf/?size=letter"),
        ("/techniques/tfl-ball/video/", "/techniques/tfl-ball-press/video/"),
    ],
)
def test_old_addresses_are_moved_permanently_to_the_new_ones(client, renamed, old, new):
    """A link shared before the rename answers 301 with the same page at its new slug."""
    response = client.get(old)
    assert response.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert response["Location"] == new


def test_the_redirect_leads_to_the_page(client, renamed):
    """Following the old link ends on the technique's page."""
    response = client.get("/techniques/tfl-ball/", follow=True)
    assert response.status_code == HTTPStatus.OK
    assert response.redirect_chain == [("/techniques/tfl-ball-press/", 301)]
    assert "TFL Ball Press" in response.content.decode()


@pytest.mark.parametrize(
    "url", ["/techniques/no-such-thing/", "/techniques/no-such-thing/pdf/", "/techniques/x/video/"]
)
def test_unknown_slugs_are_still_not_found(client, renamed, url):
    """Only recorded old slugs redirect; anything else is a 404."""
    assert client.get(url).status_code == HTTPStatus.NOT_FOUND


def test_an_unpublished_techniques_old_address_is_not_found(client, renamed):
    """An old slug does not reveal where an unpublished technique lives now."""
    Technique.objects.filter(pk=renamed.pk).update(is_published=False)
    assert client.get("/techniques/tfl-ball/").status_code == HTTPStatus.NOT_FOUND


def test_a_current_address_without_a_video_stays_not_found(client):
    """A 404 at a technique's own slug is not turned into a redirect to itself."""
    TechniqueFactory(slug="calf-roll")
    assert client.get("/techniques/calf-roll/video/").status_code == HTTPStatus.NOT_FOUND


def test_the_selector_resolves_current_and_former_slugs(renamed):
    """Other code (scenarios, imports) may name a technique by either slug."""
    assert selectors.technique_by_slug_or_former(slug="tfl-ball-press") == renamed
    assert selectors.technique_by_slug_or_former(slug="tfl-ball") == renamed
    assert selectors.technique_by_slug_or_former(slug="tfl") is None
    unpublished = Technique.objects.filter(is_published=False)
    assert selectors.technique_by_slug_or_former(slug="tfl-ball", techniques=unpublished) is None


def test_the_admin_shows_former_slugs_on_the_technique(admin_client, renamed):
    """Staff see and edit a technique's old addresses inline."""
    response = admin_client.get(f"/admin/techniques/technique/{renamed.pk}/change/")
    body = response.content.decode()
    assert 'name="former_slugs-0-slug"' in body
    assert 'value="tfl-ball"' in body


def test_renaming_in_the_admin_keeps_the_old_address(admin_client, client, renamed):
    """A slug changed in the admin becomes a former slug, so its links keep working."""
    url = f"/admin/techniques/technique/{renamed.pk}/change/"
    response = admin_client.post(url, technique_change_form(renamed, slug="tensor-ball-press"))
    assert response.status_code == HTTPStatus.FOUND
    assert set(renamed.former_slugs.values_list("slug", flat=True)) == {
        "tfl-ball",
        "tfl-ball-press",
    }
    response = client.get("/techniques/tfl-ball-press/pdf/?size=letter")
    assert response["Location"] == "/techniques/tensor-ball-press/pdf/?size=letter"


def test_the_admin_refuses_another_techniques_old_address(admin_client, renamed):
    """Taking a slug that still redirects to another technique is a form error."""
    other = TechniqueFactory(slug="side-hip-ball-press")
    url = f"/admin/techniques/technique/{other.pk}/change/"
    response = admin_client.post(url, technique_change_form(other, slug="tfl-ball"))
    assert response.status_code == HTTPStatus.OK
    assert "was the address of TFL Ball Press" in response.content.decode()
    assert Technique.objects.get(pk=other.pk).slug == "side-hip-ball-press"


def test_the_admin_refuses_a_former_slug_that_is_a_current_one(admin_client, renamed):
    """An old address cannot be added when a technique lives there now."""
    TechniqueFactory(slug="calf-roll", name="Calf Roll")
    url = f"/admin/techniques/technique/{renamed.pk}/change/"
    data = technique_change_form(renamed)
    data |= {
        "former_slugs-TOTAL_FORMS": "2",
        "former_slugs-1-technique": renamed.pk,
        "former_slugs-1-slug": "calf-roll",
    }
    response = admin_client.post(url, data)
    assert response.status_code == HTTPStatus.OK
    assert "is the current address of Calf Roll" in response.content.decode()
    assert not FormerSlug.objects.filter(slug="calf-roll").exists()
