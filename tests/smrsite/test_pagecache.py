"""The anonymous page cache: served without queries, dropped on every content change."""

from http import HTTPStatus

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory

from members.services import profile_for, profile_update
from questions import services
from questions.models import Comment
from smrsite import pagecache
from smrsite.pagecache import HIT_HEADER
from techniques.models import Technique
from tests.factories import CommentFactory, StepFactory, TechniqueFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def technique():
    technique = TechniqueFactory(name="Psoas Press", slug="psoas-press")
    StepFactory(technique=technique, text="Lie face down on the ball.")
    return technique


def _warm(client, url):
    first = client.get(url)
    assert first.status_code == HTTPStatus.OK
    assert first[HIT_HEADER] == "miss"
    return first


@pytest.mark.parametrize("path", ["/", "/techniques/", "/techniques/?region=x", "TECHNIQUE"])
def test_second_anonymous_visit_is_served_from_cache_without_queries(
    client, technique, django_assert_num_queries, path
):
    """An anonymous reader's second visit to a public page costs no database query."""
    url = technique.get_absolute_url() if path == "TECHNIQUE" else path
    if "region=" in url:
        url = f"/techniques/?region={technique.region.slug}"
    first = _warm(client, url)
    with django_assert_num_queries(0):
        second = client.get(url)
    assert second.status_code == HTTPStatus.OK
    assert second[HIT_HEADER] == "hit"
    assert second.content == first.content
    assert "default-src 'self'" in second["Content-Security-Policy"]


def test_anonymous_technique_page_carries_no_csrf_token(client, technique):
    """The cached anonymous page holds no form token that could go stale for the next reader."""
    response = _warm(client, technique.get_absolute_url())
    assert b"csrfmiddlewaretoken" not in response.content
    assert "csrftoken" not in response.cookies


def test_other_query_parameters_bypass_the_cache(client, technique):
    """A search or a reply link is rendered each time, never stored."""
    for url in ("/techniques/?q=psoas", f"{technique.get_absolute_url()}?replyto=1"):
        client.get(url)
        assert HIT_HEADER not in client.get(url)


def test_technique_edit_through_a_service_shows_at_once(client, technique, catalogue_data):
    """Re-seeding the catalogue (the service) drops the cached pages."""
    from techniques.services import catalogue_load

    _warm(client, "/techniques/")
    catalogue_load(data=catalogue_data)
    response = client.get("/techniques/")
    assert response[HIT_HEADER] == "miss"
    assert "Quads Roll" in response.content.decode()


@pytest.fixture
def catalogue_data():
    from techniques.services import catalogue_read

    return catalogue_read()


def test_technique_saved_in_the_admin_shows_at_once(client, technique, staff_user):
    """A change saved through the technique admin replaces the cached page."""
    _warm(client, technique.get_absolute_url())
    technique.summary = "A brand-new summary from the admin."
    request = RequestFactory().post("/admin/")
    request.user = staff_user
    model_admin = admin.site._registry[Technique]
    model_admin.save_model(request, technique, form=None, change=True)
    response = client.get(technique.get_absolute_url())
    assert response[HIT_HEADER] == "miss"
    assert "A brand-new summary from the admin." in response.content.decode()


def test_technique_deleted_in_the_admin_disappears_from_the_catalogue(client, technique):
    """Deleting through the admin's own delete page removes the technique from cached pages."""
    staff = UserFactory(username="editor", is_staff=True, is_superuser=True)
    _warm(client, "/techniques/")
    editor = Client()
    editor.force_login(staff)
    response = editor.post(f"/admin/techniques/technique/{technique.pk}/delete/", {"post": "yes"})
    assert response.status_code == HTTPStatus.FOUND
    assert "Psoas Press" not in client.get("/techniques/").content.decode()


def test_approving_a_comment_replaces_the_cached_page(client, technique, user, staff_user):
    """A comment waiting for moderation appears for readers as soon as staff approve it."""
    pending = services.comment_create(
        technique=technique, author=user, body="Is twice a day too much?"
    )
    assert pending.status == Comment.Status.PENDING
    before = _warm(client, technique.get_absolute_url()).content.decode()
    assert "Is twice a day too much?" not in before
    services.comment_approve(comment=pending, by=staff_user)
    response = client.get(technique.get_absolute_url())
    assert response[HIT_HEADER] == "miss"
    assert "Is twice a day too much?" in response.content.decode()


def test_a_new_published_comment_replaces_the_cached_page(client, technique, staff_user):
    """A comment that goes live at once shows on the next anonymous visit."""
    _warm(client, technique.get_absolute_url())
    services.comment_create(technique=technique, author=staff_user, body="Staff tip.")
    assert "Staff tip." in client.get(technique.get_absolute_url()).content.decode()


def test_a_new_display_name_replaces_the_cached_page(client, technique, user):
    """Comments show the author's display name, so changing it drops the cached pages."""
    CommentFactory(technique=technique, author=user, body="My question")
    profile_update(profile=profile_for(user), display_name="Old Name")
    _warm(client, technique.get_absolute_url())
    profile_update(profile=profile_for(user), display_name="New Name")
    assert "New Name" in client.get(technique.get_absolute_url()).content.decode()


def test_signed_in_pages_are_never_cached_or_shared(technique, user, other_user):
    """Each member gets their own page (their pending comment shows only to them), never cached."""
    services.comment_create(technique=technique, author=user, body="Ryan's own question")
    ryan, other = Client(), Client()
    ryan.force_login(user)
    other.force_login(other_user)
    for _ in range(2):
        mine = ryan.get(technique.get_absolute_url())
        theirs = other.get(technique.get_absolute_url())
        assert HIT_HEADER not in mine
        assert HIT_HEADER not in theirs
        assert "Ryan's own question" in mine.content.decode()
        assert "Ryan's own question" not in theirs.content.decode()
        assert b"csrfmiddlewaretoken" in mine.content
    anonymous = Client().get(technique.get_absolute_url())
    assert anonymous[HIT_HEADER] == "miss"
    assert "Ryan's own question" not in anonymous.content.decode()


def test_cache_can_be_turned_off(client, technique, settings):
    """PAGE_CACHE_SECONDS=0 renders every page afresh."""
    settings.PAGE_CACHE_SECONDS = 0
    client.get("/")
    assert HIT_HEADER not in client.get("/")


def test_kept_values_are_computed_once_per_version_of_their_scopes():
    """A value is computed again only after its scope changed, or when it has no key."""
    from smrsite.pagecache import cached_value
    from smrsite.versions import bump

    def fragment(parts, scope="technique:a"):
        return cached_value("test", parts, render, scopes=(scope,))

    renders = []

    def render():
        renders.append(1)
        return f"<p>render {len(renders)}</p>"

    assert fragment(("a",)) == "<p>render 1</p>"
    assert fragment(("a",)) == "<p>render 1</p>"
    assert fragment(("b",)) == "<p>render 2</p>"
    assert fragment(("c",), scope="technique:b") == "<p>render 3</p>"
    bump("technique:a")
    assert fragment(("a",)) == "<p>render 4</p>"
    assert fragment(("c",), scope="technique:b") == "<p>render 3</p>"
    assert fragment(None) == "<p>render 5</p>"
    assert fragment(None) == "<p>render 6</p>"


def test_a_new_release_does_not_serve_the_old_releases_pages(client, technique, settings):
    """After a deploy (another RELEASE) cached pages and fragments are rendered afresh."""
    from smrsite.pagecache import code_release

    url = technique.get_absolute_url()
    settings.RELEASE = "release-1"
    code_release.cache_clear()
    try:
        _warm(client, url)
        assert client.get(url)[HIT_HEADER] == "hit"
        settings.RELEASE = "release-2"
        code_release.cache_clear()
        assert client.get(url)[HIT_HEADER] == "miss"
        assert client.get(url)[HIT_HEADER] == "hit"
    finally:
        code_release.cache_clear()


def test_without_a_release_name_the_source_files_name_it(settings, tmp_path, monkeypatch):
    """Same sources, same release on every server; an edited template makes a new one."""
    from smrsite import pagecache

    template = tmp_path / "templates" / "page.html"
    template.parent.mkdir()
    template.write_text("<p>old</p>")
    settings.BASE_DIR = tmp_path
    settings.RELEASE = ""
    monkeypatch.setattr(pagecache, "SOURCES", ("templates",))
    pagecache.code_release.cache_clear()
    try:
        first = pagecache.code_release()
        pagecache.code_release.cache_clear()
        assert pagecache.code_release() == first
        template.write_text("<p>new</p>")
        pagecache.code_release.cache_clear()
        assert pagecache.code_release() != first
    finally:
        pagecache.code_release.cache_clear()


def test_kept_html_loses_template_indentation_but_not_the_gaps_between_words():
    """Indentation goes; every gap stays a gap; <pre> and <textarea> are left alone."""
    from smrsite.pagecache import compact_html

    assert compact_html("<p>Hold\n      <a>here</a>\n  <a>there</a></p>") == (
        "<p>Hold\n<a>here</a>\n<a>there</a></p>"
    )
    kept = "<pre>\n    indented\n</pre>"
    assert compact_html(kept) == kept
    draft = '<div>\n  <textarea name="note">\n  my draft</textarea>\n  </div>'
    assert compact_html(draft) == '<div>\n<textarea name="note">\n  my draft</textarea>\n</div>'
    mixed = "<p>\n  a</p><pre> x\n  y</pre>\n  <TEXTAREA>\n z</TEXTAREA>\n  <p>b</p>"
    expected = "<p>\na</p><pre> x\n  y</pre>\n<TEXTAREA>\n z</TEXTAREA>\n<p>b</p>"
    assert compact_html(mixed) == expected


def test_cached_pages_are_kept_without_indentation(client, technique):
    """What the cache serves is the compact page, identical on the miss and on hits."""
    first = _warm(client, technique.get_absolute_url())
    again = client.get(technique.get_absolute_url())
    assert again.content == first.content
    assert b"\n  " not in again.content


def test_a_cached_page_leaves_early_with_the_same_security_headers(client, technique):
    """Served before sessions and auth, a hit still carries what the miss carried."""
    url = technique.get_absolute_url()
    first = _warm(client, url)
    hit = client.get(url)
    assert hit[HIT_HEADER] == "hit"
    assert hit.content == first.content
    for header in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options"):
        assert hit[header] == first[header], header
    assert "Cookie" in hit["Vary"]
    assert hit["Content-Length"] == str(len(hit.content))
    assert not hit.cookies


def test_visitors_with_a_session_cookie_are_served_by_the_view(client, technique, user):
    """A session cookie (signed in or not) takes the request through the full stack."""
    url = technique.get_absolute_url()
    _warm(client, url)
    client.force_login(user)
    assert client.get(url).get(HIT_HEADER) != "hit"


def test_a_layer_switched_off_keeps_nothing(client, technique, settings):
    """CACHE_LAYERS_OFF=page: every anonymous visit builds the page, nothing is served
    from the cache, and the other layers stay on (the instructions are still kept)."""
    settings.CACHE_LAYERS_OFF = ["page"]
    url = technique.get_absolute_url()
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == HTTPStatus.OK
        assert HIT_HEADER not in response
    assert pagecache.layer_on("technique")
    assert not pagecache.layer_on("page")
