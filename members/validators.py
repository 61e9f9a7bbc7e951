"""What a member may put in their profile: a real time zone and a name people can see."""

import functools
import unicodedata
import zoneinfo

from django.core.exceptions import ValidationError

TIME_ZONE_ERROR = "“%(value)s” is not a time zone we know. Pick one such as Europe/London."
INVISIBLE_NAME_ERROR = "Use at least one letter, digit or sign people can see."

# Files in the system's zoneinfo folder that ZoneInfo opens but calendars do not know:
# the machine's own zone, tzdata's placeholder zone and a leftover of old POSIX rules.
NOT_TIME_ZONES = frozenset({"localtime", "Factory", "posixrules"})

# Unicode categories that draw nothing on their own: controls, formatting characters
# (zero-width spaces, bidi marks), separators (ideographic space), unassigned and
# private-use code points, and combining marks, which only change the letter before.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp", "Mn", "Me"})
# Letters and symbols that are drawn blank although their category says otherwise.
_BLANK_CHARACTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


@functools.cache
def time_zone_names() -> tuple[str, ...]:
    """Every time zone a member may choose: IANA names the standard library can load."""
    return tuple(sorted(zoneinfo.available_timezones() - NOT_TIME_ZONES))


def validate_time_zone(value: str) -> None:
    """Accept only IANA names such as ``Europe/Berlin`` or ``UTC``."""
    if value not in time_zone_names():
        raise ValidationError(TIME_ZONE_ERROR, params={"value": value}, code="time_zone")


def has_visible_character(text: str) -> bool:
    """Whether ``text`` shows anything on screen (``str.strip`` keeps zero-width spaces)."""
    return any(
        unicodedata.category(character) not in _INVISIBLE_CATEGORIES
        and character not in _BLANK_CHARACTERS
        for character in text
    )


def validate_display_name(value: str) -> None:
    """Refuse a name made only of spaces and invisible characters."""
    if value and not has_visible_character(value):
        raise ValidationError(INVISIBLE_NAME_ERROR, code="invisible")
