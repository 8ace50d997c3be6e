"""Conditional GET without running the view: validators made from the content version.

What an anonymous reader gets at a URL depends only on that URL (with its host), the
content version and, for pages whose citations carry the date of access, the day
(pages.page_identity()). So the ETag is computed from those before the view runs,
and a browser or feed reader that already holds the page gets 304 Not Modified without a
query or a template, whether or not the page cache holds the page. Last-Modified says the
same in time: the last content change (for dated pages, no earlier than midnight), so
clients that only send If-Modified-Since are answered the same way; feeds stay unchanged
from one day to the next.

The content version is read once here and pinned for the whole request, so the page
cache, derived data and lists below share one cache round trip and one consistent view.
"""

import datetime
import hashlib

from django.http import HttpResponseNotModified
from django.utils import timezone
from django.utils.http import http_date, parse_etags, parse_http_date_safe

from . import pages, version


def version_etag(request) -> str:
    raw = f"{version.current_version()}|{pages.page_identity(request)}"
    return f'W/"{hashlib.sha256(raw.encode()).hexdigest()[:32]}"'


def last_modified(request) -> int | None:
    """Last-Modified as a POSIX timestamp in whole seconds, or None when unknown."""
    changed_at = version.last_changed()
    if changed_at is None:
        return None
    if pages.is_dated(request):
        midnight = datetime.datetime.combine(timezone.localdate(), datetime.time())
        changed_at = max(changed_at, timezone.make_aware(midnight))
    return int(changed_at.timestamp())


def matches(etag: str, if_none_match: str) -> bool:
    """Weak comparison, as RFC 9110 asks of If-None-Match."""
    if not if_none_match:
        return False
    tags = parse_etags(if_none_match)
    return "*" in tags or etag.removeprefix("W/") in {t.removeprefix("W/") for t in tags}


def not_modified(request, etag: str, modified: int | None) -> bool:
    """RFC 9110 13.2.2: If-None-Match when sent; otherwise If-Modified-Since."""
    if_none_match = request.headers.get("If-None-Match", "")
    if if_none_match:
        return matches(etag, if_none_match)
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    return modified is not None and since is not None and modified <= since


def add_validators(response, etag: str, modified: int | None):
    response["ETag"] = etag
    if modified is not None:
        response["Last-Modified"] = http_date(modified)
    return response


class ContentVersionMiddleware:
    """Pin the content version; answer 304 early and set validators on anonymous pages.

    Sits inside ConditionalGetMiddleware (which then finds the ETag already set and does
    not hash the body) and outside the page cache. The Last-Modified that views such as
    feeds and sitemaps set from their newest item is replaced: it misses edits to older
    items and deletions, which the content version does not.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with version.pinned():
            if not pages.is_cacheable_request(request):
                return self.get_response(request)
            etag, modified = version_etag(request), last_modified(request)
            if not_modified(request, etag, modified):
                return add_validators(HttpResponseNotModified(), etag, modified)
            response = self.get_response(request)
            if pages.is_cacheable_response(response):
                add_validators(response, response.get("ETag", etag), modified)
            return response
