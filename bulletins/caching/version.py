"""A version number for everything the public can see, kept in the shared cache.

Every save, delete or tag change bumps it, and so does the moment a scheduled issue's
publication time passes, so cached pages keyed by it can never be stale. It lives in the
cache (not in process memory), so several app servers sharing one cache agree on it.

The time each version started is kept beside it: the time of the last change, which
pages and feeds send as Last-Modified without a query.
"""

import contextlib
import contextvars
import uuid

from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

VERSION_KEY = "bulletins:content-version"
# Far longer than any page entry lives; if it is evicted, a new random version starts.
VERSION_TIMEOUT = 60 * 60 * 24 * 30


def _next_scheduled_publication():
    from ..models import Issue

    return (
        Issue.objects.filter(status=Issue.Status.PUBLISHED, published_at__gt=timezone.now())
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )


def _new_state():
    state = {
        "version": uuid.uuid4().hex,
        "next_publication": _next_scheduled_publication(),
        "changed_at": timezone.now(),
    }
    cache.set(VERSION_KEY, state, VERSION_TIMEOUT)
    return state


# The state read once for the request being served (see pinned()); None outside one.
_pinned = contextvars.ContextVar("pinned_content_version", default=None)
_UNAVAILABLE = {"version": "database-unavailable", "changed_at": None}


def _current_state() -> dict:
    """The version now and when it started; a new one when a scheduled issue went public.

    While the database is unreachable the version in the cache stands, so that pages
    cached before the outage are still served.
    """
    pinned_state = _pinned.get()
    if pinned_state is not None:
        return pinned_state
    state = cache.get(VERSION_KEY)
    due = state and state["next_publication"]
    if state is None or (due is not None and due <= timezone.now()):
        try:
            return _new_state()
        except DatabaseError:
            return state or _UNAVAILABLE
    return state


def current_version() -> str:
    """The content version now (see _current_state())."""
    return _current_state()["version"]


def last_changed():
    """When the current version started: the last change to content, as an aware datetime.

    None when unknown (no database and nothing in the cache).
    """
    return _current_state().get("changed_at")


@contextlib.contextmanager
def pinned():
    """Read the version once for a whole request: one cache round trip, one consistent view."""
    token = _pinned.set(_current_state())
    try:
        yield
    finally:
        _pinned.reset(token)


def bump() -> None:
    """Call after any change that the public might see (bulk updates included)."""
    _pinned.set(None)
    # Now, for readers in this transaction, and again after commit, so that a reader
    # racing the transaction cannot have cached old content under the new version.
    _new_state()
    transaction.on_commit(_new_state)


def _changed(sender, **kwargs):
    bump()


def connect_signals():
    from ..models import Article, Issue, Series, Source, SourceAlias, Tag

    for model in (Article, Issue, Series, Source, SourceAlias, Tag):
        post_save.connect(_changed, sender=model, dispatch_uid=f"content-version-save-{model}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"content-version-del-{model}")
    m2m_changed.connect(_changed, sender=Article.tags.through, dispatch_uid="content-version-m2m")
