"""The site's URLs plus ``/bench/baseline``, served only by benchmark servers."""

from django.http import HttpResponse
from django.urls import path

from smrsite.urls import urlpatterns as site_urlpatterns


def baseline(request):
    """A bare view through the full middleware stack: the yardstick pages are measured by."""
    return HttpResponse("ok\n", content_type="text/plain")


urlpatterns = [path("bench/baseline", baseline), *site_urlpatterns]
