"""Readers and feed readers that already hold a page get 304 Not Modified, without the
page being built, until its content changes or the day turns, whether they ask with the
ETag (If-None-Match) or the Last-Modified date (If-Modified-Since); staff never get the
public answer."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.http import http_date, parse_http_date

from tests import factories


@pytest.fixture
def article():
    return factories.article(title="条件请求的文章")


def revalidate(client, url, etag):
    return client.get(url, headers={"if-none-match": etag})


@pytest.mark.django_db
def test_an_unchanged_page_answers_304_without_a_query(client, article):
    url = article.get_absolute_url()
    etag = client.get(url)["ETag"]
    with CaptureQueriesContext(connection) as queries:
        response = revalidate(client, url, etag)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert len(queries) == 0


@pytest.mark.django_db
def test_after_an_edit_the_old_etag_gets_the_new_page(client, article):
    url = article.issue.get_absolute_url()
    etag = client.get(url)["ETag"]
    article.title = "改过的标题"
    article.save()
    response = revalidate(client, url, etag)
    assert response.status_code == 200
    assert "改过的标题" in response.text
    assert response["ETag"] != etag


@pytest.mark.django_db
def test_the_next_day_the_page_is_sent_again(client, article, monkeypatch):
    # The citations name the day of access, so yesterday's copy is not today's page.
    url = article.get_absolute_url()
    etag = client.get(url)["ETag"]
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    monkeypatch.setattr("django.utils.timezone.now", lambda: tomorrow)
    assert revalidate(client, url, etag).status_code == 200


@pytest.mark.django_db
def test_feeds_and_lists_stay_unchanged_across_midnight(client, article, monkeypatch):
    # Only issue and article pages show a date of access; a feed reader polling an
    # unchanged feed keeps getting 304 the next day.
    feed, articles = "/feeds/articles/", "/articles/"
    feed_response, list_response = client.get(feed), client.get(articles)
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    monkeypatch.setattr("django.utils.timezone.now", lambda: tomorrow)
    assert revalidate(client, feed, feed_response["ETag"]).status_code == 304
    assert revalidate(client, articles, list_response["ETag"]).status_code == 304
    since = client.get(feed, headers={"if-modified-since": feed_response["Last-Modified"]})
    assert since.status_code == 304


@pytest.mark.django_db
def test_each_host_has_its_own_etag(client, article, settings):
    # Pages and feeds carry absolute URLs, so the same path on another host differs.
    settings.ALLOWED_HOSTS = ["testserver", "www.example.cn"]
    url = article.get_absolute_url()
    etag = client.get(url)["ETag"]
    other = client.get(url, headers={"if-none-match": etag}, HTTP_HOST="www.example.cn")
    assert other.status_code == 200
    assert "http://www.example.cn/" in other.text


@pytest.mark.django_db
def test_each_page_has_its_own_etag(client, article):
    first = client.get(article.get_absolute_url())["ETag"]
    second = client.get(article.issue.get_absolute_url())["ETag"]
    assert first != second
    assert revalidate(client, article.issue.get_absolute_url(), first).status_code == 200


@pytest.mark.django_db
def test_staff_never_get_the_public_answer(client, admin_client, article):
    url = article.get_absolute_url()
    public_etag = client.get(url)["ETag"]
    assert revalidate(admin_client, url, public_etag).status_code == 200


def later(monkeypatch, seconds):
    """Move the clock on, so that a change falls in a later second than the last one."""
    moved = timezone.now() + datetime.timedelta(seconds=seconds)
    monkeypatch.setattr("django.utils.timezone.now", lambda: moved)


@pytest.mark.django_db
def test_pages_say_when_they_last_changed(client, article):
    response = client.get(article.get_absolute_url())
    modified = parse_http_date(response["Last-Modified"])
    assert modified <= parse_http_date(http_date())
    assert response["ETag"]


@pytest.mark.django_db
def test_if_modified_since_answers_304_without_a_query(client, article):
    url = article.issue.get_absolute_url()
    modified = client.get(url)["Last-Modified"]
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers={"if-modified-since": modified})
    assert response.status_code == 304
    assert response.content == b""
    assert response["Last-Modified"] == modified
    assert len(queries) == 0


@pytest.mark.django_db
def test_an_older_if_modified_since_gets_the_page(client, article):
    url = article.issue.get_absolute_url()
    modified = parse_http_date(client.get(url)["Last-Modified"])
    response = client.get(url, headers={"if-modified-since": http_date(modified - 1)})
    assert response.status_code == 200


@pytest.mark.django_db
def test_after_an_edit_last_modified_moves_on(client, article, monkeypatch):
    url = article.issue.get_absolute_url()
    first = client.get(url)
    later(monkeypatch, 5)
    article.title = "改过的标题"
    article.save()
    response = client.get(url, headers={"if-modified-since": first["Last-Modified"]})
    assert response.status_code == 200
    assert "改过的标题" in response.text
    assert parse_http_date(response["Last-Modified"]) > parse_http_date(first["Last-Modified"])
    assert response["ETag"] != first["ETag"]


@pytest.mark.django_db
def test_if_none_match_wins_over_if_modified_since(client, article, monkeypatch):
    # RFC 9110: a stale ETag means the page changed, whatever the date says.
    url = article.get_absolute_url()
    first = client.get(url)
    later(monkeypatch, 5)
    article.save()
    an_hour_on = http_date(parse_http_date(first["Last-Modified"]) + 3600)
    assert client.get(url, headers={"if-modified-since": an_hour_on}).status_code == 304
    response = client.get(
        url, headers={"if-none-match": first["ETag"], "if-modified-since": an_hour_on}
    )
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["article_list", "issue"])
def test_a_change_within_the_same_second_never_answers_304(client, article, monkeypatch, page):
    """Last-Modified counts whole seconds; a reader served just before an unpublication in
    the same second revalidates by date alone and must get the new answer, not 304."""
    url = "/articles/" if page == "article_list" else article.issue.get_absolute_url()
    later(monkeypatch, 0)  # the clock stands still: everything below happens in one second
    first = client.get(url)
    issue = article.issue
    issue.status = issue.Status.DRAFT
    issue.save()
    response = client.get(url, headers={"if-modified-since": first["Last-Modified"]})
    assert response.status_code != 304
    assert "条件请求的文章" not in response.text
