"""Permalinks: reverse() remembered per URLconf and script prefix, and 301s from old ones.

A list page links each of its twenty articles to itself, its source, its issue and its
tags: over a hundred reverse() calls, a quarter of the page's time when computed afresh.
A reversed URL depends only on its arguments, the URLconf and the script prefix, so each
process keeps the ones it has computed (a bounded, per-process memo: nothing to share).
"""

from functools import lru_cache

from django.conf import settings
from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import get_script_prefix, get_urlconf, reverse


@lru_cache(maxsize=20_000)
def _reverse(urlconf: str, prefix: str, viewname: str, items: tuple) -> str:
    return reverse(viewname, urlconf=urlconf, kwargs=dict(items))


def permalink(viewname: str, kwargs: dict) -> str:
    """reverse(viewname, kwargs=kwargs), computed once per process."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return _reverse(urlconf, get_script_prefix(), viewname, tuple(sorted(kwargs.items())))


def moved_permanently(request, target, url_of=None):
    """301 to where an old address's object lives now, the query string kept.

    ``target`` is the object the address used to name (``SlugRedirect.objects.target()``),
    ``url_of(target)`` its new address (by default its page). Http404 when it is None.
    Renaming and merging sources and tags leave such addresses behind (editorial/curation).
    """
    if target is None:
        raise Http404("no such address, then or now")
    url = url_of(target) if url_of else target.get_absolute_url()
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)
