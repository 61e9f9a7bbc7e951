"""A Redis cache that degrades to "no cache" when Redis is unreachable or stalled.

Django's ``RedisCache`` raises ``redis.ConnectionError`` from every call when the
server is down, which turns each page that touches the cache (sessions, rate limits,
the page cache) into a 500. Here a connection error or timeout is logged as a
warning (at most once per :data:`WARNING_INTERVAL` seconds per process) and the
call behaves like an empty cache that forgets every write: reads return the
default, ``add`` reports success (the key was absent), ``incr`` raises
``ValueError`` as it does for a missing key. Rate limits therefore fail open
while Redis is down: members can still sign in and post.

A stalled Redis (it accepts connections and never answers) is worse than a dead one:
each call waits out its whole socket timeout, and a page makes a dozen calls. So a
failure also opens a circuit breaker (:class:`CircuitBreaker`, one per Redis server in
each process, so shared by all the calls of a gunicorn worker): for the next
``circuit_breaker_seconds`` (an ``OPTIONS`` entry, default
:data:`DEFAULT_BREAKER_SECONDS`) every call is a miss without touching the network.
Then one call tries Redis again; success closes the breaker, failure opens it anew.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

WARNING_INTERVAL = 30.0
DEFAULT_BREAKER_SECONDS = 5.0
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError)


@dataclass
class CircuitBreaker:
    """Whether calls to one Redis server are skipped for now, after a failure."""

    seconds: float
    open_until: float = 0.0
    last_warning: float = -WARNING_INTERVAL

    def allows_call(self) -> bool:
        """False while open. Once the time is up, the first caller may try (and the others
        keep skipping for another period unless that try closes the breaker)."""
        if not self.open_until:
            return True
        now = time.monotonic()
        if now < self.open_until:
            return False
        self.open_until = now + self.seconds
        return True

    def succeeded(self) -> None:
        """The server answered: calls go through again."""
        if self.open_until:
            self.open_until = 0.0
            logger.info("Cache reachable again")

    def failed(self, error: Exception, operation: str) -> None:
        """Skip the server for a while; warn at most once per :data:`WARNING_INTERVAL`."""
        now = time.monotonic()
        self.open_until = now + self.seconds
        if now - self.last_warning >= WARNING_INTERVAL:
            self.last_warning = now
            logger.warning(
                "Cache unavailable (%s during %s); serving without it for %g s",
                error,
                operation,
                self.seconds,
            )


# One breaker per Redis server and process; Django makes a cache object per thread.
_breakers: dict[str, CircuitBreaker] = {}


def breaker_for(location: str, seconds: float = DEFAULT_BREAKER_SECONDS) -> CircuitBreaker:
    """This process's breaker for the Redis server(s) at ``location``."""
    breaker = _breakers.get(location)
    if breaker is None:
        breaker = _breakers[location] = CircuitBreaker(seconds=seconds)
    return breaker


def reset_breakers() -> None:
    """Close every breaker and forget its last warning (tests start from a clean slate)."""
    for breaker in _breakers.values():
        breaker.open_until = 0.0
        breaker.last_warning = -WARNING_INTERVAL


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

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        seconds = float(options.pop("circuit_breaker_seconds", DEFAULT_BREAKER_SECONDS))
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = ReusingRedisCacheClient
        self._breaker = breaker_for(str(server), seconds)

    def _fallback(self, operation: str, call: Callable[[], Any], fallback: Any) -> Any:
        error = None
        if self._breaker.allows_call():
            try:
                result = call()
            except UNAVAILABLE as failure:
                error = failure
                self._breaker.failed(failure, operation)
            else:
                self._breaker.succeeded()
                return result
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
