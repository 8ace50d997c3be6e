"""Graceful failure: when the database is unreachable, readers get a friendly 503 (and the
pages already cached), /healthz says what is down, and the site recovers by itself.

The end-to-end tests run a production-configured gunicorn and really take its database
away: on SQLite the file is replaced by a directory that cannot be opened; on PostgreSQL
the server reaches the database through a small TCP relay that the test switches off.
"""

import json
import socket
import threading
import time
from pathlib import Path

import pytest
from django.db import OperationalError, connection
from django.test import Client

from site_config.settings.base import cache_from_url
from tests import factories, servers

HTTPS = {"X-Forwarded-Proto": "https"}


@pytest.mark.django_db
def test_healthz_reports_database_and_cache(client):
    """A load balancer gets 200 and what is working, as JSON, never from a cache."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok", "status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.fixture
def redis_down(settings):
    """The shared cache is Redis, and nothing answers at its address."""
    settings.CACHES = {
        **settings.CACHES,
        "default": cache_from_url(f"redis://{servers.HOST}:{servers.free_port()}/0"),
    }
    settings.PAGE_CACHE_SECONDS = 600


@pytest.mark.django_db
def test_healthz_answers_503_when_the_cache_is_down(client, redis_down):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "cache": "unavailable", "status": "unavailable"}


@pytest.mark.django_db
def test_pages_are_served_uncached_while_redis_is_down(client, redis_down):
    """A cache outage costs speed, not pages: everything is read from the database."""
    article = factories.article(title="缓存服务器停了也能读")
    for url in ("/", article.get_absolute_url(), "/articles/", "/tags/"):
        response = client.get(url)
        assert response.status_code == 200, url
    assert "缓存服务器停了也能读" in client.get(article.get_absolute_url()).text


@pytest.mark.django_db
def test_an_outage_in_a_view_gives_a_friendly_503(client, monkeypatch):
    """The database failing under a view: the 503 page, a Retry-After, nothing cached."""

    def refuse(*args, **kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr("bulletins.public.views.HomeView.get_context_data", refuse)
    response = client.get("/")
    assert response.status_code == 503
    assert "服务暂时不可用" in response.text
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    monkeypatch.undo()
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_an_outage_outside_a_view_gives_the_friendly_503_too(monkeypatch):
    """An editor's session is read in middleware, before any view: still a 503, not a 500."""

    def refuse(*args, **kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr("django.contrib.sessions.backends.db.SessionStore.load", refuse)
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "an-editors-session"
    response = client.get("/")
    assert response.status_code == 503
    assert "服务暂时不可用" in response.text


@pytest.mark.django_db
def test_other_server_errors_still_answer_500(monkeypatch):
    """Only an unreachable database is an outage; a bug stays a 500 (and is logged)."""

    def broken(*args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr("bulletins.public.views.HomeView.get_context_data", broken)
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 500
    assert "服务器出错了" in response.text


class TcpRelay:
    """Forwards a loopback port to a server; ``stop()`` is an outage, ``start()`` ends it."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = servers.free_port()
        self._sockets: list[socket.socket] = []
        self._running = threading.Event()
        self._silent = False

    def hang(self):
        """A database that hangs: connections are taken and never answered."""
        self.stop()
        self._silent = True
        self.start()

    def resume(self):
        self.stop()
        self._silent = False
        self.start()

    def start(self):
        for _ in range(50):  # the last listener may take its accept() time-out to go
            try:
                self._listener = socket.create_server((servers.HOST, self.port))
                break
            except OSError:
                time.sleep(0.05)
        else:
            raise OSError(f"port {self.port} stays taken")
        self._listener.settimeout(0.1)
        self._running.set()
        threading.Thread(target=self._accept, args=(self._listener,), daemon=True).start()

    def stop(self):
        self._running.clear()
        self._listener.close()
        for sock in self._sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        self._sockets.clear()

    def _accept(self, listener):
        while self._running.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if self._silent:
                self._sockets.append(client)
                continue
            upstream = socket.create_connection(self.target)
            client.settimeout(None)
            self._sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass


SETUP = """
import datetime
from django.utils import timezone
from bulletins.models import Article, Issue, Series, Source
issue = Issue.objects.create(
    series=Series.objects.get(slug="weekly"), number=636,
    publication_date=datetime.date(2025, 8, 8), status=Issue.Status.PUBLISHED,
    published_at=timezone.now() - datetime.timedelta(days=1),
)
for position, title in enumerate(["断库前已缓存的文章", "断库时才第一次有人读的文章"], 1):
    Article.objects.create(
        issue=issue, position=position, title=title, source=Source.objects.get_or_create(
            name="人民网")[0], body="第一段正文，足够长的一段文字。",
    )
"""


def get(base, path, headers=None):
    return servers.request(base + path, {**HTTPS, **(headers or {})})


def live_through_an_outage(base, cached, uncached, take_down, restore):
    """What readers and the load balancer see before, during and after an outage."""
    status, _, body = get(base, "/healthz")
    assert status == 200 and json.loads(body)["status"] == "ok"
    for expected in ("miss", "hit"):
        status, headers, body = get(base, cached)
        assert status == 200 and headers["X-Page-Cache"] == expected

    take_down()
    try:
        status, _, body = get(base, "/healthz")
        assert status == 503
        assert json.loads(body) == {
            "database": "unavailable",
            "cache": "ok",
            "status": "unavailable",
        }
        # A page cached before the outage is still served.
        status, headers, body = get(base, cached)
        assert status == 200 and headers["X-Page-Cache"] == "hit"
        assert "断库前已缓存的文章" in body
        # Any other page: the friendly 503, for readers and for editors with a session.
        for extra in ({}, {"Cookie": "sessionid=an-editors-session"}):
            status, headers, body = get(base, uncached, extra)
            assert status == 503, body[:500]
            assert "服务暂时不可用" in body and "Traceback" not in body
            assert headers["Retry-After"] == "30"
            assert "no-store" in headers["Cache-Control"]
    finally:
        restore()

    # Back by itself, without a restart.
    status, _, body = get(base, uncached)
    assert status == 200 and "断库时才第一次有人读的文章" in body
    status, _, body = get(base, "/healthz")
    assert status == 200 and json.loads(body)["status"] == "ok"


def test_sqlite_outage_and_recovery(tmp_path):
    """SQLite: the database file cannot be opened for a while."""
    env = servers.production_env(tmp_path, CONN_MAX_AGE="0")
    servers.prepare(env)
    servers.manage(env, "shell", "-c", SETUP)
    database = Path(env["DATABASE_URL"].removeprefix("sqlite:///"))
    away = database.with_suffix(".away")

    def take_down():
        database.rename(away)
        database.mkdir()  # where the file was, something SQLite cannot open

    def restore():
        database.rmdir()
        away.rename(database)

    with servers.gunicorn(env, tmp_path / "gunicorn.log") as base:
        live_through_an_outage(base, "/articles/1/", "/articles/2/", take_down, restore)


needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs the suite to run on PostgreSQL (DATABASE_URL=postgres://…)",
)


def through_a_relay(tmp_path, number: int, **settings_env):
    """Two public articles (committed, so that the server sees them), a relay in front of
    PostgreSQL, and the production settings for a server reaching the database through it:
    (relay, env, cached article's URL, uncached article's URL)."""
    factories.ensure_series()
    issue = factories.issue(number=number)
    cached = factories.article(issue_obj=issue, title="断库前已缓存的文章")
    uncached = factories.article(issue_obj=issue, title="断库时才第一次有人读的文章")
    settings = connection.settings_dict
    relay = TcpRelay((settings["HOST"] or "127.0.0.1", int(settings["PORT"] or 5432)))
    relay.start()
    user = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
    env = servers.production_env(
        tmp_path,
        DATABASE_URL=f"postgres://{user}@{servers.HOST}:{relay.port}/{settings['NAME']}",
        **settings_env,
    )
    servers.prepare(env, migrate=False)
    return relay, env, cached.get_absolute_url(), uncached.get_absolute_url()


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_postgresql_outage_and_recovery(tmp_path):
    """PostgreSQL: the connection to the server is cut and refused for a while (the server
    keeps a persistent connection, which must be noticed as broken and reopened)."""
    relay, env, cached, uncached = through_a_relay(tmp_path, 636, CONN_MAX_AGE="60")
    try:
        with servers.gunicorn(env, tmp_path / "gunicorn.log") as base:
            live_through_an_outage(base, cached, uncached, relay.stop, relay.start)
    finally:
        relay.stop()


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_database_that_hangs_gives_the_503_within_seconds(tmp_path):
    """PostgreSQL that takes connections and never answers (a partition, not a reset):
    readers get the friendly 503 and the load balancer its answer within seconds, cached
    pages keep flowing, and the site comes back by itself."""
    relay, env, cached, uncached = through_a_relay(
        tmp_path, 637, CONN_MAX_AGE="0", DB_CONNECT_TIMEOUT="2"
    )
    timings = []

    def hang():
        relay.hang()
        timings.append(time.monotonic())

    def resume():
        timings.append(time.monotonic())
        relay.resume()

    try:
        with servers.gunicorn(env, tmp_path / "gunicorn.log") as base:
            live_through_an_outage(base, cached, uncached, hang, resume)
    finally:
        relay.stop()
    # /healthz, the cached page and two uncached ones: each waited 2 s at most for a
    # connection (without the time-out, the first would hang until gunicorn's 30 s).
    assert timings[1] - timings[0] < 4 * (2 + 1.5)
