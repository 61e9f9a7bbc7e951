"""Each member's "today" page, kept until something it shows can change.

"Today" is the page every member opens every day, and building it (the member's
history, the plan, a form per item) costs many times a bare view. It changes only
when the member writes something, the catalogue changes or the member's day turns,
so it is stored whole, one copy per member (and ``?date=`` override), together with
what it was built from, and served only while all of that still holds:

- the member's version (``smrsite.versions.member_scope``), which model signals replace
  on every write to their routine, log, notes, pins, stretch, profile or account,
  wherever it is made (services, the admin);
- the catalogue's version (``smrsite.versions.CATALOGUE``), and the *release* of the
  code that built the page, so a deploy never serves pages of the release before;
- the day: the page's day must still be the member's day now, in the time zone the
  page was built for (which the member's version vouches for).

The versions and the page come in one cache round trip, so a stored page costs no
query beyond signing in.
Pages expire after ``ROUTINES_TODAY_CACHE_SECONDS`` (by default the page cache's
``PAGE_CACHE_SECONDS``), which bounds how long a write made while the cache was
unreachable can go unseen. The cache is off where the page cache is off: with a
cache per process, a write in one worker could not reach another worker's copy.

No CSRF token is stored. The page is built with a placeholder where the token goes
and kept in the pieces around it; every response joins the pieces with a token of
its own request's session. Pages with messages waiting are neither read from nor
written to the cache.
"""

from collections.abc import Callable, Iterable
from datetime import date

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token

from smrsite import pagecache, versions


def _timeout() -> int:
    seconds = getattr(settings, "ROUTINES_TODAY_CACHE_SECONDS", None)
    return settings.PAGE_CACHE_SECONDS if seconds is None else seconds


class TodayPage:
    """One request's look-up of the member's stored page, then, on a miss, the storing.

    The tokens are read when the look-up is made, before anything is built, so a page
    is stored under the tokens that were current before its data was read.
    """

    def __init__(self, request: HttpRequest, *, member_id: int, parts: Iterable[object]):
        """``parts``: what the page depends on besides the member's data, catalogue and day."""
        self.request = request
        self.slot = None
        if (
            request.method != "GET"
            or _timeout() <= 0
            or not pagecache.layer_on("today")
            or len(messages.get_messages(request))
        ):
            return
        scopes = (versions.member_scope(member_id), versions.CATALOGUE)
        slot = pagecache.lookup("today", (*parts, member_id), scopes=scopes)
        if slot.stamp is not None:
            self.slot = slot

    def response(self, day_in: Callable[[str], date]) -> HttpResponse | None:
        """The stored page, if it is still current; ``day_in`` gives the day in a time zone."""
        if self.slot is None or self.slot.value is None:
            return None
        time_zone, day, pieces = self.slot.value
        if day_in(time_zone) != day:
            return None
        response = pagecache.with_csrf_token(self.request, pieces)
        response[pagecache.HIT_HEADER] = "hit"
        return response

    def build(
        self, *, time_zone: str, day: date, render: Callable[[str | None], HttpResponse]
    ) -> HttpResponse:
        """The page ``render`` builds for ``day`` in ``time_zone``, stored when it is a 200.

        ``render`` takes the text to put in place of the CSRF token, or None for the
        request's own token.
        """
        if self.slot is None:
            return render(None)
        response = render(pagecache.CSRF_SLOT)
        pieces = pagecache.csrf_pieces(response)
        response.content = get_token(self.request).join(pieces)
        if response.status_code == 200:
            pagecache.keep(self.slot, (time_zone, day, pieces), timeout=_timeout())
            response[pagecache.HIT_HEADER] = "miss"
        return response
