"""Anonymous readers' pages: conditional GET and the whole-page cache, from one identity.

What an anonymous reader gets at a URL depends only on the page's identity (host, path
and query, and for pages whose citations carry the date of access, the day) and on the
content version. So, before any view runs:

- ``ContentVersionMiddleware`` pins the version for the request and answers 304 Not
  Modified when the client's ETag (made from version and identity) or Last-Modified (the
  last content change; for dated pages, no earlier than midnight) still holds: no query,
  no template, whether or not the page cache holds the page;
- a query parameter no page reads is answered with a permanent redirect to the URL
  without it, so odd or tracking parameters never make cache entries of their own;
- ``PublicPageCacheMiddleware`` serves the page from the shared cache, keyed by release,
  version and identity, or stores the page the view made.

Staff, previews, the admin and anything that is not a plain successful GET are never
read from or written to the cache, and get no validators here. Entries expire by
themselves but never need to: any change to public content starts a new version.
"""

import datetime
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponseNotModified, HttpResponsePermanentRedirect
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.http import http_date, parse_etags, parse_http_date_safe

from .. import preview
from . import version

EXCLUDED_PREFIXES = ("/admin/", "/healthz", "/static/")
HIT_HEADER = "X-Page-Cache"
# Pages whose citations carry the date of access: they change at midnight too.
DATED_PAGES = {"bulletins:issue-detail", "bulletins:article-detail"}
# Every query parameter a public page reads (the article list's and search's filters,
# pages, the sitemap's p; preview links skip the cache). Any other (utm_source, a typo)
# changes nothing on a page: a reader asking with one is sent to the URL without it, so
# that no parameter can make a page cache entry of its own.
PAGE_PARAMETERS = frozenset(
    {"q", "series", "source", "tag", "year", "date_after", "date_before", "page", "sort"} | {"p"}
)


def is_cacheable_request(request) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    if request.path_info.startswith(EXCLUDED_PREFIXES):
        return False
    # Only a real preview link skips the cache; any other ?preview= is a parameter that
    # changes nothing (a reader is sent to the page without it, see clean_url).
    if preview.signed_issue_id(request.GET.get("preview", "")) is not None:
        return False
    # A session cookie may belong to staff; their pages are never shared.
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return not request.user.is_authenticated
    return True


def clean_url(request) -> str | None:
    """The URL without the query parameters no page reads (and without a ?preview= that
    is no preview link); None when it has none."""
    if all(name in PAGE_PARAMETERS for name in request.GET) and "preview" not in request.GET:
        return None
    kept = request.GET.copy()
    for name in list(kept):
        if name not in PAGE_PARAMETERS or name == "preview":
            del kept[name]
    query = kept.urlencode()
    return request.path + (f"?{query}" if query else "")


def is_cacheable_response(response) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "no-store" not in response.get("Cache-Control", "")
        and "private" not in response.get("Cache-Control", "")
        and not getattr(response, "never_page_cache", False)
    )


@dataclass(frozen=True)
class Page:
    """What an anonymous reader's page depends on besides the content version.

    The host, because pages and feeds carry absolute URLs; the path and query; and for
    dated pages, the day.
    """

    identity: str
    dated: bool

    @classmethod
    def of(cls, request) -> "Page":
        """The request's page, worked out once (its URL resolved once) per request."""
        page = getattr(request, "_reader_page", None)
        if page is None:
            try:
                dated = resolve(request.path_info).view_name in DATED_PAGES
            except Resolver404:
                dated = False
            day = timezone.localdate().isoformat() if dated else ""
            page = cls(f"{request.get_host()}|{request.get_full_path()}|{day}", dated)
            request._reader_page = page
        return page

    def digest(self) -> str:
        raw = f"{version.current_version()}|{self.identity}"
        return hashlib.sha256(raw.encode()).hexdigest()

    def etag(self) -> str:
        return f'W/"{self.digest()[:32]}"'

    def cache_key(self) -> str:
        return version.key("page", hashlib.sha256(self.identity.encode()).hexdigest())

    def last_modified(self) -> int | None:
        """Last-Modified as a POSIX timestamp in whole seconds, or None when unknown."""
        changed_at = version.last_changed()
        if changed_at is None:
            return None
        if self.dated:
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
            if not is_cacheable_request(request):
                return self.get_response(request)
            clean = clean_url(request)
            if clean is not None:
                return HttpResponsePermanentRedirect(clean)
            page = Page.of(request)
            etag, modified = page.etag(), page.last_modified()
            if not_modified(request, etag, modified):
                return add_validators(HttpResponseNotModified(), etag, modified)
            response = self.get_response(request)
            if is_cacheable_response(response):
                add_validators(response, response.get("ETag", etag), modified)
            return response


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timeout = settings.PAGE_CACHE_SECONDS
        if not timeout or not is_cacheable_request(request):
            return self.get_response(request)
        key = Page.of(request).cache_key()
        cached = cache.get(key)
        if cached is not None:
            cached[HIT_HEADER] = "hit"
            return cached
        response = self.get_response(request)
        if is_cacheable_response(response):
            if hasattr(response, "render") and callable(response.render):
                response.render()
            cache.set(key, response, timeout)
            response[HIT_HEADER] = "miss"
        return response
