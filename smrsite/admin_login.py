"""The admin signs in through allauth, so its rate limits and two-factor step apply there too.

Django's own admin login form has no limit on failed attempts and knows nothing of
allauth's MFA; sending it to ``account_login`` closes that side door.
"""

from urllib.parse import urlencode

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

NOT_STAFF = "This account cannot open the admin."


def admin_login(request, extra_context=None):
    """Send the admin's sign-in to the site's sign-in page, coming back to the admin after."""
    next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("admin:index")
    if request.user.is_authenticated:
        # Signing in again would bounce straight back here: say no instead of looping.
        if not request.user.is_staff:
            raise PermissionDenied(NOT_STAFF)
        return redirect(next_url)
    return redirect(f"{reverse('account_login')}?{urlencode({REDIRECT_FIELD_NAME: next_url})}")
