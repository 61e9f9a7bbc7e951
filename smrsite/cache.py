"""A Redis cache that degrades to "no cache" when Redis is unreachable.

Django's ``RedisCache`` raises ``redis.ConnectionError`` from every call when the
server is down, which turns each page that touches the cache (sessions, rate limits,
the page cache) into a 500. Here a connection error or timeout is logged as a
warning (at most once per :data:`WARNING_INTERVAL` seconds per process) and the
call behaves like an empty cache that forgets every write: reads return the
default, ``add`` reports success (the key was absent), ``incr`` raises
``ValueError`` as it does for a missing key. Rate limits therefore fail open
while Redis is down: members can still sign in and post.
"""

import logging
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

WARNING_INTERVAL = 30.0
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError)


class ReusingRedisCacheClient(RedisCacheClient):
    """Django's Redis client, keeping one ``redis.Redis`` per connection pool.

    Django builds a new ``redis.Redis`` for every cache call, and redis-py fills a
    table of ~170 response callbacks in each constructor: measured at about 0.2 ms
    a call, most of what a page served from the page cache costs over a bare view.
    A ``redis.Redis`` is safe to share between threads (connections come from the pool).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    """``RedisCache`` whose failures to reach Redis are logged misses, never errors."""

    _last_warning = 0.0

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    def _fallback(self, operation: str, call: Callable[[], Any], fallback: Any) -> Any:
        try:
            return call()
        except UNAVAILABLE as error:
            now = time.monotonic()
            if now - ResilientRedisCache._last_warning >= WARNING_INTERVAL:
                ResilientRedisCache._last_warning = now
                logger.warning(
                    "Cache unavailable (%s during %s); serving without it", error, operation
                )
            if isinstance(fallback, BaseException):
                raise fallback from error
            return fallback

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # An unreachable cache holds no key, so ``add`` "succeeds": locks built on it
        # (allauth's rate limiter) then let the request through instead of waiting.
        return self._fallback("add", lambda: super_(self).add(key, value, timeout, version), True)

    def get(self, key, default=None, version=None):
        return self._fallback("get", lambda: super_(self).get(key, default, version), default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._fallback("set", lambda: super_(self).set(key, value, timeout, version), None)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._fallback("touch", lambda: super_(self).touch(key, timeout, version), False)

    def delete(self, key, version=None):
        return self._fallback("delete", lambda: super_(self).delete(key, version), False)

    def get_many(self, keys, version=None):
        return self._fallback("get_many", lambda: super_(self).get_many(keys, version), {})

    def has_key(self, key, version=None):
        return self._fallback("has_key", lambda: super_(self).has_key(key, version), False)

    def incr(self, key, delta=1, version=None):
        missing = ValueError(f"Key '{key}' not found (cache unavailable).")
        return self._fallback("incr", lambda: super_(self).incr(key, delta, version), missing)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        failed = list(data)
        return self._fallback(
            "set_many", lambda: super_(self).set_many(data, timeout, version), failed
        )

    def delete_many(self, keys, version=None):
        return self._fallback("delete_many", lambda: super_(self).delete_many(keys, version), None)

    def clear(self):
        return self._fallback("clear", lambda: super_(self).clear(), False)


def super_(cache: ResilientRedisCache) -> RedisCache:
    """The plain ``RedisCache`` methods of ``cache`` (``super()`` does not reach into lambdas)."""
    return super(ResilientRedisCache, cache)
