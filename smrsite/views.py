import logging
import sys
from urllib.parse import unquote

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponseNotFound
from django.template import loader
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from techniques.selectors import technique_suggestions

logger = logging.getLogger(__name__)

# Seconds a visitor is asked to wait when the database connection was lost.
DATABASE_RETRY_AFTER = 10


def page_not_found(request, exception):
    """The friendly 404: a search box and the techniques closest to the address asked for."""
    words = _last_segment(request.path)
    context = {
        "query": words.replace("-", " "),
        "suggestions": _suggestions(words),
    }
    return HttpResponseNotFound(loader.render_to_string("404.html", context, request))


def _last_segment(path: str) -> str:
    """The part of the address a person typed: "psoas-pres" of /techniques/psoas-pres/."""
    parts = [part for part in unquote(path).replace("\x00", "").split("/") if part]
    return parts[-1][:100] if parts else ""


def _suggestions(words: str) -> list:
    try:
        return technique_suggestions(text=words)
    except DatabaseError:
        # The 404 page must not become a 500 when the database is away.
        logger.exception("404 page: could not read technique names")
        return []


@never_cache
@require_GET
def healthz(request):
    """200 when the database answers a trivial query, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database did not answer")
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


@require_GET
def robots_txt(request):
    """Let crawlers read the catalogue, keep them out of accounts and plans."""
    lines = [
        "User-agent: *",
        "Disallow: /accounts/",
        "Disallow: /admin/",
        "Disallow: /routine/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


def server_error(request):
    """The 500 page; the 503 page when the request lost its database connection.

    Django calls its ``handler500`` inside the ``except`` block of the failed request,
    so the exception is at hand. A connection that PostgreSQL terminated or that broke
    mid-query (``OperationalError``, ``InterfaceError``) is a passing outage, not a bug:
    Django closes that connection at the end of the request and the next one reconnects.
    """
    if isinstance(sys.exception(), OperationalError | InterfaceError):
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = str(DATABASE_RETRY_AFTER)
        add_never_cache_headers(response)
        return response
    return defaults.server_error(request)
