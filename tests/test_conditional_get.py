"""Readers and feed readers that already hold a page get 304 Not Modified, without the
page being built, until its content changes or the day turns; staff never get the public
answer."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

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
