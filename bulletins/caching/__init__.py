"""Caching, in one place: every cache key is built here and carries the release id and the
content version, so nothing kept is ever stale or of an older shape.

- version.py  the content version (new on any public change, coalesced per transaction),
              the release id, key(); listens to model signals and ``content_changed``
- memo.py     values computed once per version: shared (remember, get_many) and
              per-process fragments (fragments_by_id, fragment: ``{% kept %}``)
- pages.py    conditional GET (ETag, Last-Modified, 304) and the whole-page cache for
              anonymous readers, from one page identity
- redis.py    the Redis backend that fails soft (an outage makes pages slower, not 500)

Only this package imports ``django.core.cache`` (serving/health.py excepted: it checks the
cache). Imports: models and signals.
"""
