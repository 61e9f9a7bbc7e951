"""Whole-page cache for anonymous readers, valid while one content version stands.

Only what every anonymous visitor sees alike is cached: GET requests from visitors
who are not signed in, with no query parameters other than the view's allowed ones,
no pending messages, and a 200 answer that set no cookie and used no CSRF token.
A signed-in member's page is never read from or written to this cache.

Every entry is stored with the current *content version*, a random token in the
cache, and only served while that token is current (the token and the entry are
read in one round trip).
Writes that change what a public page shows (technique edits, steps, FAQ,
comments, display names) call :func:`content_changed`, which replaces the token:
all cached pages become unreachable at once, on every app server sharing the cache.
The token is replaced right away and again when the transaction commits, so a
page rendered from the pre-commit data in between cannot outlive the write.
Pages also expire after ``PAGE_CACHE_SECONDS``, which bounds staleness if the
cache was unreachable when a write tried to invalidate it.

Signed-in pages and parts of them that many members see alike (a technique page,
its comment thread) are kept under the same version, and expire alike, with
:func:`cached_value` and :func:`cached_fragment`; what is a member's own (how they
see a thread, their today page) also carries their revision (:func:`member_changed`,
:func:`cached_for_member`, :func:`lookup` and :func:`keep`). A whole page is kept
without its CSRF token (:func:`csrf_pieces`, :func:`with_csrf_token`).
"""

import hashlib
import itertools
import logging
import re
import secrets
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache as memoise
from functools import partial, wraps
from typing import TypeVar

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.urls import Resolver404, resolve
from django.utils.cache import patch_vary_headers
from django.utils.safestring import SafeString, mark_safe

logger = logging.getLogger(__name__)

VERSION_KEY = "pagecache:version"
MEMBER_REVISION_KEY = "pagecache:member:{member_id}"
# A revision only has to outlive what is stored under it; losing one costs a miss.
MEMBER_REVISION_SECONDS = 7 * 24 * 60 * 60
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
    """The current content version, or None when the cache cannot hold one."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def _bump() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def content_changed() -> None:
    """Forget every cached page: call after any write that changes a public page."""
    _bump()
    transaction.on_commit(_bump, robust=True)


def member_revision_key(member_id: int) -> str:
    """Where the member's revision lives (read it with the entries it vouches for)."""
    return MEMBER_REVISION_KEY.format(member_id=member_id)


def member_revision(member_id: int) -> str | None:
    """The member's revision: a random token every write of theirs replaces."""
    key = member_revision_key(member_id)
    cache.add(key, uuid.uuid4().hex, MEMBER_REVISION_SECONDS)
    return cache.get(key)


def _new_member_revision(member_id: int) -> None:
    cache.set(member_revision_key(member_id), uuid.uuid4().hex, MEMBER_REVISION_SECONDS)


def member_changed(*, member_id: int) -> None:
    """Forget what is kept for one member (their today page, how they see threads).

    Call after every write of theirs that such pages show: their routine, log, notes,
    pins, stretch, profile, comments and follows. Like :func:`content_changed`, the
    token is replaced right away and again when the transaction commits.
    """
    _new_member_revision(member_id)
    transaction.on_commit(partial(_new_member_revision, member_id), robust=True)


def _timeout() -> int:
    return getattr(settings, "PAGE_CACHE_SECONDS", 0)


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

    The stamp is the content version, the release and, for a member's own values,
    the member's revision; ``None`` when the cache cannot hold them (nothing is then
    kept). ``value`` is what the cache holds under the current stamp, or None.
    """

    key: str
    stamp: tuple[str, ...] | None
    value: object | None


def _slot(key: str, member_id: int | None = None) -> Slot:
    # The tokens and the value come in one cache round trip.
    revision_key = None if member_id is None else member_revision_key(member_id)
    found = cache.get_many([VERSION_KEY, key, *filter(None, [revision_key])])
    tokens = [found.get(VERSION_KEY) or content_version()]
    if member_id is not None:
        tokens.append(found.get(revision_key) or member_revision(member_id))
    if None in tokens:
        return Slot(key=key, stamp=None, value=None)
    stamp = (*tokens, code_release())
    stored = found.get(key)
    current = isinstance(stored, tuple) and len(stored) == 2 and stored[0] == stamp
    return Slot(key=key, stamp=stamp, value=stored[1] if current else None)


def lookup(name: str, parts: Iterable[object], *, member_id: int | None = None) -> Slot:
    """Where the value named by ``name`` and ``parts`` is kept, and what is there now.

    ``parts`` must name everything besides public content (and, with ``member_id``,
    the member's own data) that changes the value: the page number, what kind of
    reader is looking... Read the slot before reading the data the value is built
    from, so a value is never kept under tokens newer than its data.
    """
    parts = (*parts, member_id) if member_id is not None else tuple(parts)
    digest = hashlib.sha256("\0".join(map(str, parts)).encode()).hexdigest()[:32]
    return _slot(f"kept:{name}:{digest}", member_id)


def keep(slot: Slot, value: object, *, timeout: int | None = None) -> None:
    """Keep ``value`` in ``slot`` under the stamp read with it (nothing if there is none)."""
    if slot.stamp is not None:
        cache.set(slot.key, (slot.stamp, value), timeout=_timeout() if timeout is None else timeout)


def _address_key(request: HttpRequest, params: Iterable[str]) -> str | None:
    """The cache key of this GET's address, or None when its query rules the cache out."""
    if request.method != "GET" or _timeout() <= 0:
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


def cached_value(name: str, parts: Iterable[object] | None, compute: Callable[[], T]) -> T:
    """What ``compute`` returns, computed once per content version for equal ``parts``.

    ``parts`` as for :func:`lookup`; ``None`` means this request's value is its own,
    so it is computed and not kept. The value must hold nothing secret or
    per-session, such as a CSRF token, and must pickle.
    """
    if parts is None or _timeout() <= 0:
        return compute()
    slot = lookup(name, parts)
    if slot.value is not None:
        return slot.value
    value = compute()
    keep(slot, value)
    return value


def cached_for_member(
    member_id: int,
    name: str,
    parts: Iterable[object],
    compute: Callable[[], T],
    *,
    fresh: Callable[[T], bool] = lambda value: True,
) -> T:
    """What ``compute`` returns for one member, kept while nothing it depends on changed.

    Kept under the content version, the member's revision (:func:`member_changed`)
    and the release; ``fresh`` says whether a kept value still holds by the clock.
    """
    if _timeout() <= 0:
        return compute()
    slot = lookup(name, parts, member_id=member_id)
    if slot.value is not None and fresh(slot.value):
        return slot.value
    value = compute()
    keep(slot, value)
    return value


def cached_fragment(
    name: str, parts: Iterable[object] | None, render: Callable[[], str]
) -> SafeString:
    """A piece of HTML rendered once per content version (see :func:`cached_value`)."""
    return mark_safe(cached_value(name, parts, lambda: compact_html(render())))


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


def cache_anonymous_page(*, params: Iterable[str] = ()) -> Callable:
    """Serve the view's page to anonymous visitors from the cache (see the module docs).

    ``params`` are the query parameters that still allow caching (e.g. ``region``);
    any other parameter, or a repeated one, bypasses the cache.
    """
    allowed = frozenset(params)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            key = _page_key(request, allowed)
            slot = None if key is None else _slot(key)
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
        stored = None if key is None else _slot(key).value
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


class InvalidatesPageCacheAdmin:
    """``ModelAdmin`` mixin: every save or delete made in this admin drops cached pages.

    Admin edits bypass our services, so the admin says itself that content changed
    (``save_related`` covers inlines such as steps and FAQ entries, and many-to-many).
    """

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        content_changed()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        content_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        content_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        content_changed()
