from datetime import date

import pytest

from tests.factories import RoutineFactory

DAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _allow_date_override(settings):
    settings.ROUTINES_ALLOW_DATE_OVERRIDE = True


@pytest.fixture
def routine(user, catalogue):
    """The user's routine over the five core regions, 2 a day, started on DAY."""
    return RoutineFactory(member=user, start_date=DAY)


@pytest.fixture
def other_routine(other_user, catalogue):
    return RoutineFactory(member=other_user, start_date=DAY)
