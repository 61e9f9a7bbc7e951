"""Printable PDFs: rendering with WeasyPrint, and one cached download machinery.

Two halves. The first turns HTML into PDF bytes and loads every stylesheet and
image from disk through :class:`AssetFetcher`, which refuses anything that is not
one of our static or media files: no network, no ``file://``, and never a request
back to our own server (with one worker that request would wait for WeasyPrint's
fetch timeout and the PDF would come out without its CSS).

The second, :func:`pdf_response`, serves any PDF (a technique handout, the
booklet, a member's plan) from a content version: the caller says what the file
is called, which version of the content it holds and how to render it. Bytes are
rendered once per version, kept in Django's default storage under a key that
contains the version, and answered with ETag/Last-Modified so a browser that has
the current copy gets a 304.

A version is a hash of the exact HTML handed to WeasyPrint plus the size and
modification time of every file that HTML loads (stylesheet, images) and
:data:`RENDERER_VERSION`. Anything edited in the admin that changes the printed
page changes the HTML, so a stale PDF cannot be served under a new version.
"""

import hashlib
import html
import logging
import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, quote_etag
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from techniques.models import Region, Technique

logger = logging.getLogger(__name__)

#: Bump when a change to this module changes the output for the same HTML.
RENDERER_VERSION = "1"

#: ``?size=`` values and the CSS page size each one prints on.
PAGE_SIZES = {"a4": "A4", "letter": "letter"}
DEFAULT_SIZE = "a4"
SIZE_ERROR = "Unknown paper size “{size}”. Use ?size=a4 (the default) or ?size=letter."

#: Relative URLs in the PDF templates resolve against this made-up origin; the
#: fetcher maps it to files on disk. ``.invalid`` can never resolve on a network.
ASSET_ORIGIN = "http://pdf-assets.invalid/"

STORAGE_DIR = "pdfs"
RETRY_AFTER_SECONDS = 120
RENDER_FAILED_TITLE = "The printable version is not available right now"
RENDER_FAILED_MESSAGE = (
    "We could not prepare this PDF just now and have been told about it. "
    "Please try again in a couple of minutes; the page itself still works."
)

_ASSET_REFERENCE = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")
_CSS_URL = re.compile(r"""url\(\s*["']?([^"')]+)["']?\s*\)""")


class PageSizeError(ValueError):
    """A ``?size=`` value we do not print on."""


def page_size_from(query: dict) -> str:
    """The paper size asked for in ``?size=``: ``a4`` when absent, else ``a4`` or ``letter``."""
    size = (query.get("size") or DEFAULT_SIZE).strip().lower()
    if size not in PAGE_SIZES:
        raise PageSizeError(SIZE_ERROR.format(size=query.get("size", "")[:20]))
    return size


# --- Loading files for WeasyPrint -------------------------------------------------


def asset_path(url: str) -> Path | None:
    """The file on disk behind a static or media URL, or None for anything else.

    Accepts root-relative URLs (``/static/css/print.css``), the same resolved
    against :data:`ASSET_ORIGIN`, and URLs under an absolute STATIC_URL/MEDIA_URL.
    A path that climbs out of its folder (``..``) gives None.
    """
    if url.startswith(ASSET_ORIGIN):
        path = "/" + url[len(ASSET_ORIGIN) :]
    else:
        root_relative = url.startswith("/") and not url.startswith("//")
        under_absolute_prefix = "://" in url and url.startswith(
            (settings.STATIC_URL, settings.MEDIA_URL)
        )
        if not (root_relative or under_absolute_prefix):
            return None
        path = url
    path = unquote(urlsplit(path).path)
    for prefix, resolve in (
        (settings.MEDIA_URL, _media_file),
        (settings.STATIC_URL, _static_file),
    ):
        if prefix and path.startswith(urlsplit(prefix).path):
            relative = path[len(urlsplit(prefix).path) :]
            if not relative or ".." in Path(relative).parts or relative.startswith("/"):
                return None
            return resolve(relative)
    return None


def _inside(root: Path, relative: str) -> Path | None:
    root = Path(root).resolve()
    candidate = (root / relative).resolve()
    return candidate if candidate.is_relative_to(root) else None


def _media_file(relative: str) -> Path | None:
    return _inside(settings.MEDIA_ROOT, relative)


def _static_file(relative: str) -> Path | None:
    # Collected files first: in production their names carry the manifest hash,
    # which the finders do not know.
    if settings.STATIC_ROOT:
        collected = _inside(settings.STATIC_ROOT, relative)
        if collected is not None and collected.is_file():
            return collected
    found = finders.find(relative)
    if isinstance(found, list):
        found = found[0] if found else None
    return Path(found) if found else None


class AssetRefusedError(ValueError):
    """WeasyPrint asked for something that is not one of our static or media files."""


class AssetFetcher(URLFetcher):
    """Serves WeasyPrint our static and media files from disk and nothing else.

    A refused URL (another site, ``file:///etc/passwd``) is left out of the PDF
    with a warning. A static or media file that should exist but does not stops
    the render: a handout silently missing a step photo would then be cached.
    """

    def __init__(self) -> None:
        super().__init__(timeout=1, allowed_protocols=(), allow_redirects=False)

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        path = asset_path(url)
        if path is None:
            logger.warning("PDF renderer refused to fetch %s", url[:200])
            raise AssetRefusedError(f"Only static and media files are loaded, not {url[:200]}")
        if not path.is_file():
            raise FatalURLFetchingError(f"Missing file for {url}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            url, body=path.read_bytes(), headers={"Content-Type": content_type}
        )


def html_to_pdf(source: str, *, image_cache: dict | None = None) -> bytes:
    """Render an HTML document to PDF bytes, loading its files through :class:`AssetFetcher`.

    Pass the same ``image_cache`` dict to a batch of renders to decode each image once.
    """
    document = HTML(string=source, base_url=ASSET_ORIGIN, url_fetcher=AssetFetcher())
    return document.write_pdf(cache=image_cache if image_cache is not None else {})


# --- Content versions ---------------------------------------------------------------


def content_version(source: str, *, variant: str) -> str:
    """A short, stable name for exactly what ``source`` prints as.

    Hashes the HTML, the renderer version and, for every file the HTML (or a
    stylesheet it links) loads, its size and modification time. ``variant``
    (e.g. the paper size) is kept readable at the front.
    """
    digest = hashlib.sha256(f"{RENDERER_VERSION}\0{variant}\0".encode())
    digest.update(source.encode())
    for path in sorted(_referenced_files(source)):
        try:
            stat = path.stat()
        except OSError:
            digest.update(f"\0{path}:missing".encode())
        else:
            digest.update(f"\0{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return f"{variant}-{digest.hexdigest()[:20]}"


def _referenced_files(source: str) -> set[Path]:
    files = set()
    for reference in _ASSET_REFERENCE.findall(source):
        path = asset_path(html.unescape(reference))
        if path is None:
            continue
        files.add(path)
        if path.suffix == ".css" and path.is_file():
            # One level is enough: our print stylesheet loads no other stylesheet.
            css_base = urljoin(ASSET_ORIGIN, html.unescape(reference).lstrip("/"))
            for inner in _CSS_URL.findall(path.read_text(errors="replace")):
                inner_path = asset_path(urljoin(css_base, inner))
                if inner_path is not None:
                    files.add(inner_path)
    return files


# --- The documents ---------------------------------------------------------------------


@dataclass(frozen=True)
class PdfDocument:
    """The HTML of one PDF and the version it prints as."""

    html: str
    version: str

    def render(self, *, image_cache: dict | None = None) -> bytes:
        return html_to_pdf(self.html, image_cache=image_cache)


def _short(url: str) -> str:
    """``https://example.org/techniques/x/`` printed as ``example.org/techniques/x/``."""
    return url.split("://", 1)[-1]


def has_video(technique: Technique) -> bool:
    """Whether the technique has a video whose file is really there to download."""
    return bool(technique.video) and technique.video.storage.exists(technique.video.name)


def _technique_context(technique: Technique, *, site_url: str) -> dict:
    page_url = urljoin(site_url, technique.get_absolute_url())
    video_url = urljoin(page_url, "video/") if has_video(technique) else ""
    return {
        "technique": technique,
        "page_url": page_url,
        "page_short_url": _short(page_url),
        "video_url": video_url,
        "video_short_url": _short(video_url),
    }


def _document_context(*, size: str, title: str) -> dict:
    from smrsite.context_processors import DISCLAIMER

    return {
        "page_size": PAGE_SIZES[size],
        "title": title,
        "site_name": settings.SITE_NAME,
        "disclaimer": DISCLAIMER,
    }


def technique_document(technique: Technique, *, size: str, site_url: str) -> PdfDocument:
    """The handout of one technique (loaded with ``selectors.technique_detail``).

    ``site_url`` is the site's root as the reader sees it; links printed in the
    PDF are built from it.
    """
    context = {
        **_document_context(size=size, title=technique.name),
        **_technique_context(technique, site_url=site_url),
    }
    source = render_to_string("techniques/pdf/technique.html", context)
    return PdfDocument(html=source, version=content_version(source, variant=size))


def render_technique_pdf(technique: Technique, *, size: str = DEFAULT_SIZE, site_url: str) -> bytes:
    """The handout of one technique as PDF bytes."""
    return technique_document(technique, size=size, site_url=site_url).render()


def booklet_document(
    techniques: list[Technique], *, region: Region | None, size: str, site_url: str
) -> PdfDocument:
    """Every given technique in one PDF, after a contents page."""
    title = f"{region.name} techniques" if region else "The SMR Coach booklet"
    catalogue_url = urljoin(site_url, region.get_absolute_url() if region else "/techniques/")
    context = {
        **_document_context(size=size, title=title),
        "region": region,
        "catalogue_short_url": _short(catalogue_url),
        "entries": [_technique_context(t, site_url=site_url) for t in techniques],
    }
    source = render_to_string("techniques/pdf/booklet.html", context)
    return PdfDocument(html=source, version=content_version(source, variant=size))


def booklet_key(region: Region | None) -> str:
    """The file name (without ``.pdf``) and storage folder of a booklet."""
    return f"smr-coach-{region.slug}" if region else "smr-coach-booklet"


# --- Cached responses -----------------------------------------------------------------


def stored_name(key: str, version: str) -> str:
    """Where the PDF of ``key`` at ``version`` lives in the default storage."""
    return f"{STORAGE_DIR}/{key}/{version}.pdf"


def pdf_store(*, key: str, version: str, render: Callable[[], bytes]) -> tuple[str, bytes | None]:
    """Make sure the PDF of ``key`` at ``version`` is stored, rendering it if not.

    Returns the storage name and the bytes when they were rendered now (None when
    the stored file was already current).
    """
    name = stored_name(key, version)
    if default_storage.exists(name):
        return name, None
    content = render()
    saved = default_storage.save(name, ContentFile(content))
    if saved != name:
        # Another request stored the same version first; the storage kept both.
        default_storage.delete(saved)
    return name, content


def pdf_response(
    request: HttpRequest,
    *,
    filename: str,
    version: str,
    render: Callable[[], bytes],
    key: str | None = None,
    public: bool = True,
) -> HttpResponse:
    """Serve a PDF attachment rendered at most once per content version.

    ``filename`` is what the browser saves (its stem is also the storage folder
    unless ``key`` is given); ``version`` names the content exactly, so it is the
    ETag; ``render`` returns the PDF bytes and is only called when this version is
    not stored yet. Private documents (a member's plan) pass ``public=False``.
    A failed render is logged and answered with a 503 page, never a 500.
    """
    key = key or Path(filename).stem
    try:
        name, content = pdf_store(key=key, version=version, render=render)
        modified = default_storage.get_modified_time(name)
    except (Exception, FatalURLFetchingError):
        logger.exception("PDF render failed for %s (version %s)", key, version)
        return pdf_error_response(
            request, status=503, title=RENDER_FAILED_TITLE, message=RENDER_FAILED_MESSAGE
        )
    etag = quote_etag(version)
    response = get_conditional_response(request, etag=etag, last_modified=int(modified.timestamp()))
    if response is None:
        if content is not None:
            response = HttpResponse(content, content_type="application/pdf")
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
        else:
            response = FileResponse(
                default_storage.open(name, "rb"),
                as_attachment=True,
                filename=filename,
                content_type="application/pdf",
            )
    _set_validators(response, etag=etag, modified=modified)
    # Browsers may keep the file but must ask again, so an edit shows at once.
    visibility = {"public": True} if public else {"private": True}
    patch_cache_control(response, no_cache=True, **visibility)
    return response


def _set_validators(response: HttpResponse, *, etag: str, modified: datetime) -> None:
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified.timestamp())


def pdf_error_response(
    request: HttpRequest, *, status: int, title: str, message: str
) -> HttpResponse:
    """A friendly page explaining why there is no PDF, with the given status."""
    response = render(
        request,
        "techniques/pdf_error.html",
        {"title": title, "message": message},
        status=status,
    )
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
