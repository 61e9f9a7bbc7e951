"""Pages answer GET, HEAD and POST only.

Django's function views render the page for any method, so ``TRACE`` (which should echo
the request) and ``OPTIONS`` (which should describe the resource) got a whole page back.
Nothing here needs another method: the site has no API.
"""

from django.http import HttpResponseNotAllowed

ALLOWED_METHODS = ("GET", "HEAD", "POST")


class AllowedMethodsMiddleware:
    """405 with ``Allow: GET, HEAD, POST`` and no body for every other method."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ALLOWED_METHODS:
            return HttpResponseNotAllowed(ALLOWED_METHODS)
        return self.get_response(request)
