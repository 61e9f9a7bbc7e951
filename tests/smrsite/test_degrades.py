"""With Redis unreachable the site still answers: cache calls are logged misses."""

import logging
import socket
import threading
import time
from http import HTTPStatus

import pytest
from django.core.cache import cache

from questions import services
from questions.models import Comment
from smrsite.cache import reset_breakers
from tests.factories import TechniqueFactory

pytestmark = pytest.mark.django_db

# Port 1 on loopback: nothing listens there, so every connection is refused at once.
CLOSED_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_down(settings):
    reset_breakers()
    settings.CACHES = {
        "default": {
            "BACKEND": "smrsite.cache.ResilientRedisCache",
            "LOCATION": CLOSED_REDIS,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    yield
    reset_breakers()


def test_every_cache_call_is_a_miss_when_redis_is_down(redis_down):
    """Reads give the default, add succeeds as on an empty cache, incr says the key is missing."""
    assert cache.get("k", "default") == "default"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.add("k", 1) is True
    assert cache.set_many({"a": 1}) == ["a"]
    assert cache.has_key("k") is False
    assert cache.delete("k") is False
    cache.set("k", 1)
    cache.delete_many(["a"])
    with pytest.raises(ValueError, match="not found"):
        cache.incr("k")


def test_pages_still_load_and_a_warning_is_logged(redis_down, client, auth_client, caplog):
    """Home, catalogue, a technique page, sign-in and a member's page answer 200 without Redis."""
    technique = TechniqueFactory(slug="psoas-press")
    # Creating the signed-in member already met the cache (a saved user's kept copy is
    # forgotten), and warned; count this test's requests from a clean slate.
    reset_breakers()
    with caplog.at_level(logging.WARNING, logger="smrsite.cache"):
        for url in ("/", "/techniques/", technique.get_absolute_url(), "/accounts/login/"):
            assert client.get(url).status_code == HTTPStatus.OK, url
        assert auth_client.get(technique.get_absolute_url()).status_code == HTTPStatus.OK
        assert auth_client.get("/accounts/profile/").status_code == HTTPStatus.OK
    warnings = [r for r in caplog.records if r.name == "smrsite.cache"]
    assert len(warnings) == 1, "one warning, not one per call"
    assert "Cache unavailable" in warnings[0].getMessage()


def test_members_can_still_post_without_redis(redis_down, auth_client, user):
    """Posting a comment works with the rate-limit counters out of reach."""
    technique = TechniqueFactory(slug="quads-roll")
    response = auth_client.post(
        f"/techniques/{technique.slug}/comments/",
        {"kind": "question", "body": "Does it still post?", "website": ""},
    )
    assert response.status_code == HTTPStatus.FOUND
    assert Comment.objects.filter(author=user, body="Does it still post?").exists()
    services.comment_rate_check(author=user)


def test_sign_in_works_without_redis(redis_down, client, user):
    """allauth's rate limits miss the cache but sign-in still succeeds."""
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    response = client.post(
        "/accounts/login/", {"login": user.email, "password": "correct horse battery staple"}
    )
    assert response.status_code == HTTPStatus.FOUND
    assert "_auth_user_id" in client.session


@pytest.fixture
def stalled_redis(settings):
    """A server that accepts connections and never answers, as a Redis stopped with
    SIGSTOP; the cache points at it. Yields the list of connections it accepted."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)
    accepted: list[socket.socket] = []
    done = threading.Event()

    def accept_forever():
        while not done.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept_forever, daemon=True)
    thread.start()
    reset_breakers()
    settings.CACHES = {
        "default": {
            "BACKEND": "smrsite.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{listener.getsockname()[1]}/0",
            "OPTIONS": {
                "socket_connect_timeout": 0.2,
                "socket_timeout": 0.2,
                "circuit_breaker_seconds": 30,
            },
        }
    }
    yield accepted
    done.set()
    thread.join(timeout=5)
    listener.close()
    for connection in accepted:
        connection.close()
    reset_breakers()


def test_a_stalled_redis_is_asked_once_then_skipped_for_a_while(stalled_redis, monkeypatch):
    """After one call times out, the next calls are misses that do not touch the network,
    until the breaker's period is over and one call tries Redis again."""
    assert cache.get("k", "default") == "default"
    assert len(stalled_redis) == 1
    assert cache.get_many(["a", "b"]) == {}
    assert cache.add("k", 1) is True
    cache.set("k", 1)
    with pytest.raises(ValueError, match="not found"):
        cache.incr("k")
    assert len(stalled_redis) == 1, "calls while the breaker is open reach no server"

    later = time.monotonic() + 31
    monkeypatch.setattr("smrsite.cache.time.monotonic", lambda: later)
    assert cache.get("k") is None
    assert len(stalled_redis) == 2, "after the period one call tries again"
    assert cache.get("k") is None
    assert len(stalled_redis) == 2, "and its failure opens the breaker anew"


def test_a_stalled_redis_is_logged_once_per_period(stalled_redis, caplog):
    """Many calls to a stalled Redis give one warning that names the pause."""
    with caplog.at_level(logging.WARNING, logger="smrsite.cache"):
        for n in range(20):
            cache.get(f"key-{n}")
    warnings = [r.getMessage() for r in caplog.records if r.name == "smrsite.cache"]
    assert len(warnings) == 1
    assert "serving without it for 30 s" in warnings[0]
