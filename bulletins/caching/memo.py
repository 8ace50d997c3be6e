"""What is built from public content, computed once per content version and kept.

Two stores, both keyed by release and content version (version.key()), so nothing read
here is ever stale and a deploy never reads an older shape:

- the shared cache: counts, filter choices, the order of long lists, search results.
  Computing them costs a scan of the archive; every process and app server shares the
  work. Each process also keeps the entries it has read and reads them again without a
  round trip (what a version holds never changes). Treat values as read-only.
- the per-process ``fragments`` cache: rendered HTML and loaded objects (cards, feed
  items, an issue page's bulletin, the header), by language: reading them costs nothing.
"""

import hashlib

from django.core.cache import cache, caches
from django.utils.translation import get_language

from . import version

# Entries of old versions are never read again; let them go within a day.
TIMEOUT = 60 * 60 * 24
# Entries kept in each process (of this and recent versions; the oldest go first).
LOCAL_ENTRIES = 256
# Fragments of old versions are never read again; the cache drops the oldest when full.
FRAGMENT_TIMEOUT = 60 * 60 * 24
_MISSING = object()
_local: dict = {}


def key(name: str) -> str:
    return version.key("derived", name)


def fragment_key(*parts) -> str:
    """A key for what the ``fragments`` cache keeps: release, version, language, ``parts``."""
    return version.key("fragment", get_language(), *parts)


def fragment(parts, render) -> str:
    """``render()``, kept in the fragments cache for this version, language and ``parts``.

    For templates: ``{% kept "name" part… %}…{% endkept %}`` (templatetags/kept.py).
    """
    fragments = caches["fragments"]
    # Parts may be any text (a host, a list's identity): hashed, they make a safe key.
    entry = fragment_key(hashlib.sha256(repr(list(parts)).encode()).hexdigest()[:32])
    value = fragments.get(entry)
    if value is None:
        value = render()
        fragments.set(entry, value, FRAGMENT_TIMEOUT)
    return value


def fragments_by_id(name: str, ids, build) -> dict:
    """What ``build`` makes of each of ``ids``, kept per content version in each process.

    ``build(missing_ids)`` returns ``{id: value}`` for the ids absent from the fragments
    cache (it may leave out ids that are no longer public); the answer follows ``ids``.
    """
    fragments = caches["fragments"]
    keys = {pk: fragment_key(name, pk) for pk in ids}
    found = fragments.get_many(keys.values())
    missing = [pk for pk, key in keys.items() if key not in found]
    if missing:
        built = {keys[pk]: value for pk, value in build(missing).items()}
        fragments.set_many(built, FRAGMENT_TIMEOUT)
        found.update(built)
    return {pk: found[key] for pk, key in keys.items() if key in found}


def _keep(entry: str, value) -> None:
    if len(_local) >= LOCAL_ENTRIES:
        del _local[next(iter(_local))]
    _local[entry] = value


def remember(name: str, compute, timeout: int = TIMEOUT, *, keep_here: bool = True):
    """The value stored under ``name`` for the current version, computed if absent.

    ``keep_here=False``: shared only, not kept in this process (long result lists).
    """
    entry = key(name)
    value = _local.get(entry, _MISSING)
    if value is _MISSING:
        value = cache.get(entry, _MISSING)
        if value is _MISSING:
            value = compute()
            cache.set(entry, value, timeout)
        if keep_here:
            _keep(entry, value)
    return value


def get_many(names) -> dict:
    """Values stored for the current version, by name; absent ones are left out."""
    entries = {key(name): name for name in names}
    found = {entry: _local[entry] for entry in entries if entry in _local}
    missing = [entry for entry in entries if entry not in found]
    if missing:
        for entry, value in cache.get_many(missing).items():
            _keep(entry, value)
            found[entry] = value
    return {entries[entry]: value for entry, value in found.items()}


def set_many(values: dict, timeout: int = TIMEOUT) -> None:
    cache.set_many({key(name): value for name, value in values.items()}, timeout)
