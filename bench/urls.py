"""The site's URLs plus /bench/floor/: the cheapest page the framework can serve."""

from django.http import HttpResponse
from django.urls import include, path


def floor(request):
    """A bare view through the same middleware as every page, returning a few bytes."""
    return HttpResponse(b"ok\n", content_type="text/plain; charset=utf-8")


urlpatterns = [
    path("bench/floor/", floor, name="bench-floor"),
    path("", include("site_config.urls")),
]
