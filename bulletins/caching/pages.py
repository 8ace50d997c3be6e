"""Whole-page cache for anonymous readers, keyed by URL and the content version.

Staff, previews, the admin and anything that is not a plain successful GET are never
read from or written to the cache. Entries expire by themselves, but they never need to:
any change to public content starts a new content version (see version.py).
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.urls import Resolver404, resolve
from django.utils import timezone

from . import version

EXCLUDED_PREFIXES = ("/admin/", "/healthz", "/static/")
HIT_HEADER = "X-Page-Cache"


def is_cacheable_request(request) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    if request.path_info.startswith(EXCLUDED_PREFIXES) or "preview" in request.GET:
        return False
    # A session cookie may belong to staff; their pages are never shared.
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return not request.user.is_authenticated
    return True


# Pages whose citations carry the date of access: they change at midnight too.
DATED_PAGES = {"bulletins:issue-detail", "bulletins:article-detail"}


def is_dated(request) -> bool:
    try:
        return resolve(request.path_info).view_name in DATED_PAGES
    except Resolver404:
        return False


def page_identity(request) -> str:
    """What an anonymous reader's page depends on besides the content version.

    The host, because pages and feeds carry absolute URLs; the path and query; and for
    dated pages, the day.
    """
    day = timezone.localdate().isoformat() if is_dated(request) else ""
    return f"{request.get_host()}|{request.get_full_path()}|{day}"


def cache_key(request, version: str) -> str:
    digest = hashlib.sha256(page_identity(request).encode()).hexdigest()
    return f"page:{version}:{digest}"


def is_cacheable_response(response) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "no-store" not in response.get("Cache-Control", "")
        and "private" not in response.get("Cache-Control", "")
        and not getattr(response, "never_page_cache", False)
    )


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timeout = settings.PAGE_CACHE_SECONDS
        if not timeout or not is_cacheable_request(request):
            return self.get_response(request)
        key = cache_key(request, version.current_version())
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
