"""Cached pages stay fresh through model signals alone, on every path a review found stale."""

import os
import re
import subprocess
import sys
from http import HTTPStatus

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.template.loader import render_to_string
from django.test import RequestFactory

from questions.forms import CommentForm
from questions.models import Comment
from smrsite import pagecache, versions
from smrsite.pagecache import HIT_HEADER
from tests.factories import (
    CommentFactory,
    ProfileFactory,
    StepFactory,
    TechniqueFactory,
    UserFactory,
    client_for,
)

pytestmark = pytest.mark.django_db

_CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+(")')


def _without_csrf(response) -> str:
    """The page without its CSRF token and, as kept pages are stored, without the
    indentation templates leave at line starts (a page built afresh keeps it)."""
    return _CSRF.sub(r"\1…\2", pagecache.compact_html(response.content.decode()))


@pytest.fixture
def technique():
    technique = TechniqueFactory(name="Psoas Press", slug="psoas-press")
    StepFactory(technique=technique, text="Lie face down on the ball.")
    return technique


@pytest.fixture
def asker():
    asker = UserFactory(username="asker")
    ProfileFactory(user=asker, display_name="Maya Asker")
    return asker


@pytest.fixture
def thread(technique, asker):
    question = CommentFactory(technique=technique, author=asker, body="Is a tennis ball fine?")
    CommentFactory(technique=technique, parent=question, body="Yes, a firm one.")
    return question


def _admin_user_form(user, **changes) -> dict:
    """What Django's UserAdmin change form posts for ``user``, with ``changes``."""
    form = {
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
    }
    form.update(changes)
    return {name: value for name, value in form.items() if value != ""}


@pytest.mark.parametrize("path", ["/", "/techniques/", "TECHNIQUE"])
def test_two_members_get_the_page_each_would_get_built_for_them(
    technique, thread, user, other_user, path, settings
):
    """A page one member's visit left in the cache is, CSRF token aside, byte for byte
    the page built afresh for another member, whose base layout names nothing of the first."""
    url = technique.get_absolute_url() if path == "TECHNIQUE" else path
    first, second = client_for(user), client_for(other_user)
    assert first.get(url).status_code == HTTPStatus.OK
    served = second.get(url)
    settings.PAGE_CACHE_SECONDS = 0
    built = client_for(other_user).get(url)
    assert _without_csrf(served) == _without_csrf(built)
    assert _without_csrf(first.get(url)) == _without_csrf(built)


def test_a_members_own_comment_never_reaches_another_members_page(technique, thread, user):
    """Member A's pending comment and its Edit link stay on A's page only."""
    mine = CommentFactory(
        technique=technique, author=user, body="My own pending note", status="pending"
    )
    other = client_for(UserFactory(username="bystander"))
    other.get(technique.get_absolute_url())
    assert "My own pending note" in client_for(user).get(technique.get_absolute_url()).text
    page = other.get(technique.get_absolute_url()).text
    assert "My own pending note" not in page
    assert f"/comments/{mine.pk}/edit/" not in page


def test_a_member_promoted_to_staff_in_the_admin_sees_staff_tools_at_once(
    technique, thread, user, admin_client
):
    """The member's view of threads is kept per member: the UserAdmin save replaces it."""
    member = client_for(user)
    assert "Staff actions" not in member.get(technique.get_absolute_url()).text
    assert "Staff actions" not in member.get(technique.get_absolute_url()).text
    response = admin_client.post(
        f"/admin/auth/user/{user.pk}/change/", _admin_user_form(user, is_staff="on")
    )
    assert response.status_code == HTTPStatus.FOUND
    assert get_user_model().objects.get(pk=user.pk).is_staff
    assert "Staff actions" in member.get(technique.get_absolute_url()).text


def test_a_staff_flag_set_in_the_admin_shows_on_cached_anonymous_pages(
    client, technique, thread, asker, admin_client
):
    """Comments show a Staff badge by their author: the flag reaches every cached page."""
    url = technique.get_absolute_url()
    client.get(url)
    assert client.get(url)[HIT_HEADER] == "hit"
    assert "badge-staff" not in client.get(url).text
    admin_client.post(
        f"/admin/auth/user/{asker.pk}/change/", _admin_user_form(asker, is_staff="on")
    )
    page = client.get(url)
    assert page[HIT_HEADER] == "miss"
    assert "badge-staff" in page.text


def test_a_member_deleted_in_the_admin_leaves_cached_pages_at_once(
    client, technique, thread, asker, admin_client
):
    """Deleting a user in UserAdmin takes their name off the thread other readers see."""
    url = technique.get_absolute_url()
    client.get(url)
    assert "Maya Asker" in client.get(url).text
    response = admin_client.post(f"/admin/auth/user/{asker.pk}/delete/", {"post": "yes"})
    assert response.status_code == HTTPStatus.FOUND
    assert not get_user_model().objects.filter(pk=asker.pk).exists()
    assert "Maya Asker" not in client.get(url).text


def test_a_deleted_member_is_signed_out_at_once(technique, user, admin_client):
    """The kept copy of a user goes with the user: their session no longer signs them in."""
    member = client_for(user)
    assert "Sign out" in member.get("/").text
    admin_client.post(f"/admin/auth/user/{user.pk}/delete/", {"post": "yes"})
    assert "Sign out" not in member.get("/").text


def test_a_comment_changes_only_its_own_techniques_pages(client, technique, thread, user):
    """Versions are per technique: a comment elsewhere leaves this page's cache alone."""
    elsewhere = TechniqueFactory(name="Quads Roll", slug="quads-roll")
    client.get(technique.get_absolute_url())
    client.get(elsewhere.get_absolute_url())
    Comment.objects.create(technique=elsewhere, author=user, body="How long on each spot?")
    assert client.get(technique.get_absolute_url())[HIT_HEADER] == "hit"
    fresh = client.get(elsewhere.get_absolute_url())
    assert fresh[HIT_HEADER] == "miss"
    assert "How long on each spot?" in fresh.text


def test_a_write_inside_a_transaction_is_stale_again_after_the_commit(
    technique, django_capture_on_commit_callbacks
):
    """A value built between the write and its commit is dropped when the commit lands."""
    scope = versions.technique_scope(technique.slug)
    before = versions.current(scope)
    with django_capture_on_commit_callbacks(execute=True):
        versions.bump(scope)
        during = versions.current(scope)
    assert before != during != versions.current(scope)


def _settings_in_a_fresh_process(**env: str) -> str:
    """``PAGE_CACHE_SECONDS`` as the settings module works it out for this environment."""
    keep = {"PATH", "HOME", "LANG", "SYSTEMROOT"}
    environment = {name: value for name, value in os.environ.items() if name in keep}
    environment.update(env)
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.PAGE_CACHE_SECONDS)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**environment, "DJANGO_SETTINGS_MODULE": "smrsite.settings"},
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip()


def test_development_caches_no_pages_unless_asked():
    """Under DEBUG a template edit shows on the next request: no page cache by default."""
    secret = {"DJANGO_SECRET_KEY": "x" * 50}
    assert _settings_in_a_fresh_process(DJANGO_DEBUG="true") == "0"
    assert _settings_in_a_fresh_process(DJANGO_DEBUG="true", PAGE_CACHE_SECONDS="300") == "300"
    production = {**secret, "DJANGO_ENV": "production", "REDIS_URL": "redis://127.0.0.1:6379/9"}
    assert _settings_in_a_fresh_process(**production) == "300"
    assert _settings_in_a_fresh_process(**secret, DJANGO_ENV="production") == "0"


def test_with_the_cache_off_every_request_builds_the_page(client, technique, settings):
    """PAGE_CACHE_SECONDS=0 (development's default) stores nothing and serves nothing."""
    settings.PAGE_CACHE_SECONDS = 0
    for _ in range(2):
        assert HIT_HEADER not in client.get(technique.get_absolute_url())
    assert not [key for key in _stored_keys() if ":pagecache:" in key]


def _stored_keys() -> list[str]:
    """Every key in the cache under test: the in-process one's dict, or Redis's keys."""
    store = cache._cache
    if isinstance(store, dict):
        return list(store)
    return [key.decode() for key in store.get_client(write=False).scan_iter()]


def test_comment_forms_built_differently_render_differently(technique, user):
    """A reply form (``reply=True``) never shows the top-level form's question/remark choice,
    whichever was rendered first: nothing keys a form's HTML on less than the form."""
    request = RequestFactory().get("/")
    request.user = user

    def render(form):
        context = {"form": form, "technique": technique, "request": request}
        return render_to_string("questions/_comment_form.html", context, request)

    top, reply = render(CommentForm()), render(CommentForm(reply=True))
    assert 'name="kind"' in top
    assert 'name="kind"' not in reply
    assert 'name="kind"' in render(CommentForm())
