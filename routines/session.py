"""The guided session's rules that need no database: which day a log may be for, and keys.

A log made offline on the floor is sent when the phone is back online, which may be
after midnight or a day later: it still belongs to the day it was made. Such a log
is accepted for today and for a few days back, never for a day to come.
"""

import re
from datetime import date, timedelta

# A log queued on a phone may arrive this many days after the day it was made for.
LATE_DAYS = 2
KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")

BAD_KEY_ERROR = "This log has no valid key: reload the session page and save it again."
BAD_DAY_ERROR = "This log is for a day that cannot be saved any more, or has not come yet."
OTHER_MEMBER_ERROR = "This log was made by another member: sign in as them to send it."


def valid_key(raw: str) -> str | None:
    """The idempotency key as sent, or None when it is missing, too short or not URL-safe."""
    return raw if KEY_PATTERN.fullmatch(raw or "") else None


def log_day(raw: str, *, today: date) -> date | None:
    """The day a sent log is for: ``raw`` (``YYYY-MM-DD``) within LATE_DAYS before ``today``.

    None when it is not a date, lies in the future or is too long ago.
    """
    if not raw or len(raw) != len("YYYY-MM-DD"):
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return None
    return day if today - timedelta(days=LATE_DAYS) <= day <= today else None
