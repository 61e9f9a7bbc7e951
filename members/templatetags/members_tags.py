from django import template

from members.services import public_name as _public_name

register = template.Library()


@register.filter
def public_name(user) -> str:
    """The name shown for a member on public pages; never their email address."""
    return _public_name(user)
