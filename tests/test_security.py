"""Production mode is safe by default: the deploy check is clean, the app refuses to start
without a real key and host list, and a running instance sends the security headers."""

import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests import markup, servers

ROOT = Path(__file__).resolve().parents[1]
GOOD_KEY = secrets.token_urlsafe(50)

SETUP = """
import datetime
from django.contrib.auth import get_user_model
from django.utils import timezone
from bulletins.models import Article, Issue, Series, Source
get_user_model().objects.create_superuser("editor", "editor@example.cn", "Prod-test-pass-2025")
issue = Issue.objects.create(
    series=Series.objects.get(slug="weekly"), number=636,
    publication_date=datetime.date(2025, 8, 8), status=Issue.Status.PUBLISHED,
    published_at=timezone.now() - datetime.timedelta(days=1),
)
Article.objects.create(
    issue=issue, position=1, title="生产环境中的文章", source=Source.objects.create(name="人民网"),
    original_url="https://example.cn/a.html", body="第一段正文，足够长的一段文字。",
)
"""


def run_production(*args, **env):
    """manage.py in production mode with exactly the given SECRET_KEY / ALLOWED_HOSTS."""
    environment = servers.production_env(Path("/nonexistent"))
    for name in ("SECRET_KEY", "ALLOWED_HOSTS", "SECURE_PROXY_SSL_HEADER_ENABLED"):
        environment.pop(name)
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("behind_proxy", ["0", "1"])
def test_production_settings_pass_the_deploy_check_with_no_warnings(behind_proxy):
    """`check --deploy` finds nothing, served directly or behind a TLS-terminating proxy."""
    result = run_production(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="bulletins.example.org",
        SECURE_PROXY_SSL_HEADER_ENABLED=behind_proxy,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize(
    "env, complaint",
    [
        ({"ALLOWED_HOSTS": "bulletins.example.org"}, "SECRET_KEY is not set"),
        ({"SECRET_KEY": "short", "ALLOWED_HOSTS": "bulletins.example.org"}, "50+"),
        ({"SECRET_KEY": GOOD_KEY[:40], "ALLOWED_HOSTS": "bulletins.example.org"}, "50+"),
        ({"SECRET_KEY": "ab" * 40, "ALLOWED_HOSTS": "bulletins.example.org"}, "50+"),
        (
            {"SECRET_KEY": "django-insecure-" + GOOD_KEY, "ALLOWED_HOSTS": "bulletins.example.org"},
            "placeholder",
        ),
        (
            {"SECRET_KEY": "changeme-" + GOOD_KEY, "ALLOWED_HOSTS": "bulletins.example.org"},
            "placeholder",
        ),
        ({"SECRET_KEY": GOOD_KEY}, "ALLOWED_HOSTS"),
        ({"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS"),
    ],
)
def test_production_refuses_to_start_without_a_real_key_and_hosts(env, complaint):
    """No key, a short, repetitive or placeholder key, no hosts or '*': the app won't start."""
    result = run_production("check", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert complaint in result.stderr


@pytest.fixture(scope="module")
def production_site(tmp_path_factory):
    """A production instance (gunicorn, production settings, collected static files) with
    one published article and an editor's account, behind a TLS-terminating proxy."""
    workdir = tmp_path_factory.mktemp("production")
    env = servers.production_env(workdir)
    servers.prepare(env)
    servers.manage(env, "shell", "-c", SETUP)
    with servers.gunicorn(env, workdir / "gunicorn.log") as base:
        yield base


HTTPS = {"X-Forwarded-Proto": "https"}


def test_plain_http_is_redirected_to_https(production_site):
    """A reader who arrives over plain HTTP is sent to the HTTPS address."""
    status, headers, _ = servers.request(production_site + "/articles/")
    assert status == 301
    host = production_site.removeprefix("http://")
    assert headers["Location"] == f"https://{host}/articles/"


def test_healthz_answers_load_balancers_over_plain_http(production_site):
    """The probe is not redirected: a load balancer talks plain HTTP to the app server."""
    status, _, body = servers.request(production_site + "/healthz")
    assert status == 200
    assert '"status": "ok"' in body


@pytest.mark.parametrize("path", ["/", "/issues/weekly/636/", "/articles/", "/no-such-page/"])
def test_public_pages_send_the_security_headers(production_site, path):
    """HSTS, a strict CSP (no inline scripts or styles, no framing), nosniff, a referrer
    policy; and the page itself has no inline script or style."""
    status, headers, body = servers.request(production_site + path, HTTPS)
    assert status == (404 if "no-such" in path else 200)
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    policy = dict(
        (part.split()[0], part.split()[1:])
        for part in headers["Content-Security-Policy"].split(";")
        if part.strip()
    )
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert markup.inspect(path, "text/html", body.encode()).problems == []


def test_a_forged_host_header_is_refused(production_site):
    """Only the configured host names are served (no host-header poisoning)."""
    status, _, _ = servers.request(production_site + "/", {**HTTPS, "Host": "evil.example"})
    assert status == 400


def test_cookies_are_secure_and_the_session_ends_with_the_browser(production_site):
    """The CSRF and session cookies are Secure and HttpOnly; the session cookie has no
    expiry date, so it is gone when the browser closes (and the server ends it after 8 h)."""
    login = production_site + "/admin/login/"
    status, headers, body = servers.request(login, HTTPS)
    assert status == 200
    csrf_cookie = headers["Set-Cookie"]
    assert "Secure" in csrf_cookie and "HttpOnly" in csrf_cookie
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)[1]
    cookie = csrf_cookie.split(";", 1)[0]
    form = f"csrfmiddlewaretoken={token}&username=editor&password=Prod-test-pass-2025&next=/admin/"
    host = production_site.removeprefix("http://")
    referer = {"Cookie": cookie, "Referer": f"https://{host}/admin/login/"}
    status, headers, _ = servers.request(login, {**HTTPS, **referer}, form)
    assert status == 302, "the editor could not log in"
    session = next(c for c in headers.get_all("Set-Cookie") if c.startswith("sessionid="))
    assert "Secure" in session and "HttpOnly" in session and "SameSite=Lax" in session
    assert "expires" not in session.lower() and "max-age" not in session.lower()
