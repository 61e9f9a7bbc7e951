"""When a comment was posted, as its reader reads it: "3 hours ago", and the exact time.

The relative time is counted from ``now`` on the server; a page kept in a cache would let
it drift, so ``static/js/times.js`` counts it again in the browser, and for visitors, whose
time zone the server does not know, writes the exact time in the browser's own zone.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.utils.translation import gettext, ngettext

# Larger units first; a month is 30 days and a year 365 here, as the browser script counts.
_UNITS = (
    (365 * 24 * 3600, lambda n: ngettext("%(n)d year ago", "%(n)d years ago", n)),
    (30 * 24 * 3600, lambda n: ngettext("%(n)d month ago", "%(n)d months ago", n)),
    (24 * 3600, lambda n: ngettext("%(n)d day ago", "%(n)d days ago", n)),
    (3600, lambda n: ngettext("%(n)d hour ago", "%(n)d hours ago", n)),
    (60, lambda n: ngettext("%(n)d minute ago", "%(n)d minutes ago", n)),
)


@dataclass(frozen=True)
class PostedAt:
    """What a ``<time>`` element shows of one moment."""

    #: For the ``datetime`` attribute: ISO 8601 in UTC.
    iso: str
    #: For the tooltip: "2 Dec 2026, 07:00 GMT" in the reader's time zone.
    exact: str
    #: For the text: "3 hours ago", "just now".
    ago: str


def _ago_words(seconds: float) -> tuple[int, int]:
    """The unit (an index into ``_UNITS``, or -1 for "just now") and count of ``seconds``."""
    for index, (size, _) in enumerate(_UNITS):
        if seconds >= size:
            return index, int(seconds // size)
    return -1, 0


def _ago_text(unit: int, count: int) -> str:
    return gettext("just now") if unit < 0 else _UNITS[unit][1](count) % {"n": count}


def time_ago(moment: datetime, now: datetime) -> str:
    """How long before ``now`` ``moment`` was, in its largest whole unit; under a minute
    (or in the future, as clocks differ) "just now"."""
    return _ago_text(*_ago_words((now - moment).total_seconds()))


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class Timeline:
    """Moments as one reader sees them at one ``now`` in one time zone.

    A thread page shows forty times: the zone is looked up once and each wording ("3
    days ago") translated once, not once per comment. The exact time is written out by
    hand rather than with Django's ``date`` format, which cost a tenth of a millisecond
    per comment.
    """

    def __init__(self, *, now: datetime, time_zone: str) -> None:
        self.now = now
        self.zone = ZoneInfo(time_zone)
        self._words: dict[tuple[int, int], str] = {}

    def posted_at(self, moment: datetime) -> PostedAt:
        """``moment`` as this reader reads it."""
        local = moment.astimezone(self.zone)
        month = _MONTHS[local.month - 1]
        unit = _ago_words((self.now - moment).total_seconds())
        ago = self._words.get(unit)
        if ago is None:
            ago = self._words[unit] = _ago_text(*unit)
        return PostedAt(
            iso=moment.astimezone(UTC).isoformat(timespec="seconds"),
            exact=(
                f"{local.day} {month} {local.year}, "
                f"{local.hour:02d}:{local.minute:02d} {local.tzname()}"
            ),
            ago=ago,
        )


def posted_at(moment: datetime, *, now: datetime, time_zone: str) -> PostedAt:
    """``moment`` for a reader in ``time_zone`` at ``now``."""
    return Timeline(now=now, time_zone=time_zone).posted_at(moment)
