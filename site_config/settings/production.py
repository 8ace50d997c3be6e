"""Production: every secret comes from the environment, or the process refuses to start."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import cache_from_url, env_bool, env_list

# Words that mark a key someone typed or copied rather than generated.
PLACEHOLDER_KEY_WORDS = ("insecure", "secret", "changeme", "change-me", "dev-only", "test-only")


def secret_key_problem(key: str) -> str | None:
    """Why ``key`` is not fit to sign sessions in production, or None if it is.

    The bar is Django's own deploy check (50+ characters, 5+ distinct ones), so that a key
    the site accepts never makes ``check --deploy`` warn, plus no placeholder words.
    """
    if not key:
        return "SECRET_KEY is not set."
    if len(key) < 50 or len(set(key)) < 5:
        return "SECRET_KEY must be a random string of 50+ characters."
    if any(word in key.lower() for word in PLACEHOLDER_KEY_WORDS):
        return "SECRET_KEY looks like a placeholder; generate a random one."
    return None


DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if problem := secret_key_problem(SECRET_KEY):
    raise ImproperlyConfigured(
        f"{problem} Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the site's host names (not '*').")

if "CACHE_URL" not in os.environ:
    CACHES["default"] = cache_from_url(f"file://{BASE_DIR / 'var' / 'cache'}")  # noqa: F405

# Behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER_ENABLED=1.
if env_bool("SECURE_PROXY_SSL_HEADER_ENABLED"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# Load balancers probe the app servers directly, over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
