"""Fast, isolated settings for the test suite."""

from .base import *  # noqa: F403

SECRET_KEY = "test-only-key"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = (  # noqa: F405
    "django.contrib.staticfiles.storage.StaticFilesStorage"
)
CACHES["default"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}  # noqa: F405
# Off by default so tests see the database directly; tests/test_page_cache.py turns it on.
PAGE_CACHE_SECONDS = 0
WHITENOISE_AUTOREFRESH = True
# Queries counted per page must not depend on when the suite last checked the database's
# content version; tests/test_cache_faults.py sets an interval where it is the subject.
CONTENT_VERSION_CHECK_SECONDS = None
