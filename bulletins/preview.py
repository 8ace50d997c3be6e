"""Previews of unpublished issues: for staff at the real URL, for others by signed link.

A preview link names one issue, expires after PREVIEW_LINK_MAX_AGE seconds and cannot be
altered to reach another one. Preview responses are never cached and never indexed.
"""

from django.conf import settings
from django.core import signing
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.cache import add_never_cache_headers

SALT = "bulletins.preview"  # part of every preview link given out: never change it


def make_token(issue) -> str:
    return signing.TimestampSigner(salt=SALT).sign(str(issue.pk))


def preview_url(issue) -> str:
    return f"{issue.get_absolute_url()}?preview={make_token(issue)}"


def signed_issue_id(token: str) -> str | None:
    """The issue id a preview link was made for, or None when it is tampered, foreign or
    expired."""
    max_age = getattr(settings, "PREVIEW_LINK_MAX_AGE", 7 * 24 * 3600)
    try:
        return signing.TimestampSigner(salt=SALT).unsign(token, max_age=max_age)
    except signing.BadSignature:
        return None


def token_is_valid(token: str, issue) -> bool:
    return signed_issue_id(token) == str(issue.pk)


def may_preview(request, issue) -> bool:
    if request.user.is_authenticated and request.user.has_perm("bulletins.view_issue"):
        return request.user.is_staff
    token = request.GET.get("preview", "")
    return bool(token) and token_is_valid(token, issue)


def previewable(request, queryset, issue_of, **lookup):
    """The object ``lookup`` finds in ``queryset`` (any status), if ``request`` may preview
    its issue (``issue_of(obj)``); Http404 otherwise, as for anything not public.

    Every page that can show unpublished content asks here, after ``.published()`` found
    nothing: the issue and article pages, the print page and the Word file.
    """
    obj = get_object_or_404(queryset, **lookup)
    if not may_preview(request, issue_of(obj)):
        raise Http404("not public")
    return obj


def mark_as_preview(response):
    """No cache anywhere, no search engine."""
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response.never_page_cache = True
    return response
