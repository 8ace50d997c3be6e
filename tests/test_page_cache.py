"""The whole-page cache never serves a reader something stale or unpublished."""

import datetime

import pytest
from django.db import OperationalError
from django.utils import timezone

from bulletins import preview
from bulletins.caching import version
from bulletins.models import Issue
from tests import factories


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.mark.django_db
def test_second_anonymous_request_is_served_from_the_cache(client, django_assert_num_queries):
    article = factories.article(title="缓存测试文章")
    url = article.get_absolute_url()
    assert get(client, url)["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        response = get(client, url)
    assert response["X-Page-Cache"] == "hit"
    assert "缓存测试文章" in response.text


@pytest.mark.django_db
def test_an_edit_is_seen_at_once(client):
    article = factories.article(title="旧标题")
    url = article.issue.get_absolute_url()
    assert "旧标题" in get(client, url).text
    article.title = "新标题"
    article.save()
    response = get(client, url)
    assert "新标题" in response.text and "旧标题" not in response.text


@pytest.mark.django_db
def test_tag_changes_and_deletes_are_seen_at_once(client):
    article = factories.article()
    tag = factories.tag("医保")
    assert "医保" not in get(client, article.get_absolute_url()).text
    article.tags.add(tag)
    assert "医保" in get(client, article.get_absolute_url()).text
    issue_url = article.issue.get_absolute_url()
    title = article.title
    assert title in get(client, issue_url).text
    article.delete()
    assert title not in get(client, issue_url).text


@pytest.mark.django_db
def test_publish_and_unpublish_change_what_readers_see(client):
    issue = factories.draft_issue(number=700)
    factories.article(issue_obj=issue, title="草稿中的文章")
    assert "草稿中的文章" not in get(client, "/").text
    issue.status = Issue.Status.PUBLISHED
    issue.save()
    assert "草稿中的文章" in get(client, "/").text
    issue.status = Issue.Status.DRAFT
    issue.save()
    assert "草稿中的文章" not in get(client, "/").text
    assert client.get(issue.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_a_scheduled_issue_appears_when_its_time_comes(client, monkeypatch):
    issue = factories.scheduled_issue(number=701)
    factories.article(issue_obj=issue, title="定时发布的文章")
    assert "定时发布的文章" not in get(client, "/").text
    later = timezone.now() + datetime.timedelta(days=3)
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)
    assert "定时发布的文章" in get(client, "/").text


@pytest.mark.django_db
def test_staff_never_read_or_fill_the_public_cache(client, admin_client):
    article = factories.article(title="员工也看")
    url = article.get_absolute_url()
    staff_response = admin_client.get(url)
    assert "X-Page-Cache" not in staff_response
    assert get(client, url)["X-Page-Cache"] == "miss"
    assert "X-Page-Cache" not in admin_client.get(url)


@pytest.mark.django_db
def test_errors_and_admin_are_not_cached(client, admin_client):
    assert "X-Page-Cache" not in client.get("/issues/weekly/9999/")
    assert "X-Page-Cache" not in admin_client.get("/admin/")


@pytest.mark.django_db
def test_cached_pages_are_served_while_the_database_is_down(client, monkeypatch):
    article = factories.article(title="断库时仍可读")
    never_read = factories.article()
    url = article.get_absolute_url()
    get(client, url)

    def refuse(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(version, "_next_scheduled_publication", refuse)
    monkeypatch.setattr("bulletins.public.views.ArticleDetailView.get_queryset", refuse)
    assert "断库时仍可读" in get(client, url).text
    assert client.get(never_read.get_absolute_url()).status_code == 503


@pytest.mark.django_db
def test_conditional_get_on_a_cached_page_answers_304(client):
    article = factories.article()
    url = article.get_absolute_url()
    etag = get(client, url)["ETag"]
    response = client.get(url, headers={"if-none-match": etag})
    assert response.status_code == 304
    assert response.content == b""


@pytest.mark.django_db
def test_a_cached_article_page_is_rebuilt_the_next_day(client, monkeypatch):
    """Its citation names the date of access, which yesterday's copy has wrong."""
    url = factories.article().get_absolute_url()
    today = timezone.localdate()
    assert f"[{today:%Y-%m-%d}]" in get(client, url).text
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    monkeypatch.setattr("django.utils.timezone.now", lambda: tomorrow)
    response = get(client, url)
    assert response["X-Page-Cache"] == "miss"
    assert f"[{timezone.localdate():%Y-%m-%d}]" in response.text


@pytest.mark.django_db
def test_each_host_has_its_own_cached_copy(client, settings):
    """A page cached for one host never hands its absolute URLs to another."""
    settings.ALLOWED_HOSTS = ["testserver", "www.example.cn"]
    url = factories.article().get_absolute_url()
    get(client, url)
    response = client.get(url, HTTP_HOST="www.example.cn")
    assert response["X-Page-Cache"] == "miss"
    assert "http://testserver/" not in response.text


@pytest.fixture
def release(settings):
    """Set settings.RELEASE_ID as a deploy would; the computed id comes back afterwards."""

    def deploy(release_id):
        settings.RELEASE_ID = release_id
        version.release.cache_clear()

    yield deploy
    version.release.cache_clear()


@pytest.mark.django_db
def test_a_deploy_never_serves_what_the_previous_release_cached(client, release):
    url = factories.article(title="发布前缓存的文章").get_absolute_url()
    release("2026.12.1")
    assert get(client, url)["X-Page-Cache"] == "miss"
    assert get(client, url)["X-Page-Cache"] == "hit"
    release("2026.12.2")  # new code: the page is built again, not read in an older shape
    assert get(client, url)["X-Page-Cache"] == "miss"
    assert get(client, url)["X-Page-Cache"] == "hit"


@pytest.mark.django_db
def test_an_unpublication_under_one_release_retires_the_pages_of_another(client, release):
    """Servers of two releases share one cache during a rolling deploy: both see an edit."""
    article = factories.article(title="滚动发布中的文章")
    url = article.get_absolute_url()
    release("old")
    get(client, url)
    release("new")
    issue = article.issue
    issue.status = Issue.Status.DRAFT
    issue.save()  # under the new release
    release("old")
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_parameters_no_page_reads_lead_to_the_clean_url_not_to_cache_entries(client):
    """A tracking parameter per share (?utm_source=…) must not make a cache entry each:
    the reader is sent once to the URL without it, where the page is cached."""
    factories.article(title="分享出去的文章")
    for n in range(20):
        response = client.get(f"/articles/?tag=&utm_source=share{n}&page=1")
        assert response.status_code == 301
        assert response["Location"] == "/articles/?tag=&page=1"
    assert get(client, "/articles/?tag=&page=1")["X-Page-Cache"] == "miss"
    assert get(client, "/articles/?tag=&page=1")["X-Page-Cache"] == "hit"


@pytest.mark.django_db
def test_only_a_real_preview_link_skips_the_page_cache(client):
    """?preview=<anything> used to make every public page skip the cache: now a forged
    token is a parameter like any other, and only a signed link shows a draft, uncached."""
    public = factories.article(title="公开的文章").issue
    draft = factories.draft_issue(number=799)
    factories.article(issue_obj=draft, title="草稿预览中的文章")
    forged = client.get(public.get_absolute_url() + "?preview=forged")
    assert forged.status_code == 301
    assert forged["Location"] == public.get_absolute_url()
    link = preview.preview_url(draft)
    for _ in range(2):
        response = client.get(link)
        assert response.status_code == 200 and "草稿预览中的文章" in response.text
        assert "X-Page-Cache" not in response
