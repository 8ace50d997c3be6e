"""Redis as a cache that fails soft: while Redis is unreachable the site serves uncached.

Pages, derived data and the content version live in the shared cache, so without this a
Redis outage would take every page down with it. Here every read during an outage is a
miss and every write is dropped: pages are computed from the database, more slowly but
correctly, and /healthz reports the cache as unavailable. After a failure the client
rests for a few seconds instead of paying a refused connection on every cache call.
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)

# Seconds to treat Redis as down after a failed call, before trying it again.
REST_SECONDS = 5.0


class FailSoftRedisCacheClient(RedisCacheClient):
    _resting_until = 0.0

    def _soft(self, call, fallback, *args):
        if time.monotonic() < self._resting_until:
            return fallback
        try:
            return call(*args)
        except (self._lib.exceptions.ConnectionError, self._lib.exceptions.TimeoutError) as e:
            self._resting_until = time.monotonic() + REST_SECONDS
            logger.warning("Cache unavailable, serving uncached for %s s: %s", REST_SECONDS, e)
            return fallback

    def get(self, key, default):
        return self._soft(super().get, default, key, default)

    def get_many(self, keys):
        return self._soft(super().get_many, {}, keys)

    def has_key(self, key):
        return self._soft(super().has_key, False, key)

    def add(self, key, value, timeout):
        return self._soft(super().add, False, key, value, timeout)

    def set(self, key, value, timeout):
        return self._soft(super().set, None, key, value, timeout)

    def set_many(self, data, timeout):
        return self._soft(super().set_many, None, data, timeout)

    def touch(self, key, timeout):
        return self._soft(super().touch, False, key, timeout)

    def delete(self, key):
        return self._soft(super().delete, False, key)

    def delete_many(self, keys):
        return self._soft(super().delete_many, None, keys)

    def clear(self):
        return self._soft(super().clear, False)


class FailSoftRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = FailSoftRedisCacheClient
