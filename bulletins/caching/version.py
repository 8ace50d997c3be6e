"""The content version: one id for everything the public can see, and the release id.

Every save, delete or tag change starts a new version, and so does the moment a scheduled
issue's publication time passes, so whatever is keyed by it can never be stale. It lives
in the shared cache (not in process memory), so several app servers sharing one cache
agree on it. The time each version started is kept beside it: the last change, which
pages and feeds send as Last-Modified without a query.

Changes are coalesced: however many rows one transaction writes, this thread reads one
new version after the first of them and every reader one more when it commits.

Every key also carries the release (``key()``): values built by other code, whose shape
may differ, are never read after a deploy. The version itself is shared by all releases,
so an edit made through a new server retires the pages of the old ones too.
"""

import contextlib
import contextvars
import datetime
import functools
import hashlib
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from ..models import Article, Issue, Series, Source, SourceAlias, Tag
from ..signals import content_changed

VERSION_KEY = "bulletins:content-version"
# Far longer than any page entry lives; if it is evicted, a new random version starts.
VERSION_TIMEOUT = 60 * 60 * 24 * 30
# What the release id is computed from when RELEASE_ID is not set: the code and what it
# renders (templates, and static files, whose hashed names cached pages link to).
RELEASE_SOURCES = ("bulletins", "templates", "static")


@functools.cache
def release() -> str:
    """RELEASE_ID from the settings (environment), else a digest of the installed code."""
    if settings.RELEASE_ID:
        return settings.RELEASE_ID
    digest = hashlib.sha256()
    for folder in RELEASE_SOURCES:
        for path in sorted((settings.BASE_DIR / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(settings.BASE_DIR)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _next_scheduled_publication():
    return (
        Issue.objects.filter(status=Issue.Status.PUBLISHED, published_at__gt=timezone.now())
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )


def _change_time(previous: dict | None) -> datetime.datetime:
    """When a new version starts: now in whole seconds, and later than the version before.

    Last-Modified has one-second resolution, so two versions must never share a second: a
    reader served the first would otherwise revalidate the second with If-Modified-Since
    and be told 304. (Only a burst of changes within one second moves this ahead of now.)
    """
    second = timezone.now().replace(microsecond=0)
    earlier = previous and previous.get("changed_at")
    if earlier and second <= earlier:
        second = earlier + datetime.timedelta(seconds=1)
    return second


def _new_state():
    state = {
        "version": uuid.uuid4().hex,
        "next_publication": _next_scheduled_publication(),
        "changed_at": _change_time(cache.get(VERSION_KEY)),
    }
    cache.set(VERSION_KEY, state, VERSION_TIMEOUT)
    _stale.set(False)
    return state


# The state read once for the request being served (see pinned()); None outside one.
_pinned = contextvars.ContextVar("pinned_content_version", default=None)
# True after a change in this thread that no version read here has followed yet.
_stale = contextvars.ContextVar("content_changed_here", default=False)
_UNAVAILABLE = {"version": "database-unavailable", "changed_at": None}


def _current_state() -> dict:
    """The version now and when it started; a new one after a change made in this thread
    or when a scheduled issue went public.

    While the database is unreachable the version in the cache stands, so that pages
    cached before the outage are still served.
    """
    pinned_state = _pinned.get()
    if pinned_state is not None:
        return pinned_state
    state = None if _stale.get() else cache.get(VERSION_KEY)
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


def key(*parts) -> str:
    """A cache key for something built from public content: release, version, ``parts``."""
    return ":".join(map(str, (release(), current_version(), *parts)))


@contextlib.contextmanager
def pinned():
    """Read the version once for a whole request: one cache round trip, one consistent view."""
    token = _pinned.set(_current_state())
    try:
        yield
    finally:
        _pinned.reset(token)


def _renew_on_commit() -> None:
    _new_state()


def bump() -> None:
    """A change the public might see: a new version for this thread's next read, and one
    for everybody when the transaction commits (once per transaction, however many rows).

    The second one matters: a reader racing the transaction may have cached old content
    under the version this thread made.
    """
    _pinned.set(None)
    _stale.set(True)
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _new_state()
    elif not any(func is _renew_on_commit for _ids, func, _robust in connection.run_on_commit):
        transaction.on_commit(_renew_on_commit)


def _changed(sender, **kwargs):
    bump()


def connect_signals():
    for model in (Article, Issue, Series, Source, SourceAlias, Tag):
        post_save.connect(_changed, sender=model, dispatch_uid=f"content-version-save-{model}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"content-version-del-{model}")
    m2m_changed.connect(_changed, sender=Article.tags.through, dispatch_uid="content-version-m2m")
    content_changed.connect(_changed, dispatch_uid="content-version-bulk")
