"""The drawn picture of a technique's position, as inline SVG."""

from django import template
from django.utils.safestring import mark_safe

from techniques import illustrations
from techniques.models import Technique

register = template.Library()


@register.simple_tag
def technique_drawing(technique: Technique, *, labelled: bool = True) -> str:
    """The SVG drawn from the technique's picture values, or "" when it has none.

    The markup is built by ``techniques.illustrations`` from known values only (the
    region's colour is checked against ``#rrggbb`` there), so it is safe as it is.
    """
    picture = technique.picture
    if picture is None or illustrations.problem(**picture):
        return ""
    return mark_safe(
        illustrations.draw(**picture, colour=technique.region.colour, labelled=labelled)
    )
