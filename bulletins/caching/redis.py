"""Redis as a cache that fails soft: whatever Redis does, a cache error is a miss or a
dropped write, never a 500.

Pages, derived data and the content version live in the shared cache, so without this a
Redis outage would take every page down with it. While Redis is unreachable or slow
(connection errors, time-outs) every read is a miss and every write is dropped, and the
client rests for a few seconds instead of paying a refused connection on every call;
pages are computed from the database, more slowly but correctly, and /healthz reports the
cache as unavailable. Any other error (full with no eviction, a read-only replica after a
failover, a command refused) drops that one call and is logged; Redis is not rested.
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
        errors = self._lib.exceptions
        try:
            return call(*args)
        except (errors.ConnectionError, errors.TimeoutError) as e:
            self._resting_until = time.monotonic() + REST_SECONDS
            logger.warning("Cache unavailable, serving uncached for %s s: %s", REST_SECONDS, e)
            return fallback
        except errors.RedisError as e:  # full, read-only, refused: this call only
            logger.warning("Cache call %s failed, carrying on without it: %s", call.__name__, e)
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
