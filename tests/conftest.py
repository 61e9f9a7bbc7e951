import os

import pytest

from tests.factories import UserFactory, client_for

# Playwright's sync API runs an event loop in the test thread; the live server
# and ORM calls around it are synchronous and safe here (tests only).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Development turns the caches off; the suite asks for them, as production has them,
    # so every test that writes and then reads a page checks that they stay fresh.
    settings.PAGE_CACHE_SECONDS = 300
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def user(db):
    return UserFactory(username="ryan", email="ryan@example.com")


@pytest.fixture
def other_user(db):
    return UserFactory(username="other", email="other@example.com")


@pytest.fixture
def staff_user(db):
    return UserFactory(username="coach", email="coach@example.com", is_staff=True)


@pytest.fixture
def auth_client(user):
    return client_for(user)


@pytest.fixture
def other_client(other_user):
    return client_for(other_user)


@pytest.fixture
def staff_client(staff_user):
    return client_for(staff_user)


@pytest.fixture
def catalogue(db):
    """The real catalogue shipped with the app, loaded as `seed_catalogue` does."""
    from techniques.services import catalogue_load, catalogue_read

    catalogue_load(data=catalogue_read())
