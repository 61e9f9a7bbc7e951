from datetime import date

import pytest

from routines import session

TODAY = date(2026, 3, 10)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-03-10", date(2026, 3, 10)),
        ("2026-03-09", date(2026, 3, 9)),
        ("2026-03-08", date(2026, 3, 8)),
        ("2026-03-07", None),
        ("2026-03-11", None),
        ("", None),
        ("yesterday", None),
        ("2026-02-30", None),
        ("2026-03-10" + "0" * 5000, None),
    ],
)
def test_a_log_may_be_for_today_or_a_couple_of_days_back(raw, expected):
    """A queued log is taken for today and LATE_DAYS before it, never a later or older day."""
    assert session.log_day(raw, today=TODAY) == expected


@pytest.mark.parametrize(
    ("raw", "valid"),
    [
        ("0f8fad5b-d9cb-469f-a165-70867728950e", True),
        ("A" * 16, True),
        ("A" * 64, True),
        ("A" * 15, False),
        ("A" * 65, False),
        ("key with spaces in it", False),
        ("", False),
    ],
)
def test_keys_are_url_safe_and_of_a_sensible_length(raw, valid):
    """A device's key is 16 to 64 URL-safe characters; anything else is refused."""
    assert (session.valid_key(raw) is not None) is valid
