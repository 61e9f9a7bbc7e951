from django.conf import settings

DISCLAIMER = (
    "Everything on SMR Coach is for education only and is not medical advice. "
    "Talk to your doctor before you try any technique on this site, and stop if something hurts "
    "in a sharp, burning or tingling way."
)


def site(request):
    """Names every template may use: the site's name and the medical disclaimer."""
    return {"site_name": settings.SITE_NAME, "disclaimer": DISCLAIMER}
