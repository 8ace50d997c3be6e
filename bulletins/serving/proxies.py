"""The client's address behind trusted reverse proxies (for the login lockout).

Each trusted proxy appends the address it received the request from to X-Forwarded-For.
With TRUSTED_PROXY_COUNT = N proxies in front of the app, the client is the N-th address
from the right; anything further left was written by the client and is not trusted. With
N = 0 (no proxy), or a header shorter than N, REMOTE_ADDR is the client.
"""

from django.conf import settings


def client_address(request) -> str | None:
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if count and len(forwarded) >= count:
        return forwarded[-count]
    return request.META.get("REMOTE_ADDR")
