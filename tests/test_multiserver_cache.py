"""Two app servers on one Redis and one database: an edit made through one is seen at once
through the other, although both had the page in their shared cache.

The servers are real processes (gunicorn, one worker each) on a temporary SQLite file, so
that nothing here shares memory with the test or with each other.
"""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Its own Redis database, so that parallel test runs (TEST_REDIS_DB) do not share one.
REDIS_DB = int(os.environ.get("TEST_REDIS_DB", "14"))
REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"
PASSWORD = "two-servers-pass-1234"
# Behind a load balancer every app server sees the site's public host name.
PUBLIC_HOST = "bulletins.example.cn"

SETUP = """
import datetime
from django.contrib.auth import get_user_model
from django.utils import timezone
from bulletins.models import Article, Issue, Series, Source
get_user_model().objects.create_superuser("editor", "editor@example.cn", "{password}")
issue = Issue.objects.create(
    series=Series.objects.get(slug="weekly"), number=636,
    publication_date=datetime.date(2025, 8, 8), status=Issue.Status.PUBLISHED,
    published_at=timezone.now() - datetime.timedelta(days=1),
)
article = Article.objects.create(
    issue=issue, position=1, title="两台服务器之前的标题",
    source=Source.objects.create(name="人民网"), original_date=datetime.date(2025, 8, 6),
    body="第一段正文，足够长的一段文字。",
)
print("ARTICLE", article.pk, issue.get_absolute_url())
"""


def redis_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


pytestmark = pytest.mark.skipif(
    not redis_available(), reason="needs a Redis server at 127.0.0.1:6379"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def flush_redis():
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


@pytest.fixture
def server_env(tmp_path):
    """Settings for every process: one SQLite file, one Redis database, page cache on."""
    flush_redis()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "site_config.settings.dev",
        "DEBUG": "0",
        "SECRET_KEY": "two-servers-test-key-" + "x" * 32,
        "ALLOWED_HOSTS": f"127.0.0.1,{PUBLIC_HOST}",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shared.sqlite3'}",
        "CACHE_URL": REDIS_URL,
        "PAGE_CACHE_SECONDS": "600",
        "LOG_LEVEL": "WARNING",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run(
        manage + ["migrate", "--noinput"],
        env=env,
        cwd=ROOT,
        check=True,
        timeout=120,
        capture_output=True,
    )
    result = subprocess.run(
        manage + ["shell", "-c", SETUP.format(password=PASSWORD)],
        env=env,
        cwd=ROOT,
        check=True,
        timeout=60,
        capture_output=True,
        text=True,
    )
    _, article_pk, issue_url = re.search(r"^ARTICLE .*$", result.stdout, re.M).group().split()
    yield env, int(article_pk), issue_url
    flush_redis()


@pytest.fixture
def servers(server_env, tmp_path):
    """Servers A and B, each a gunicorn process with one worker; always stopped."""
    env, article_pk, issue_url = server_env
    processes, bases = [], []
    try:
        for name in ("a", "b"):
            port = free_port()
            log = open(tmp_path / f"server-{name}.log", "wb")  # noqa: SIM115
            processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "site_config.wsgi:application",
                        "--workers",
                        "1",
                        "--bind",
                        f"127.0.0.1:{port}",
                        "--chdir",
                        str(ROOT),
                    ],
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
            bases.append(f"http://127.0.0.1:{port}")
        for process, base in zip(processes, bases, strict=True):
            wait_until_serving(process, base)
        yield bases, article_pk, issue_url
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


def wait_until_serving(process, base, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "a server process exited at start-up"
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2):
                return
        except (OSError, urllib.error.HTTPError):
            time.sleep(0.2)
    raise AssertionError(f"{base} did not answer within {timeout} s")


def anonymous_get(url):
    """A reader with no cookies, through the load balancer: (status, body, page cache header)."""
    request = urllib.request.Request(url, headers={"Host": PUBLIC_HOST})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read().decode(), response.headers.get("X-Page-Cache")


class Editor:
    """A browser session in the admin of one server."""

    def __init__(self, base):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def csrf_token(self):
        return next(c.value for c in self.cookies if c.name == "csrftoken")

    def post(self, path, fields):
        data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": self.csrf_token()}, True)
        request = urllib.request.Request(self.base + path, data=data.encode(), method="POST")
        with self.opener.open(request, timeout=10) as response:
            return response.geturl(), response.read().decode()

    def log_in(self):
        self.opener.open(self.base + "/admin/login/", timeout=10).read()
        url, _ = self.post(
            "/admin/login/?next=/admin/",
            {"username": "editor", "password": PASSWORD, "next": "/admin/"},
        )
        assert urllib.parse.urlsplit(url).path == "/admin/", "the editor could not log in"

    def change_article_title(self, pk, title):
        path = f"/admin/bulletins/article/{pk}/change/"
        form = self.opener.open(self.base + path, timeout=10).read().decode()
        fields = {
            "title": title,
            "issue": value_of(form, "issue"),
            "position": value_of(form, "position"),
            "source": value_of(form, "source"),
            "original_date": value_of(form, "original_date"),
            "body": re.search(r'<textarea name="body"[^>]*>\s*(.*?)</textarea>', form, re.S)[1],
            "_save": "保存",
        }
        url, _ = self.post(path, fields)
        assert urllib.parse.urlsplit(url).path == "/admin/bulletins/article/", "not saved"


def value_of(form, name):
    """The value a form field shows: an input's value, or a select's selected option."""
    tag = re.search(rf'<(?:input|select)[^>]*name="{name}"[^>]*>(?:.*?</select>)?', form, re.S)
    chosen = re.search(r'value="([^"]*)"[^>]*selected', tag.group())
    return (chosen or re.search(r'value="([^"]*)"', tag.group()))[1]


def test_an_edit_through_server_a_is_seen_through_server_b_at_once(servers):
    (server_a, server_b), article_pk, issue_url = servers
    article_url = f"/articles/{article_pk}/"
    for path in (article_url, issue_url):
        status, body, state = anonymous_get(server_a + path)
        assert status == 200 and "两台服务器之前的标题" in body and state == "miss"
        # B serves what A put in the shared cache: one cache for both servers.
        status, body, state = anonymous_get(server_b + path)
        assert status == 200 and "两台服务器之前的标题" in body and state == "hit"

    editor = Editor(server_a)
    editor.log_in()
    editor.change_article_title(article_pk, "编辑之后的新标题")

    for path in (article_url, issue_url, "/"):
        status, body, _ = anonymous_get(server_b + path)
        assert status == 200
        assert "编辑之后的新标题" in body and "两台服务器之前的标题" not in body, path
