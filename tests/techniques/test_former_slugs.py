from http import HTTPStatus

import pytest

from techniques import selectors
from techniques.models import FormerSlug, Technique
from tests.factories import TechniqueFactory

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
