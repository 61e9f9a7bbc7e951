"""The "Daily favourites" lists of "today": a pin or unpin form per technique.

A member with a long history has dozens of techniques to offer for pinning; as a
template loop each form cost a dozen lookups and a CSRF tag, more than the rest of
the page's lists together. Same markup, each value escaped once.
"""

from html import escape

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.utils.safestring import SafeString, mark_safe

from routines.scheduler import TechniqueInfo

register = template.Library()

_BUTTONS = {
    False: ("", "btn-outline-accent", "Pin daily"),
    True: ('<input type="hidden" name="action" value="unpin">', "btn-outline-secondary", "Unpin"),
}


@register.simple_tag(takes_context=True)
def pin_forms(
    context, links: list[tuple[TechniqueInfo, str, str]], query: str, *, unpin: bool = False
) -> SafeString:
    """An ``<li>`` per technique: its link and the button that pins (or unpins) it.

    ``links``: (technique, its page's address, its pin form's address) as the view
    makes them; ``query`` keeps the page's ``?date=``.
    """
    # The request's token, or the placeholder a stored page carries (routines.plancache).
    token = CsrfTokenNode().render(context)
    action, css, label = _BUTTONS[unpin]
    query = escape(query)
    items = []
    for technique, url, pin_url in links:
        name = escape(technique.name)
        items.append(
            f'<li class="mb-2"><form method="post" action="{escape(pin_url)}{query}">{token}'
            f'{action}<a href="{escape(url)}">{name}</a> <button type="submit"'
            f' class="btn {css} btn-sm">{label}<span class="visually-hidden"> {name}</span>'
            "</button></form></li>"
        )
    # S308: every value is escaped, the rest is fixed markup.
    return mark_safe("\n    ".join(items))
