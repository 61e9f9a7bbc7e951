"""Whole-page cache for anonymous readers, and kept values for signed-in pages.

Only what every anonymous visitor sees alike is cached whole: GET requests from
visitors who are not signed in, with no query parameters other than the view's allowed
ones, no pending messages, and a 200 answer that set no cookie and used no CSRF token.
A signed-in member's page is never read from or written to this cache.

Every entry is stored with the versions of its *scopes* (``smrsite.versions``: the
catalogue, one technique, one member...) and the release of the code, and is only
served while all of them are current; the versions and the entry are read in one
round trip. Model signals replace a scope's version whenever something it shows is
written, on every app server sharing the cache, so nothing here is ever called to
invalidate. Entries also expire after ``PAGE_CACHE_SECONDS``, which bounds staleness
if the cache was unreachable when a write tried to replace a version.

A page that many signed-in readers see alike (a technique page for members with no
comment or follow of their own on it) is kept the same way with :func:`cached_value`,
without its CSRF token (:func:`csrf_pieces`, :func:`with_csrf_token`).
"""

import hashlib
import itertools
import logging
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache as memoise
from functools import wraps
from typing import TypeVar

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.urls import Resolver404, resolve
from django.utils.cache import patch_vary_headers

from smrsite import versions

logger = logging.getLogger(__name__)

HIT_HEADER = "X-Page-Cache"
# What a release's pages are made of (see :func:`code_release`).
SOURCES = (
    *("smrsite", "techniques", "questions", "routines", "members", "templates", "static"),
    "package-lock.json",
)
SOURCE_SUFFIXES = frozenset({".py", ".html", ".txt", ".toml", ".css", ".js", ".svg", ".json"})

T = TypeVar("T")
# Put where the CSRF token goes when a signed-in page is rendered to be kept: random
# per process and never sent, so no text on a page can be taken for it. Kept pages
# are stored cut at the slot (:func:`csrf_pieces`), so other processes never need it.
CSRF_SLOT = f"csrf-slot-{secrets.token_hex(16)}"


def content_version() -> str | None:
    """The catalogue's current version; None when caches are off or cannot hold one."""
    if _timeout() <= 0:
        return None
    tokens = versions.current(versions.CATALOGUE)
    return None if tokens is None else tokens[0]


def _timeout() -> int:
    return getattr(settings, "PAGE_CACHE_SECONDS", 0)


def layer_on(name: str) -> bool:
    """Whether the cache layer ``name`` keeps anything: caching is on and the layer is
    not listed in ``CACHE_LAYERS_OFF`` (how a benchmark measures the site without it)."""
    return _timeout() > 0 and name not in getattr(settings, "CACHE_LAYERS_OFF", ())


@memoise
def code_release() -> str:
    """Which code, templates and static files this process serves.

    ``RELEASE`` from the environment when the deploy sets one (a commit id, say);
    otherwise a hash of the contents of the project's own source files, which is the
    same on every server deployed from the same code. An entry cached by one release
    is a miss for another, so a deploy never mixes old fragments with new templates
    or serves a page naming static files the new release no longer has.
    """
    if settings.RELEASE:
        return settings.RELEASE
    digest = hashlib.sha256()
    for name in SOURCES:
        root = settings.BASE_DIR / name
        for path in [root] if root.is_file() else sorted(root.rglob("*")):
            if path.is_file() and path.suffix in SOURCE_SUFFIXES:
                digest.update(f"{path.relative_to(settings.BASE_DIR)}\0".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class Slot:
    """Where one value is kept, the stamp it must carry to be current, and what is there.

    The stamp is the versions of the value's scopes and the release; ``None`` when the
    cache cannot hold them (nothing is then kept). ``value`` is what the cache holds
    under the current stamp, or None.
    """

    key: str
    stamp: tuple[str, ...] | None
    value: object | None


def _slot(key: str, scopes: Iterable[str]) -> Slot:
    # The versions and the value come in one cache round trip.
    scopes = tuple(scopes)
    found = cache.get_many([*(versions.key(scope) for scope in scopes), key])
    tokens = versions.stamp(scopes, found)
    if tokens is None:
        return Slot(key=key, stamp=None, value=None)
    stamp = (*tokens, code_release())
    stored = found.get(key)
    current = isinstance(stored, tuple) and len(stored) == 2 and stored[0] == stamp
    return Slot(key=key, stamp=stamp, value=stored[1] if current else None)


def lookup(name: str, parts: Iterable[object], *, scopes: Iterable[str]) -> Slot:
    """Where the value named by ``name`` and ``parts`` is kept, and what is there now.

    ``scopes`` are what the value is built from (``smrsite.versions``); ``parts`` must
    name everything else that changes it: the page number, what kind of reader is
    looking... Read the slot before reading the data the value is built from, so a
    value is never kept under versions newer than its data.
    """
    digest = hashlib.sha256("\0".join(map(str, parts)).encode()).hexdigest()[:32]
    return _slot(f"kept:{name}:{digest}", scopes)


def keep(slot: Slot, value: object, *, timeout: int | None = None) -> None:
    """Keep ``value`` in ``slot`` under the stamp read with it (nothing if there is none)."""
    if slot.stamp is not None:
        cache.set(slot.key, (slot.stamp, value), timeout=_timeout() if timeout is None else timeout)


def _address_key(request: HttpRequest, params: Iterable[str]) -> str | None:
    """The cache key of this GET's address, or None when its query rules the cache out."""
    if request.method != "GET" or not layer_on("page"):
        return None
    if any(name not in params or len(request.GET.getlist(name)) != 1 for name in request.GET):
        return None
    query = "&".join(f"{name}={request.GET[name]}" for name in sorted(request.GET))
    digest = hashlib.sha256(f"{request.get_host()}\0{request.path}\0{query}".encode())
    return f"pagecache:{digest.hexdigest()[:32]}"


def _page_key(request: HttpRequest, params: Iterable[str]) -> str | None:
    """The cache key for this request, or None when it must not use the cache."""
    key = _address_key(request, params)
    if key is None or request.user.is_authenticated or len(messages.get_messages(request)):
        return None
    return key


def _cached_page(stored: dict) -> HttpResponse:
    response = HttpResponse(stored["content"], content_type=stored["content_type"])
    response[HIT_HEADER] = "hit"
    return response


_INDENTATION = re.compile(r"\n\s+")
# Where whitespace shows as it is written; left untouched.
_VERBATIM = re.compile(r"(<(pre|textarea)\b.*?</\2\s*>)", re.IGNORECASE | re.DOTALL)


def compact_html(html: str) -> str:
    """``html`` without the indentation templates leave at the start of its lines.

    Kept pages are served thousands of times, and a thread's template indentation was
    a sixth of its bytes. A browser shows a newline followed by spaces exactly as it
    shows a newline, except inside ``<pre>`` and ``<textarea>``, which are kept as
    they are.
    """
    # split() yields text, a whole verbatim element, its tag name, text, and so on.
    parts = _VERBATIM.split(html)
    texts = (_INDENTATION.sub("\n", text) for text in parts[::3])
    return "".join(
        itertools.chain.from_iterable(itertools.zip_longest(texts, parts[1::3], fillvalue=""))
    )


def cached_value(
    name: str,
    parts: Iterable[object] | None,
    compute: Callable[[], T],
    *,
    scopes: Iterable[str],
    fresh: Callable[[T], bool] = lambda value: True,
) -> T:
    """What ``compute`` returns, computed once while ``scopes`` stand for equal ``parts``.

    ``parts`` and ``scopes`` as for :func:`lookup`; ``parts=None`` means this request's
    value is its own, so it is computed and not kept. ``fresh`` says whether a kept
    value still holds by the clock. The value must hold nothing secret or per-session,
    such as a CSRF token, and must pickle.
    """
    if parts is None or not layer_on(name):
        return compute()
    slot = lookup(name, parts, scopes=scopes)
    if slot.value is not None and fresh(slot.value):
        return slot.value
    value = compute()
    keep(slot, value)
    return value


def csrf_pieces(response: HttpResponse) -> list[str]:
    """A page rendered with :data:`CSRF_SLOT` as its CSRF token, compacted and cut where
    the token goes."""
    return compact_html(response.content.decode(response.charset)).split(CSRF_SLOT)


def with_csrf_token(request: HttpRequest, pieces: list[str]) -> HttpResponse:
    """A kept page for ``request``, with a CSRF token of the request's own session."""
    return HttpResponse(get_token(request).join(pieces))


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    session = getattr(request, "session", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not response.has_header("Set-Cookie")
        and "private" not in response.get("Cache-Control", "")
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not (session is not None and session.modified)
        and not getattr(messages.get_messages(request), "added_new", False)
    )


def cache_anonymous_page(
    *, scopes: Callable[..., Iterable[str]], params: Iterable[str] = ()
) -> Callable:
    """Serve the view's page to anonymous visitors from the cache (see the module docs).

    ``scopes`` takes the view's URL arguments and names what the page shows
    (``smrsite.versions``). ``params`` are the query parameters that still allow
    caching (e.g. ``region``); any other parameter, or a repeated one, bypasses it.
    """
    allowed = frozenset(params)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            key = _page_key(request, allowed)
            slot = None if key is None else _slot(key, scopes(*args, **kwargs))
            if slot is None or slot.stamp is None:
                return view(request, *args, **kwargs)
            if slot.value is not None:
                return _cached_page(slot.value)
            response = view(request, *args, **kwargs)
            if _storable(request, response):
                response.content = compact_html(response.content.decode(response.charset))
                keep(slot, {"content": response.content, "content_type": response["Content-Type"]})
                response[HIT_HEADER] = "miss"
            return response

        wrapped.page_cache_params = allowed
        wrapped.page_cache_scopes = scopes
        return wrapped

    return decorator


class AnonymousPageMiddleware:
    """Serves cached pages to visitors without cookies before the rest of the stack.

    A visitor with neither a session nor a messages cookie is anonymous and has no
    message waiting, so the session, CSRF, authentication, messages and allauth
    middleware have nothing to do for a page the cache holds (most requests to a
    public site). It must come after the middleware that add security headers
    (SecurityMiddleware, CSP, X-Frame-Options) and before SessionMiddleware. Misses,
    and everyone else, go on to the view, whose :func:`cache_anonymous_page` stores.
    """

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self._hit(request)
        return response if response is not None else self.get_response(request)

    def _hit(self, request: HttpRequest) -> HttpResponse | None:
        if request.method != "GET" or not _cookieless(request):
            return None
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        params = getattr(match.func, "page_cache_params", None)
        key = None if params is None else _address_key(request, params)
        if key is None:
            return None
        stored = _slot(key, match.func.page_cache_scopes(**match.kwargs)).value
        if stored is None:
            return None
        response = _cached_page(stored)
        # What the full stack adds to the same page: caches must tell visitors with
        # a session cookie apart, and the length spares a chunked answer.
        patch_vary_headers(response, ("Cookie",))
        response["Content-Length"] = str(len(response.content))
        return response


def _cookieless(request: HttpRequest) -> bool:
    return not (
        settings.SESSION_COOKIE_NAME in request.COOKIES
        or getattr(settings, "MESSAGE_COOKIE_NAME", "messages") in request.COOKIES
    )
