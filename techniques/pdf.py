"""Printable PDFs: rendering with WeasyPrint, and one cached download machinery.

Two halves. The first turns HTML into PDF bytes and loads every stylesheet and
image from disk through :class:`AssetFetcher`, which refuses anything that is not
one of our static or media files: no network, no ``file://``, and never a request
back to our own server (with one worker that request would wait for WeasyPrint's
fetch timeout and the PDF would come out without its CSS).

The second, :func:`pdf_response`, serves a public PDF (a technique handout, a
booklet) from a content version: the caller says what the file
is called, which version of the content it holds and how to render it. Bytes are
rendered once per version, kept in Django's default storage under a key that
contains the version, and answered with ETag/Last-Modified so a browser that has
the current copy gets a 304.

A version must change whenever the printed page would, or a stale PDF is served.
There are two kinds:

- A technique's handout (:func:`handout_version`) is versioned without rendering
  anything, because it is computed on every download, cached or not: a hash of the
  database values the handout prints, read afresh in four small queries
  (:func:`techniques.selectors.technique_handout_state`: the technique with its
  region, "do it after" and paired stretch names, then its steps, FAQ entries and
  tools), the size and modification time of each image it prints, whether its video
  file is there, the paper size, the site URL its links are built from, the sources
  of its templates and static files, and the code that turns all this into a PDF.
  Nothing is memoised across requests but hashes of template and static sources
  (re-read when the loaded template or the file changes), so an edit made in the
  admin, by a service or with ``QuerySet.update()`` gives a new version at once.
  When the PDF is rendered, the same values are taken from the loaded objects and
  the PDF is stored under *that* version, so a file never holds content other than
  its version's, even if an edit lands between the two reads.
- The booklet and anything else rendered from arbitrary HTML
  (:func:`content_version`) hash the exact HTML handed to WeasyPrint plus the size
  and modification time of every file it loads. Building that HTML costs as much as
  the queries, which is fine next to a booklet's render time.

:func:`warm_up` pays a process's one-time costs (importing the URLconf, compiling
the templates, loading WeasyPrint's fonts) before a visitor does; gunicorn calls it
as each worker starts.
"""

import hashlib
import html
import json
import logging
import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import django
import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import engines
from django.template.loader import get_template, render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, quote_etag
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from smrsite.context_processors import DISCLAIMER
from techniques import illustrations, models, selectors
from techniques.models import Region, Technique
from techniques.templatetags import illustrations as drawing_tag

logger = logging.getLogger(__name__)


def _code_version() -> str:
    """Names the code between a handout's values and its PDF, as this process runs it.

    Read once at import: a code change only takes effect after a restart anyway.
    """
    digest = hashlib.sha256(f"{django.__version__}\0{weasyprint.__version__}".encode())
    # The pictures are drawn by code: a change to the drawing is a change to the page.
    for module_file in (__file__, models.__file__, illustrations.__file__, drawing_tag.__file__):
        digest.update(Path(module_file).read_bytes())
    return digest.hexdigest()


_CODE_VERSION = _code_version()

#: Every template a handout is rendered from and every static file it loads (including
#: what a stylesheet loads): a handout's version covers their contents. Tests check
#: that the lists are complete.
HANDOUT_TEMPLATES = (
    "techniques/pdf/technique.html",
    "techniques/pdf/base.html",
    "techniques/pdf/_handout.html",
    "techniques/pdf/_footer.html",
    "techniques/_region_icon.html",
)
HANDOUT_STATIC = ("css/print.css",)

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

    Hashes the HTML, this module's code and, for every file the HTML (or a
    stylesheet it links) loads, its size and modification time. ``variant``
    (e.g. the paper size) is kept readable at the front.
    """
    digest = hashlib.sha256(f"{_CODE_VERSION}\0{variant}\0".encode())
    digest.update(source.encode())
    for path in sorted(_referenced_files(source)):
        try:
            stat = path.stat()
        except OSError:
            digest.update(f"\0{path}:missing".encode())
        else:
            digest.update(f"\0{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return f"{variant}-{digest.hexdigest()[:20]}"


def handout_version(state: selectors.HandoutState, *, size: str, site_url: str) -> str:
    """The content version of a technique's handout, computed without rendering it.

    ``state`` holds the printed database values (read by
    :func:`techniques.selectors.technique_handout_state` on a download, or taken from
    the loaded technique when rendering). Also hashed: the paper size, the site URL
    the printed links are built from, the site name and disclaimer, the handout's
    templates and static files, the code version, each image's size and
    modification time, and whether the video file is there to link to.
    """
    parts = [
        _CODE_VERSION,
        size,
        site_url,
        settings.SITE_NAME,
        DISCLAIMER,
        [_template_digest(name) for name in HANDOUT_TEMPLATES],
        [_file_digest(asset_path(static(name))) for name in HANDOUT_STATIC],
        state.values,
        [_media_stat(name) for name in state.images],
        bool(state.video) and default_storage.exists(state.video),
    ]
    digest = hashlib.sha256(json.dumps(parts, default=str).encode())
    return f"{size}-{digest.hexdigest()[:20]}"


# Per process: {template name: (compiled template, hash of its source)} and
# {static file: ((size, mtime), hash of its content)}.
_template_digests: dict[str, tuple[object, str]] = {}
_file_digests: dict[Path, tuple[tuple[int, int], str]] = {}


def _template_digest(name: str) -> str:
    """A hash of the source this process renders the template ``name`` from.

    The cached template loader hands back the same compiled template until it is reset
    (in development, when a template file changes), so the source is hashed once per
    load. Hashing the file on disk instead would name a new version for output the
    process still renders from the old template.
    """
    template = get_template(name).template
    known = _template_digests.get(name)
    if known is None or known[0] is not template:
        known = (template, hashlib.sha256(template.source.encode()).hexdigest())
        _template_digests[name] = known
    return known[1]


def _file_digest(path: Path | None) -> str:
    """A hash of a static file's content, read again only when its size or mtime changes.

    The content rather than the mtime, so that servers which each collected the same
    static files name the same versions (a browser's ETag then holds on either).
    """
    if path is None:
        return "unknown"
    try:
        stat = path.stat()
    except OSError:
        return "missing"
    key = (stat.st_size, stat.st_mtime_ns)
    known = _file_digests.get(path)
    if known is None or known[0] != key:
        known = (key, hashlib.sha256(path.read_bytes()).hexdigest())
        _file_digests[path] = known
    return known[1]


def _media_stat(name: str) -> str:
    """An uploaded image's size and modification time: a replaced file gives a new pair."""
    path = _media_file(name)
    try:
        stat = path.stat() if path is not None else None
    except OSError:
        stat = None
    if stat is None:
        return f"{name}:missing"
    return f"{name}:{stat.st_size}:{stat.st_mtime_ns}"


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
    return {
        "page_size": PAGE_SIZES[size],
        "title": title,
        "site_name": settings.SITE_NAME,
        "disclaimer": DISCLAIMER,
    }


def technique_document(technique: Technique, *, size: str, site_url: str) -> PdfDocument:
    """The handout of one technique (loaded with ``selectors.technique_handouts``).

    ``site_url`` is the site's root as the reader sees it; links printed in the
    PDF are built from it. The version is taken from the same loaded objects the
    HTML is rendered from.
    """
    context = {
        **_document_context(size=size, title=technique.name),
        **_technique_context(technique, site_url=site_url),
    }
    source = render_to_string("techniques/pdf/technique.html", context)
    state = selectors.handout_state_of(technique)
    return PdfDocument(html=source, version=handout_version(state, size=size, site_url=site_url))


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


def download_name(key: str, size: str) -> str:
    """What the browser saves: ``<key>.pdf`` on A4, ``<key>-letter.pdf`` on US Letter."""
    return f"{key}.pdf" if size == DEFAULT_SIZE else f"{key}-{size}.pdf"


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
    document: Callable[[], PdfDocument],
    key: str | None = None,
    public: bool = True,
) -> HttpResponse:
    """Serve a PDF attachment rendered at most once per content version.

    ``filename`` is what the browser saves (its stem is also the storage folder
    unless ``key`` is given); ``version`` names the current content exactly, so it
    is the ETag. ``document`` builds the PDF's HTML and is only called when this
    version is not stored yet; the PDF is then stored and served under the
    document's own version, which differs from ``version`` only if the content was
    edited in between. A failed render is logged and answered with a 503 page,
    never a 500.
    """
    key = key or Path(filename).stem
    try:
        name = stored_name(key, version)
        content = None
        if not default_storage.exists(name):
            built = document()
            version = built.version
            name, content = pdf_store(key=key, version=version, render=built.render)
        modified = default_storage.get_modified_time(name)
    except Http404:
        raise
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


# --- Warming up a worker --------------------------------------------------------------

_WARM_UP_PAGE = """{% extends "techniques/pdf/base.html" %}{% block body %}
<footer class="page-footer"><p><strong>{{ site_name }}</strong> · {{ disclaimer }}</p></footer>
<h1>{{ title }}</h1><p class="lead">A short page in the handout's fonts and styles.</p>
<h2>Step by step</h2><ol class="steps"><li><p>One <strong>bold</strong> word.</p></li></ol>
{% endblock %}"""


def warm_up() -> None:
    """Pay a process's one-time PDF costs now rather than during a visitor's download.

    Loads the URLconf (a handout prints its page's URL), compiles and hashes the
    handout's templates and static files, and renders a short page on the handout's
    base template, so that WeasyPrint, Pango, fontconfig and fontTools have loaded
    the fonts and their lazily imported modules. Uses neither the database nor the
    storage, so a worker can run it before it serves anyone.
    """
    reverse("techniques:list")
    for name in HANDOUT_TEMPLATES:
        _template_digest(name)
    for name in HANDOUT_STATIC:
        _file_digest(asset_path(static(name)))
    page = engines["django"].from_string(_WARM_UP_PAGE)
    html_to_pdf(page.render(_document_context(size=DEFAULT_SIZE, title="Warm-up")))
