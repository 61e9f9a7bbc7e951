import functools

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

DISCLAIMER = (
    "Everything on SMR Coach is for education only and is not medical advice. "
    "Talk to your doctor before you try any technique on this site, and stop if something hurts "
    "in a sharp, burning or tingling way."
)

# The fixed addresses (no arguments) pages link to: the menu, the footer and the sign-in
# prompts on every page, and the plan's own pages.
SITE_LINKS = {
    "home": "home",
    "catalogue": "techniques:list",
    "today": "routines:today",
    "settings": "members:profile",
    "questions": "techniques:comment_queue",
    "admin": "admin:index",
    "sign_in": "account_login",
    "sign_up": "account_signup",
    "sign_out": "account_logout",
    "sitemap": "sitemap",
    "plan_upcoming": "routines:upcoming",
    "plan_history": "routines:history",
    "plan_pdf": "routines:pdf",
    "plan_settings": "routines:settings",
    "plan_session": "routines:session",
    "plan_log": "routines:log",
}


def site(request):
    """Names every template may use: the site's name, the medical disclaimer and
    ``links``, the site-wide addresses of :data:`SITE_LINKS` (``{{ links.home }}``)."""
    return {
        "site_name": settings.SITE_NAME,
        "disclaimer": DISCLAIMER,
        "links": _site_links(get_urlconf(settings.ROOT_URLCONF), get_script_prefix()),
    }


@functools.cache
def _site_links(urlconf: str, script_prefix: str) -> dict[str, str]:
    # Reversed once per URLconf and prefix served under: a page carried a dozen
    # {% url %} tags for these, a tenth of an uncached technique page's build.
    links = {}
    for key, name in SITE_LINKS.items():
        try:
            links[key] = reverse(name, urlconf=urlconf)
        except NoReverseMatch:
            links[key] = ""
    return links
