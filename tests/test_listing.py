"""Long lists page by stored order, not by OFFSET, and never show a stale or hidden article."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bulletins.caching import memo
from bulletins.models import Article, Issue
from bulletins.public import lists
from bulletins.public.views import ARTICLES_PER_PAGE
from tests import factories


def titles(response):
    return re.findall(r'<h2 class="card__title"><a href="[^"]+">([^<]+)</a>', response.text)


@pytest.fixture
def archive():
    """45 public articles over 9 weekly issues (newest has the highest number)."""
    for n in range(9):
        issue = factories.issue(
            number=300 + n, publication_date=datetime.date(2024, 1, 5) + datetime.timedelta(weeks=n)
        )
        for position in range(1, 6):
            factories.article(issue_obj=issue, position=position, title=f"第{n}期第{position}篇")
    return Article.objects.published().newest_first()


@pytest.mark.django_db
@pytest.mark.parametrize("block_pages", [1, 2, 250])
def test_every_page_matches_django_paginator(archive, monkeypatch, block_pages):
    monkeypatch.setattr(lists, "BLOCK_PAGES", block_pages)
    expected = Paginator(archive, 7)
    paginator = lists.VersionedPaginator(archive, 7, key="test")
    assert paginator.count == expected.count == 45
    assert paginator.num_pages == expected.num_pages
    for number in expected.page_range:
        # A fresh paginator each time, as each request has: it reads the stored blocks.
        fresh = lists.VersionedPaginator(archive, 7, key="test")
        assert list(fresh.page(number)) == list(expected.page(number))


@pytest.mark.django_db
def test_a_lost_block_is_recomputed(archive, monkeypatch):
    monkeypatch.setattr(lists, "BLOCK_PAGES", 2)
    assert lists.VersionedPaginator(archive, 7, key="test").count == 45
    cache.delete(memo.key("test:1"))
    assert list(lists.VersionedPaginator(archive, 7, key="test").page(3)) == list(archive[14:21])


@pytest.mark.django_db
def test_a_deep_page_loads_its_rows_by_key_without_offset(client, archive):
    client.get("/articles/")  # the list's order is stored once per content version
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/articles/?page=3")
    assert response.status_code == 200
    assert titles(response) == [a.title for a in archive[2 * ARTICLES_PER_PAGE :]]
    assert not any("OFFSET" in q["sql"].upper() for q in queries.captured_queries)
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)


@pytest.mark.django_db
def test_a_new_article_is_on_page_one_at_once_and_pushes_the_rest_down(client, archive):
    last_of_page_one = titles(client.get("/articles/"))[-1]
    newest = factories.issue(number=400, publication_date=datetime.date(2025, 1, 3))
    factories.article(issue_obj=newest, position=1, title="刚刚发布的文章")
    page_one = titles(client.get("/articles/"))
    assert page_one[0] == "刚刚发布的文章"
    assert last_of_page_one not in page_one
    assert titles(client.get("/articles/?page=2"))[0] == last_of_page_one
    assert "共 46 篇文章" in client.get("/articles/").text


@pytest.mark.django_db
def test_unpublishing_an_issue_takes_its_articles_off_every_list_at_once(client, archive):
    issue = Issue.objects.get(number=308)
    tag = factories.tag("医保")
    for article in issue.articles.all():
        article.tags.add(tag)
    assert "第8期第1篇" in client.get("/articles/").text
    assert "第8期第1篇" in client.get(tag.get_absolute_url()).text
    issue.status = Issue.Status.DRAFT
    issue.save()
    assert "第8期第1篇" not in client.get("/articles/").text
    assert "共 40 篇文章" in client.get("/articles/").text
    assert client.get(tag.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_a_scheduled_issue_joins_the_lists_when_its_time_comes(client, archive, monkeypatch):
    scheduled = factories.scheduled_issue(number=500, publication_date=datetime.date(2025, 6, 6))
    factories.article(issue_obj=scheduled, position=1, title="定时公开的文章")
    assert "定时公开的文章" not in client.get("/articles/").text
    later = timezone.now() + datetime.timedelta(days=3)
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)
    assert titles(client.get("/articles/"))[0] == "定时公开的文章"


@pytest.mark.django_db
def test_filtered_lists_are_stored_apart(client, archive):
    tag = factories.tag("人工智能")
    Article.objects.get(title="第2期第3篇").tags.add(tag)
    assert titles(client.get(f"/articles/?tag={tag.slug}")) == ["第2期第3篇"]
    assert len(titles(client.get("/articles/"))) == ARTICLES_PER_PAGE
    assert titles(client.get(f"/articles/?tag={tag.slug}&page=2")) == ["第2期第3篇"]


@pytest.mark.django_db
def test_home_shows_the_newest_public_issue_of_each_series_at_once(client):
    factories.issue(number=600, publication_date=datetime.date(2025, 8, 1))
    factories.issue(series_slug="monthly", number=540, publication_date=datetime.date(2025, 7, 31))
    factories.scheduled_issue(number=602, publication_date=datetime.date(2025, 8, 15))
    html = client.get("/").text
    assert "第六〇〇期" in html and "第五四〇期" in html and "第六〇二期" not in html
    factories.issue(number=601, publication_date=datetime.date(2025, 8, 8))
    html = client.get("/").text
    assert 'id="latest-weekly"><a href="/issues/weekly/601/">' in html
    assert 'id="latest-monthly"><a href="/issues/monthly/540/">' in html
