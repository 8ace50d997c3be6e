"""Every public page runs at most six queries, and the same number for an archive of 5
issues as for one of 50: nothing on a page grows with the archive.

The first request after a content change also recomputes the derived data it needs
(counts, filter choices, the order of a list) once for every process and server; that
is bounded too, and does not grow with the archive either.
"""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bulletins.caching import version
from bulletins.models import Issue
from tests import factories

MAX_QUERIES = 6
MAX_QUERIES_AFTER_A_CHANGE = 10
NOT_FOUND = "/issues/weekly/1/"


def build_archive(issues: int, articles_per_issue: int = 6):
    """``issues`` weekly issues from 2020 on, each with tagged articles from a few sources."""
    sources = [factories.source(f"来源{i}") for i in range(4)]
    tags = [factories.tag(f"标签{i}") for i in range(5)]
    first = datetime.date(2020, 1, 3)
    for n in range(issues):
        issue = factories.issue(
            number=100 + n, publication_date=first + datetime.timedelta(weeks=n)
        )
        for position in range(1, articles_per_issue + 1):
            factories.article(
                issue_obj=issue,
                position=position,
                source=sources[(n + position) % len(sources)],
                tags=[tags[(n + position) % len(tags)], tags[position % len(tags)]],
            )
    factories.draft_issue(number=99)
    factories.scheduled_issue(number=98)
    return Issue.objects.published().order_by("publication_date").first()


def public_pages(issue):
    article = issue.articles.first()
    tag, source = article.tags.first(), article.source
    return {
        "home": "/",
        "issue archive": "/issues/",
        "issue archive, last page": "/issues/?page=999",
        "series archive": "/issues/weekly/",
        "series archive, one year": "/issues/weekly/?year=2020",
        "issue": issue.get_absolute_url(),
        "issue, print": issue.get_absolute_url() + "print/",
        "issue, Word": issue.get_absolute_url() + "bulletin.docx",
        "article": article.get_absolute_url(),
        "articles": "/articles/",
        "articles, last page": "/articles/?page=999",
        "articles, filtered": f"/articles/?series=weekly&tag={tag.slug}&source={source.slug}"
        "&year=2020&date_after=2020-01-01&q=测试",
        "tags": "/tags/",
        "tag": tag.get_absolute_url(),
        "tag, last page": tag.get_absolute_url() + "?page=999",
        "sources": "/sources/",
        "source": source.get_absolute_url(),
        "source, last page": source.get_absolute_url() + "?page=999",
        "not found": NOT_FOUND,
        "search": "/search/?q=%E6%B5%8B%E8%AF%95%E6%96%87%E7%AB%A0",  # 测试文章: every article
        "search, narrowed": f"/search/?q=%E6%AD%A3%E6%96%87&series=weekly&tag={tag.slug}"
        "&sort=date&page=2",
        "search feed": "/search/feed/?q=%E6%B5%8B%E8%AF%95%E6%96%87%E7%AB%A0",
        "feeds page": "/feeds/",
        "OPML": "/feeds/subscriptions.opml",
        "issues feed": "/feeds/issues/",
        "issues feed, Atom": "/feeds/issues/atom/",
        "articles feed": "/feeds/articles/",
        "articles feed, Atom": "/feeds/articles/atom/",
        "series feed": "/issues/weekly/feed/",
        "tag feed": tag.get_absolute_url() + "feed/",
        "source feed, Atom": source.get_absolute_url() + "feed/atom/",
        "sitemap index": "/sitemap.xml",
        "sitemap of articles": "/sitemap-articles.xml",
        "sitemap of issues": "/sitemap-issues.xml",
        "robots.txt": "/robots.txt",
    }


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == (404 if url == NOT_FOUND else 200), url
    return len(queries)


def query_counts(client, pages):
    """(first request after a change, every later request) for each page."""
    counts = {}
    for name, url in pages.items():
        cache.clear()
        version.bump()  # as after an edit: a new content version, nothing derived kept
        counts[name] = (count_queries(client, url), count_queries(client, url))
    return counts


@pytest.mark.django_db
def test_every_public_page_runs_a_few_queries_whatever_the_archive_size(client):
    small = query_counts(client, public_pages(build_archive(issues=5)))
    Issue.objects.all().delete()
    large = query_counts(client, public_pages(build_archive(issues=50)))

    for name, (after_change, steady) in large.items():
        assert steady <= MAX_QUERIES, f"{name}: {steady} queries"
        assert after_change <= MAX_QUERIES_AFTER_A_CHANGE, f"{name}: {after_change} at first"
    assert large == small
