"""Whatever Redis does — full, read-only, stalled — a cache error is a miss or a dropped
write: readers get their pages, reviewers their saves, and /healthz tells the truth.

Each test runs a Redis of its own (tests/redis_server.py) and really breaks it.
"""

import threading
import time

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories, servers
from tests.admin_forms import post_form

pytestmark = pytest.mark.django_db

HTTPS = {"X-Forwarded-Proto": "https"}

PAGES = [
    "/",
    "/issues/",
    "/articles/",
    "/articles/?tag=yibao",
    "/search/?q=医保",
    "/feeds/articles/",
]


@pytest.fixture
def public_issue():
    issue = factories.issue(number=701)
    factories.article(
        issue_obj=issue, title="缓存故障中的医保文章", tags=[factories.tag("医保", slug="yibao")]
    )
    return issue


def read_everything(client, issue):
    urls = PAGES + [issue.get_absolute_url(), issue.articles.get().get_absolute_url()]
    return {url: client.get(url).status_code for url in urls}


def unpublish(issue):
    reviewer = Client()
    reviewer.force_login(factories.reviewer())
    url = reverse("admin:bulletins_issue_change", args=[issue.pk])
    response = post_form(reviewer, url, "issue_form", {"status": "draft"})
    assert response.status_code == 302, response.status_code


@pytest.mark.parametrize("fault", ["fill", "make_read_only"])
def test_a_full_or_read_only_redis_costs_readers_nothing(client, redis_cache, public_issue, fault):
    getattr(redis_cache, fault)()
    assert set(read_everything(client, public_issue).values()) == {200}
    unpublish(public_issue)  # the version write is refused: the save still goes through
    assert client.get(public_issue.get_absolute_url()).status_code == 404


def test_pages_answer_while_redis_is_stalled(client, redis_cache, public_issue):
    with redis_cache.stalled():
        assert set(read_everything(client, public_issue).values()) == {200}


def test_healthz_is_honest_under_concurrent_probes(redis_cache):
    answers = []

    def probe():
        prober = Client()
        answers.extend(prober.get("/healthz").status_code for _ in range(25))

    threads = [threading.Thread(target=probe) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [200] * 200


def test_healthz_says_when_redis_refuses_writes(client, redis_cache):
    redis_cache.make_read_only()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["cache"] == "unavailable"


SETUP = """
from tests import factories
issue = factories.issue(number=702)
factories.article(issue_obj=issue, title="撤回前的文章")
print(issue.get_absolute_url())
"""

UNPUBLISH = """
from bulletins.models import Issue
issue = Issue.objects.get(number=702)
issue.status = Issue.Status.DRAFT
issue.save()
"""


def test_an_unpublication_is_seen_within_seconds_though_redis_lost_its_write(own_redis, tmp_path):
    """A reviewer takes an issue back while Redis is stalled: the new content version
    never reaches Redis, which then carries on with the old one. The database recorded
    it, and the server checks that record every CONTENT_VERSION_CHECK_SECONDS: within
    seconds the issue is gone for readers, cached page or not."""
    env = servers.production_env(
        tmp_path,
        CACHE_URL=own_redis.url,
        PAGE_CACHE_SECONDS="600",
        CONTENT_VERSION_CHECK_SECONDS="1",
    )
    servers.prepare(env)
    url = servers.manage(env, "shell", "-c", SETUP).stdout.split()[-1]
    with servers.gunicorn(env, tmp_path / "gunicorn.log") as base:
        for _ in range(2):  # the second from the page cache
            status, headers, _body = servers.request(base + url, HTTPS)
            assert status == 200
        assert headers["X-Page-Cache"] == "hit"
        with own_redis.stalled():
            servers.manage(env, "shell", "-c", UNPUBLISH)  # its cache writes time out
        deadline = time.monotonic() + 6
        while servers.request(base + url, HTTPS)[0] == 200:
            assert time.monotonic() < deadline, "the withdrawn issue is still public"
            time.sleep(0.2)
        assert servers.request(base + "/", HTTPS)[2].count("撤回前的文章") == 0
