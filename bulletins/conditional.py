"""Conditional GET without running the view: ETags made from the content version.

What an anonymous reader gets at a URL depends only on that URL, the content version and
the day (citations carry the date of access). So the ETag is computed from those before
the view runs, and a browser or feed reader that already holds the page gets 304 Not
Modified without a query or a template, whether or not the page cache holds the page.

The content version is read once here and pinned for the whole request, so the page
cache, derived data and lists below share one cache round trip and one consistent view.
"""

import hashlib

from django.http import HttpResponseNotModified
from django.utils import timezone
from django.utils.http import parse_etags

from . import content_version, page_cache


def version_etag(request) -> str:
    raw = f"{content_version.current_version()}|{timezone.localdate()}|{request.get_full_path()}"
    return f'W/"{hashlib.sha256(raw.encode()).hexdigest()[:32]}"'


def matches(etag: str, if_none_match: str) -> bool:
    """Weak comparison, as RFC 9110 asks of If-None-Match."""
    if not if_none_match:
        return False
    tags = parse_etags(if_none_match)
    return "*" in tags or etag.removeprefix("W/") in {t.removeprefix("W/") for t in tags}


class ContentVersionMiddleware:
    """Pin the content version; answer 304 early and set ETags on anonymous public pages.

    Sits inside ConditionalGetMiddleware (which then finds the ETag already set and does
    not hash the body) and outside the page cache.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with content_version.pinned():
            if not page_cache.is_cacheable_request(request):
                return self.get_response(request)
            etag = version_etag(request)
            if matches(etag, request.headers.get("If-None-Match", "")):
                response = HttpResponseNotModified()
                response["ETag"] = etag
                return response
            response = self.get_response(request)
            if page_cache.is_cacheable_response(response) and not response.has_header("ETag"):
                response["ETag"] = etag
            return response
