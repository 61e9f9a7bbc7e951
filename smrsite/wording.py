"""Numbers and dates in running text, through Django's i18n machinery.

Registered as the template library ``wording`` (settings.TEMPLATES): ``{% load wording %}``
then ``{{ log.unbroken_minutes|minutes }}`` or ``{{ day|day_name }}``.
"""

import functools
from datetime import date
from decimal import Decimal

from django import template
from django.template.defaultfilters import floatformat
from django.utils.formats import date_format
from django.utils.translation import get_language, ngettext

register = template.Library()

# A day in running text: "Tuesday 8 December", never "2026-12-08".
DAY_FORMAT = "l j F"


@register.filter
def minutes(value: Decimal | float | int) -> str:
    """ "1 minute", "2.5 minutes", "3 minutes": whole numbers lose their ".0"."""
    whole = value == int(value)
    # Fractions take the plural in English ("1.5 minutes"); gettext wants a whole number.
    count = int(value) if whole else 2
    return ngettext("%(n)s minute", "%(n)s minutes", count) % {"n": floatformat(value, -1)}


def day_text(value: date, format: str) -> str:
    """``value`` (a day, not a time) written in ``format`` in the active language, as
    ``date_format`` writes it.

    Django looks up every month and weekday name in the translations on each call:
    "today" wrote the same few days that way on every request, a tenth of its render.
    The text depends on nothing but the day, the format and the language, so each is
    written once per process.
    """
    return _day_text(value, format, get_language())


@functools.lru_cache(maxsize=4096)
def _day_text(value: date, format: str, language: str) -> str:
    return date_format(value, format)


@register.filter
def day_name(value: date) -> str:
    """A day as people write it in a sentence, in the site's language."""
    return day_text(value, DAY_FORMAT)
