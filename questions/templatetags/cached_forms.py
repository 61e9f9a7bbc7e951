"""``{% crispy_cached form %}``: crispy-forms output, kept in the cache while the form is unbound.

crispy-forms renders a template per field; for the comment form that is most of a
signed-in technique page's remaining cost (about 3 ms). An unbound form renders the
same HTML every time for the same class, prefix, ids and initial values, so it is
rendered once per content version. A bound form (one with the member's text or
errors) is always rendered afresh. The form helper must leave out the CSRF token
(``disable_csrf``), which belongs to the template around it.
"""

from crispy_forms.utils import render_crispy_form
from django import template
from django.forms import Form
from django.utils.safestring import SafeString

from smrsite.pagecache import cached_fragment

register = template.Library()


@register.simple_tag(takes_context=True)
def crispy_cached(context: template.Context, form: Form) -> SafeString:
    """Render ``form`` like ``{% crispy form %}``, from the cache when it is unbound."""
    helper = getattr(form, "helper", None)
    if helper is not None and not helper.disable_csrf:
        raise ValueError("crispy_cached needs a helper with disable_csrf = True")
    kind = type(form)
    parts = None
    if not form.is_bound:
        parts = (kind.__module__, kind.__qualname__, form.prefix, form.auto_id)
        parts += tuple(sorted(form.initial.items()))

    def render() -> str:
        return render_crispy_form(form, context=context.flatten())

    return cached_fragment("form", parts, render)
