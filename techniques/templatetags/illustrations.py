"""The picture of a technique's position: an uploaded photo, or an inline SVG drawing.

``illustration`` prints the whole figure in Python because "today" shows one per plan
item: as an included template (a dozen lookups and conditions) it took about 0.18 ms
an item in-process on the bench database, printed about 0.025 ms. Same markup,
character for character, as the template it replaced.
"""

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

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


@register.simple_tag
def illustration(technique: Technique, size: str = "large") -> SafeString:
    """The position, wherever a technique is shown: its photo, else its drawing, else "".

    ``size="large"`` writes the drawing's description under it; ``"small"`` (beside a
    list item) keeps it as the picture's text alternative. Reads the picture fields, the
    image and the region's colour: load them with the technique.
    """
    if technique.image:
        alt = technique.image_alt or technique.picture_description or technique.name
        # S308: the address and the text are escaped, the rest is fixed markup.
        return mark_safe(
            f'\n<figure class="illustration illustration-{escape(size)}">'
            f'<img src="{escape(technique.image.url)}" alt="{escape(alt)}"></figure>\n\n'
        )
    if not technique.picture:
        return mark_safe("\n\n")
    if size == "small":
        drawing = technique_drawing(technique)
        # S308: the drawing is safe (technique_drawing), the rest is fixed markup.
        return mark_safe(
            f'\n<figure class="illustration illustration-small">{drawing}</figure>\n\n'
        )
    drawing = technique_drawing(technique, labelled=False)
    # S308: the drawing is safe, its description is escaped, the rest is fixed markup.
    return mark_safe(
        '\n<figure class="illustration illustration-large">'
        f"{drawing}<figcaption>{escape(technique.picture_description)}</figcaption></figure>\n\n"
    )
