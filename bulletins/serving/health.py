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
    key, value = "healthz", uuid.uuid4().hex
    try:
        cache.set(key, value, 10)
        return cache.get(key) == value
    except Exception:
        return False


@never_cache
def healthz(request):
    status = {"database": check_database(), "cache": check_cache()}
    healthy = all(status.values())
    body = {name: "ok" if ok else "unavailable" for name, ok in status.items()}
    body["status"] = "ok" if healthy else "unavailable"
    return JsonResponse(body, status=200 if healthy else 503)
