"""The Redis cache keeps one client per connection pool instead of one per call."""

import pytest
import redis

from smrsite.cache import ResilientRedisCache

REDIS_URL = "redis://127.0.0.1:6379/13"


def test_redis_cache_reuses_one_client_per_pool():
    """Reads and writes of a one-server cache share a single ``redis.Redis`` (no connection)."""
    cache = ResilientRedisCache(REDIS_URL, {"KEY_PREFIX": "client-reuse-test"})
    first = cache._cache.get_client(write=True)
    assert cache._cache.get_client("some-key", write=False) is first
    assert first.connection_pool is cache._cache._get_connection_pool(True)


def test_redis_cache_still_stores_and_reads_through_the_shared_client():
    """Values round-trip through the shared client (skipped when Redis is not running)."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    cache = ResilientRedisCache(REDIS_URL, {"KEY_PREFIX": "client-reuse-test"})
    cache.set("answer", {"n": 42}, timeout=30)
    cache.set("other", "x", timeout=30)
    assert cache.get_many(["answer", "other"]) == {"answer": {"n": 42}, "other": "x"}
    cache.delete_many(["answer", "other"])
    assert cache.get("answer") is None
