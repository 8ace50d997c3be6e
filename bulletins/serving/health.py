"""/healthz for load balancers: is the database reachable, is the cache working?"""

import uuid

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


def check_database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # any failure means "not healthy", never a 500
        return False


def check_cache() -> bool:
    """Can the cache store and give back a value? Each probe uses a key of its own, so
    concurrent probes never read each other's value."""
    value = uuid.uuid4().hex
    key = f"healthz:{value}"
    try:
        cache.set(key, value, 10)
        stored = cache.get(key)
        cache.delete(key)
        return stored == value
    except Exception:
        return False


@never_cache
def healthz(request):
    status = {"database": check_database(), "cache": check_cache()}
    healthy = all(status.values())
    body = {name: "ok" if ok else "unavailable" for name, ok in status.items()}
    body["status"] = "ok" if healthy else "unavailable"
    return JsonResponse(body, status=200 if healthy else 503)
