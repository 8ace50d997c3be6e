"""The content version: one id for everything the public can see, and the release id.

Every save, delete or tag change starts a new version, and so does the moment a scheduled
issue's publication time passes, so whatever is keyed by it can never be stale. The time
each version started is kept beside it: the last change, which pages and feeds send as
Last-Modified without a query.

Where it lives: the database records it (``models.ContentVersion``, one row, written
when the change commits) and the shared cache holds a copy that every request reads. The
cache may lose that write (a stalled or full Redis, a restart, a failover), so each
process also checks the row every CONTENT_VERSION_CHECK_SECONDS and whenever the cache
has no version: a change is seen everywhere within seconds whatever Redis does.

Changes are coalesced: however many rows one transaction writes, the version is recorded
once, when it commits; until then the thread that wrote reads a provisional version of
its own, so it never serves itself a page cached from before its change.

Every key also carries the release (``key()``): values built by other code, whose shape
may differ, are never read after a deploy. The version itself is shared by all releases,
so an edit made through a new server retires the pages of the old ones too.
"""

import contextlib
import contextvars
import datetime
import functools
import hashlib
import logging
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.utils import timezone

from ..models import Article, ContentVersion, Issue, Series, Source, SourceAlias, Tag
from ..signals import content_changed

logger = logging.getLogger(__name__)

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


def _stored_state() -> dict | None:
    """The version the database records, or None (no row yet, or no database)."""
    try:
        row = ContentVersion.objects.filter(pk=1).first()
    except DatabaseError:
        return None
    if row is None:
        return None
    return {
        "version": row.token,
        "next_publication": row.next_publication,
        "changed_at": row.changed_at,
    }


def _record(state: dict) -> None:
    """The database first (the authority), then the cache (the copy every reader reads)."""
    values = {
        "token": state["version"],
        "next_publication": state["next_publication"],
        "changed_at": state["changed_at"],
    }
    if not ContentVersion.objects.filter(pk=1).update(**values):
        try:
            with transaction.atomic():
                ContentVersion.objects.create(pk=1, **values)
        except IntegrityError:  # another process made the row a moment ago
            ContentVersion.objects.filter(pk=1).update(**values)
    cache.set(VERSION_KEY, state, VERSION_TIMEOUT)


def _new_state(previous: dict | None = None) -> dict:
    state = {
        "version": uuid.uuid4().hex,
        "next_publication": _next_scheduled_publication(),
        "changed_at": _change_time(previous or cache.get(VERSION_KEY)),
    }
    _record(state)
    _provisional.set(None)
    return state


# The state read once for the request being served (see pinned()); None outside one.
_pinned = contextvars.ContextVar("pinned_content_version", default=None)
# This thread's own version while its changes are not committed (see bump()).
_provisional = contextvars.ContextVar("provisional_content_version", default=None)
# When this thread's last provisional version began (each must begin in a later second).
_last_provisional = contextvars.ContextVar("last_provisional_change", default=None)
# Set by bump(): this thread's provisional version is to be made at its next read.
_CHANGED = {"version": "changed"}
_UNAVAILABLE = {"version": "database-unavailable", "changed_at": None}
# When this process last compared the cache's copy with the database's (monotonic).
_checked_at = 0.0


def _is_due(state: dict) -> bool:
    """Has a scheduled issue gone public since ``state`` began?"""
    due = state["next_publication"]
    return due is not None and due <= timezone.now()


def _new_provisional_state() -> dict:
    """This thread's own version: later than the shared one and its own previous ones."""
    shared = cache.get(VERSION_KEY) or {}
    times = [t for t in (shared.get("changed_at"), _last_provisional.get()) if t]
    state = {
        "version": uuid.uuid4().hex,
        "next_publication": _next_scheduled_publication(),
        "changed_at": _change_time({"changed_at": max(times)} if times else None),
    }
    _last_provisional.set(state["changed_at"])
    _provisional.set(state)
    return state


def _check_due() -> bool:
    global _checked_at
    interval = settings.CONTENT_VERSION_CHECK_SECONDS
    if interval is None or time.monotonic() - _checked_at < interval:
        return False
    _checked_at = time.monotonic()
    return True


def _shared_state() -> dict | None:
    """The cache's copy, corrected from the database when that is due or the copy is
    missing."""
    state = cache.get(VERSION_KEY)
    if state is None or _check_due():
        stored = _stored_state()
        if stored is not None and (state is None or stored["version"] != state["version"]):
            if state is not None:
                logger.warning("The cache had lost a content version; taken from the database")
            state = stored
            cache.set(VERSION_KEY, state, VERSION_TIMEOUT)
    return state


def _current_state() -> dict:
    """The version now and when it started; this thread's own while its change is not
    committed; a new one when a scheduled issue went public.

    While the database is unreachable the version in the cache stands, so that pages
    cached before the outage are still served.
    """
    pinned_state = _pinned.get()
    if pinned_state is not None:
        return pinned_state
    provisional = _provisional.get()
    if provisional is not None:
        if transaction.get_connection().in_atomic_block:
            if provisional is _CHANGED or _is_due(provisional):
                provisional = _new_provisional_state()
            return provisional
        _provisional.set(None)  # its transaction was rolled back
    state = _shared_state()
    if state is None or _is_due(state):
        try:
            return _new_state(state)
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
    try:
        _new_state()
    except DatabaseError:  # committed, but not recorded: readers find out at their check
        logger.exception("Could not record a new content version")


def bump() -> None:
    """A change the public might see: recorded when the transaction commits (once per
    transaction, however many rows), at once outside one.

    Until then this thread reads a provisional version of its own, so that it never
    serves itself a page cached from before its change; readers elsewhere see the old
    content until the commit, then the new version.
    """
    _pinned.set(None)
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _new_state()
        return
    _provisional.set(_CHANGED)  # made at the next read: one query, however many changes
    if not any(func is _renew_on_commit for _ids, func, _robust in connection.run_on_commit):
        _last_provisional.set(None)  # the first change of this transaction
        transaction.on_commit(_renew_on_commit)


def _changed(sender, **kwargs):
    bump()


# Only what readers can see starts a new version: saving a draft or an issue in review
# leaves every public page, its cache and its Last-Modified alone. An issue counts while
# it is published (scheduled included: its time is the next change) or was before the
# save; an article while its issue, old or new, does. Series, sources, aliases and tags
# are few and rarely edited: any change to them counts.


def _published(issue_ids) -> bool:
    ids = {pk for pk in issue_ids if pk is not None}
    return bool(ids) and Issue.objects.filter(pk__in=ids, status=Issue.Status.PUBLISHED).exists()


def _issue_saving(sender, instance, raw=False, **kwargs):
    instance._was_published = instance.pk is not None and _published([instance.pk])


def _issue_saved(sender, instance, raw=False, **kwargs):
    if instance.status == Issue.Status.PUBLISHED or getattr(instance, "_was_published", True):
        bump()


def _issue_deleted(sender, instance, **kwargs):
    if instance.status == Issue.Status.PUBLISHED:
        bump()


def _article_saving(sender, instance, raw=False, **kwargs):
    old = Article.objects.filter(pk=instance.pk).values_list("issue_id", flat=True)
    instance._old_issue_id = old.first() if instance.pk is not None else None


def _article_changed(sender, instance, **kwargs):
    if _published([instance.issue_id, getattr(instance, "_old_issue_id", None)]):
        bump()


def _tags_changed(sender, instance, reverse, **kwargs):
    if reverse or _published([instance.issue_id]):  # tag.articles.add(): not worth asking
        bump()


def connect_signals():
    pre_save.connect(_issue_saving, sender=Issue, dispatch_uid="content-version-issue-pre")
    post_save.connect(_issue_saved, sender=Issue, dispatch_uid="content-version-issue")
    post_delete.connect(_issue_deleted, sender=Issue, dispatch_uid="content-version-issue-del")
    pre_save.connect(_article_saving, sender=Article, dispatch_uid="content-version-article-pre")
    post_save.connect(_article_changed, sender=Article, dispatch_uid="content-version-article")
    post_delete.connect(
        _article_changed, sender=Article, dispatch_uid="content-version-article-del"
    )
    m2m_changed.connect(
        _tags_changed, sender=Article.tags.through, dispatch_uid="content-version-m2m"
    )
    for model in (Series, Source, SourceAlias, Tag):
        post_save.connect(_changed, sender=model, dispatch_uid=f"content-version-save-{model}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"content-version-del-{model}")
    content_changed.connect(_changed, dispatch_uid="content-version-bulk")
