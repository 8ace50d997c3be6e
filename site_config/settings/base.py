"""Settings shared by every environment, configured from the environment.

Secure by default: DEBUG is off unless a per-environment module turns it on.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parents[2]


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "django_filters",
    "axes",
    "reversion",
    "bulletins",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "bulletins.serving.middleware.RejectNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Outside the page cache, so cached pages answer conditional GETs with 304 too.
    "django.middleware.http.ConditionalGetMiddleware",
    # Pins the content version for the request; 304 from it without running the view.
    "bulletins.caching.pages.ContentVersionMiddleware",
    "bulletins.caching.pages.PublicPageCacheMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "bulletins.serving.middleware.SiteCSPMiddleware",
    "bulletins.serving.middleware.DatabaseOutageMiddleware",
    # Last, so that it sees failed logins after authentication ran.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lock a username + address pair out of the admin for an hour after 5 failed logins.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Behind reverse proxies the client is told by X-Forwarded-For: TRUSTED_PROXY_COUNT is how
# many proxies append to it (nginx in front: 1; a load balancer and nginx: 2). 0: none.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "bulletins.serving.proxies.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "admin/lockout.html"

SESSION_COOKIE_AGE = 60 * 60 * 8  # a working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# No inline scripts or styles on public pages, nothing from other origins.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

ROOT_URLCONF = "site_config.urls"
WSGI_APPLICATION = "site_config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "bulletins.public.context_processors.site",
            ],
        },
    },
]

# SQLite file by default so the site runs with no database server.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# Read replicas (when reads dominate): public pages read from them, writes go to default.
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URLS"), start=1):
    DATABASES[f"replica{_number}"] = dj_database_url.parse(
        _url, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")), conn_health_checks=True
    )
    DATABASES[f"replica{_number}"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["site_config.db_routers.ReplicaRouter"] if len(DATABASES) > 1 else []
for _database in DATABASES.values():
    if _database["ENGINE"] == "django.db.backends.postgresql":
        _options = _database.setdefault("OPTIONS", {})
        # Server-side prepared statements can switch to slow generic plans.
        _options["prepare_threshold"] = None
        # Bounded waits, so that a database that hangs (a partition: no reset, no answer)
        # gives readers the 503 page within seconds instead of holding every worker:
        # connecting gives up after DB_CONNECT_TIMEOUT seconds; a connection whose data
        # goes unacknowledged for DB_TCP_USER_TIMEOUT ms, or whose keepalive probes go
        # unanswered, is dropped; DB_STATEMENT_TIMEOUT ms (0: none, the default, as
        # rebuilding the search index runs long statements) bounds each statement.
        _options.update(
            connect_timeout=int(os.environ.get("DB_CONNECT_TIMEOUT", "3")),
            tcp_user_timeout=int(os.environ.get("DB_TCP_USER_TIMEOUT", "10000")),
            keepalives=1,
            keepalives_idle=int(os.environ.get("DB_KEEPALIVES_IDLE", "10")),
            keepalives_interval=3,
            keepalives_count=3,
            options=f"-c statement_timeout={int(os.environ.get('DB_STATEMENT_TIMEOUT', '0'))}",
        )


def cache_from_url(url: str) -> dict:
    """CACHE_URL: redis://host:port/db, file:///path, locmem:// or dummy://."""
    scheme = url.split("://", 1)[0]
    if scheme in ("redis", "rediss"):
        # Serves uncached while Redis is down; a stalled Redis cannot hold a page for long.
        return {
            "BACKEND": "bulletins.caching.redis.FailSoftRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    # Pages, derived data and list orders need more room than the default 300 entries.
    room = {"OPTIONS": {"MAX_ENTRIES": int(os.environ.get("CACHE_MAX_ENTRIES", "5000"))}}
    if scheme == "file":
        return {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": url.removeprefix("file://"),
            **room,
        }
    if scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", **room}
    raise ValueError(f"CACHE_URL scheme not supported: {url!r}")


# Local memory suits one process. Several processes (gunicorn workers) or several app
# servers must share one cache: production defaults to a file cache; set
# CACHE_URL=redis://… for more than one machine.
CACHES = {"default": cache_from_url(os.environ.get("CACHE_URL", "locmem://"))}
# Rendered page fragments, keyed by the content version (so never stale) and kept in
# each process: reading them back costs no round trip to a shared cache.
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "fragments",
    "OPTIONS": {"MAX_ENTRIES": 1000},
}
# Anonymous public pages and feeds are cached whole for this long (0 turns it off).
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "600"))
# Part of every cache key, so that a deploy never reads values of an older shape: set it
# to the release (a commit id, a tag); left empty, it is a digest of the installed code.
RELEASE_ID = os.environ.get("RELEASE_ID", "")
# How often (seconds) each process compares the cache's content version with the one the
# database records: the longest a change can go unseen if the cache lost its write.
CONTENT_VERSION_CHECK_SECONDS = float(os.environ.get("CONTENT_VERSION_CHECK_SECONDS", "2"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
# One language for now; UI strings go through gettext so an English catalogue can follow.
LANGUAGES = [("zh-hans", _("简体中文"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Importing bulletin documents in the admin: the largest file accepted (Word files with
# photos run to several MB), how many files in one upload, and how long an upload waits
# for the editor to confirm it.
BULLETIN_IMPORT_MAX_BYTES = int(os.environ.get("BULLETIN_IMPORT_MAX_BYTES", str(10 * 1024 * 1024)))
BULLETIN_IMPORT_MAX_FILES = 20
BULLETIN_IMPORT_KEEP_HOURS = 24

# Shown in the page footer; the records (备案) are set per deployment, e.g.
# SITE_ICP_RECORD="京ICP备12345678号-1", SITE_PSB_RECORD="京公网安备11010502000001号".
SITE_NAME = os.environ.get("SITE_NAME", "卫生信息化舆情监测简报库")
SITE_ICP_RECORD = os.environ.get("SITE_ICP_RECORD", "")
SITE_PSB_RECORD = os.environ.get("SITE_PSB_RECORD", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
