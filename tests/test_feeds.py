"""Feeds as a feed reader (feedparser) reads them: every way of following the archive, in
RSS 2.0 and Atom 1.0, with full text, newest first; only public content; cheap to poll.

Also the pages that point to them: autodiscovery links and 订阅 links, the /feeds/ page
and the OPML file.
"""

import datetime
import email.utils
import html
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import feedparser
import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.http import parse_http_date

from bulletins.models import PUBLISHER, Issue
from bulletins.syndication import feeds
from tests import factories

FORMATS = ["rss", "atom"]
KINDS = ["issues", "series", "articles", "tag", "source"]


def feed_url(kind, fmt, archive=None, **kwargs):
    """The feed's address; tag and source feeds default to the archive's 医保 and 人民网."""
    if not kwargs:
        if kind == "tag":
            kwargs = {"slug": archive.tag.slug}
        elif kind == "source":
            kwargs = {"slug": archive.source.slug}
        elif kind == "series":
            kwargs = {"series": "weekly"}
    name = {"issues": "issues-feed", "articles": "articles-feed"}.get(kind, f"{kind}-feed")
    suffix = "-atom" if fmt == "atom" else ""
    return reverse(f"bulletins:{name}{suffix}", kwargs=kwargs)


def all_feed_urls(archive):
    return [feed_url(kind, fmt, archive) for kind in KINDS for fmt in FORMATS] + [
        feed_url("series", fmt, series="monthly") for fmt in FORMATS
    ]


def expected_items(kind, archive):
    """What each feed holds, newest first, stated by hand from public_archive()."""
    w637, m540, w636 = archive.issues
    a4, a5, a3, a1, a2 = archive.articles
    return {
        "issues": [w637, m540, w636],
        "series": [w637, w636],
        "articles": [a4, a5, a3, a1, a2],
        "tag": [a4, a1, a2],
        "source": [a5, a3, a1],
    }[kind]


def absolute(path):
    return f"http://testserver{path}"


def parse(client, url, *, as_sent=True):
    """The feed as feedparser reads it: as sent (unsanitised, so that the test sees
    exactly what the feed carries), or as_sent=False as a reader shows it (sanitised)."""
    response = client.get(url)
    assert response.status_code == 200, url
    parsed = feedparser.parse(response.content, sanitize_html=not as_sent)
    assert not parsed.bozo, (url, parsed.get("bozo_exception"))
    return parsed


def plain_title(entry):
    """The title as a reader shows it: RSS titles are HTML, Atom titles text."""
    if entry.title_detail.type == "text/html":
        return html.unescape(entry.title)
    return entry.title


def content_of(entry):
    (content,) = entry.content
    assert content.type == "text/html"
    return content.value


def text_of(fragment):
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def published(entry, fmt):
    """The entry's publication time as written (with its zone), as an aware datetime."""
    if fmt == "rss":
        return email.utils.parsedate_to_datetime(entry.published)
    return datetime.datetime.fromisoformat(entry.published)


# --- What each feed holds ---------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", KINDS)
def test_every_feed_reads_cleanly_with_its_items_newest_first(client, archive, kind, fmt):
    """Each feed parses without error and holds the right items in the right order, each
    with its permalink as link and as a stable id."""
    parsed = parse(client, feed_url(kind, fmt, archive))
    assert parsed.version == {"rss": "rss20", "atom": "atom10"}[fmt]
    items = expected_items(kind, archive)
    links = [absolute(item.get_absolute_url()) for item in items]
    assert [entry.link for entry in parsed.entries] == links
    assert [entry.id for entry in parsed.entries] == links
    assert [plain_title(entry) for entry in parsed.entries] == [item.title for item in items]


@pytest.mark.parametrize("fmt", FORMATS)
def test_feed_titles_say_what_they_hold(client, archive, fmt):
    """Titles and descriptions are Chinese, name the site and say what the feed holds; the
    feed links to the page showing the same content."""
    site = settings.SITE_NAME
    expected = {
        "issues": (
            f"全部简报 — {site}",
            "周报和月报的每一期：导语、信息目录和每篇文章的全文。",
            "/issues/",
        ),
        "series": (
            f"全国卫生信息化舆情监测周报 — {site}",
            "《全国卫生信息化舆情监测周报》的每一期：导语、信息目录和每篇文章的全文。",
            "/issues/weekly/",
        ),
        "articles": (
            f"全部文章 — {site}",
            "各期简报转载的每一篇文章：全文、来源和原文链接。",
            "/articles/",
        ),
        "tag": (
            f"标签「医保」的文章 — {site}",
            "标注为「医保」的每一篇文章：全文、来源和原文链接。",
            archive.tag.get_absolute_url(),
        ),
        "source": (
            f"来源「人民网」的文章 — {site}",
            "转载自人民网的每一篇文章：全文和原文链接。",
            archive.source.get_absolute_url(),
        ),
    }
    for kind, (title, description, page) in expected.items():
        feed = parse(client, feed_url(kind, fmt, archive)).feed
        assert feed.title == title
        assert feed.subtitle == description
        assert feed.link == absolute(page)
        assert feed.language == "zh-CN"


@pytest.mark.parametrize("fmt", FORMATS)
def test_items_are_dated_in_the_site_time_zone(client, archive, fmt):
    """Items carry their issue's publication time, written with the +08:00 offset."""
    for kind in KINDS:
        parsed = parse(client, feed_url(kind, fmt, archive))
        for entry, item in zip(parsed.entries, expected_items(kind, archive), strict=True):
            issue = item if isinstance(item, Issue) else item.issue
            assert published(entry, fmt) == issue.published_at
            assert published(entry, fmt).utcoffset() == datetime.timedelta(hours=8)
            if fmt == "atom":
                assert entry.updated  # Atom asks for it on every entry


def test_an_issue_put_online_after_its_date_is_dated_by_its_date(client, db):
    """An old issue imported today keeps its own date, not the day it went online."""
    factories.issue(number=500, publication_date=datetime.date(2020, 3, 6))
    (entry,) = parse(client, feed_url("issues", "atom")).entries
    assert entry.published == "2020-03-06T00:00:00+08:00"


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_issue_item_holds_the_whole_bulletin(client, archive, fmt):
    """An issue item: the 导语, the table of contents and every article in full, with its
    source and original link; the centre as author; its articles' tags as categories."""
    w637 = archive.issues[0]
    entry = parse(client, feed_url("issues", fmt)).entries[0]
    content = content_of(entry)
    assert w637.intro in text_of(content)
    assert "一、信息目录" in content and "二、具体内容" in content
    for article in w637.articles.all():
        assert content.count(article.title) == 2  # in the contents and as a heading
        assert f'href="{absolute(article.get_absolute_url())}"' in content
        assert article.source.name in content
    assert content.count("第一段正文，足够长的一段文字。") == 2  # both bodies in full
    assert content.count('href="https://example.cn/news/1.html"') == 2
    assert entry.author == PUBLISHER
    assert [tag.term for tag in entry.tags] == ["医保"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_article_item_holds_the_article_in_full(client, archive, fmt):
    """An article item: its body, its original link, the issue it appeared in; its source
    as author and its tags as categories."""
    a3 = archive.articles[2]
    entry = parse(client, feed_url("articles", fmt)).entries[2]
    content = content_of(entry)
    assert "第一段正文，足够长的一段文字。" in content and "第二段正文。" in content
    assert '<a href="https://example.cn/news/540-1.html" rel="noopener nofollow">' in content
    assert f'href="{absolute(a3.location_in_issue)}"' in content
    assert entry.summary == a3.summary
    assert entry.author == "人民网"
    assert [tag.term for tag in entry.tags] == ["人工智能"]
    if fmt == "atom":
        related = [link.href for link in entry.links if link.rel == "related"]
        assert related == ["https://example.cn/news/540-1.html"]


@pytest.mark.parametrize("kind", ["issues", "articles"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_markup_in_titles_and_bodies_arrives_as_text(client, db, kind, fmt):
    """A title or body containing <script> or & reaches the reader as those characters,
    never as markup: no script element anywhere in the content, and a reader that strips
    markup (as feedparser does by default) still shows the whole title."""
    title = '<script>alert("title")</script> 医保 & 医疗'
    factories.article(title=title, body="正文里有 <script>alert(1)</script> 和 & 符号，仅作测试。")
    url = feed_url(kind, fmt)
    content = content_of(parse(client, url).entries[0])
    assert "<script" not in content.lower()
    assert "正文里有 <script>alert(1)</script> 和 & 符号" in text_of(content)
    shown = parse(client, url, as_sent=False).entries[0]
    assert "正文里有 <script>alert(1)</script> 和 & 符号" in text_of(content_of(shown))
    if kind == "articles":
        assert plain_title(shown) == title
    else:  # the article's title is in the issue's contents and headings
        assert text_of(content).count(title) == 2


@pytest.mark.parametrize("fmt", FORMATS)
def test_issue_feeds_carry_the_twelve_newest_issues(client, db, fmt):
    """An issue holds some four articles: twelve issues are about as much text as the
    fifty articles of an article feed."""
    first = datetime.date(2024, 1, 5)
    for n in range(13):
        factories.issue(number=100 + n, publication_date=first + datetime.timedelta(weeks=n))
    for kind in ("issues", "series"):
        entries = parse(client, feed_url(kind, fmt)).entries
        assert len(entries) == 12 == feeds.FEED_ISSUES
        assert entries[0].link.endswith("/issues/weekly/112/")
        assert entries[-1].link.endswith("/issues/weekly/101/")


@pytest.mark.parametrize("fmt", FORMATS)
def test_article_feeds_carry_the_fifty_newest_articles(client, db, fmt):
    first = datetime.date(2024, 1, 5)
    for n in range(13):
        issue = factories.issue(
            number=100 + n, publication_date=first + datetime.timedelta(weeks=n)
        )
        for position in range(1, 5):
            factories.article(issue_obj=issue, position=position, title=f"第{n}期第{position}篇")
    entries = parse(client, feed_url("articles", fmt)).entries
    assert len(entries) == 50 == feeds.FEED_ITEMS
    assert entries[0].title == "第12期第1篇"  # newest issue first, in its order
    assert entries[-1].title == "第0期第2篇"  # 52 articles: the oldest issue's last two left out


# --- 404 and routes ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_series_tag_and_source_have_no_feed(client, archive, unpublished, fmt):
    """Unknown series, tags and sources are 404, and so are a tag and a source used only
    by unpublished articles (their names would give those articles away)."""
    for url in [
        feed_url("series", fmt, series="daily"),
        feed_url("tag", fmt, slug="不存在"),
        feed_url("source", fmt, slug="nowhere"),
        feed_url("tag", fmt, slug="未公开标签"),
        feed_url("source", fmt, slug="未公开来源"),
    ]:
        assert client.get(url).status_code == 404, url


def test_feed_routes_sit_beside_the_pages_of_unicode_and_odd_slugs(client, db):
    """/tags/医保/feed/ is 医保's feed, and a tag whose slug is "feed" keeps its page."""
    odd = factories.tag("feed")
    factories.article(tags=[odd, factories.tag("医保")])
    assert feed_url("tag", "rss", slug="医保") == "/tags/%E5%8C%BB%E4%BF%9D/feed/"
    assert parse(client, "/tags/%E5%8C%BB%E4%BF%9D/feed/").feed.title.startswith("标签「医保」")
    assert "标签：feed" in client.get("/tags/feed/").text
    assert parse(client, "/tags/feed/feed/atom/").feed.title.startswith("标签「feed」")


# --- Nothing unpublished ----------------------------------------------------------------


def test_unpublished_issues_and_articles_are_in_no_feed(client, archive, unpublished):
    """A draft, an in-review and a scheduled issue and their articles appear in no feed,
    even where they share the feed's tag or source."""
    for url in all_feed_urls(archive):
        text = client.get(url).content.decode()
        for title in factories.UNPUBLISHED_TITLES:
            assert title not in text, (url, title)
        assert "第九〇〇期" not in text and "第九〇二期" not in text, url


def test_a_scheduled_issue_joins_the_feeds_when_its_time_comes(client, archive, monkeypatch):
    """Scheduled means "not yet": once its time has come it is in the feeds by itself."""
    scheduled = factories.scheduled_issue(number=902, publication_date=datetime.date(2025, 9, 1))
    factories.article(issue_obj=scheduled, title="定时发布的文章", tags=[archive.tag])
    assert "定时发布的文章" not in client.get(feed_url("tag", "rss", archive)).content.decode()
    later = timezone.now() + datetime.timedelta(days=3)
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)
    entries = parse(client, feed_url("tag", "rss", archive)).entries
    assert plain_title(entries[0]) == "定时发布的文章"


# --- Cheap to poll ----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_feeds_answer_conditional_requests(client, archive, monkeypatch, fmt):
    """Feeds carry ETag and Last-Modified; a reader repeating either gets 304 with no body;
    a content change changes both."""
    url = feed_url("tag", fmt, archive)
    first = client.get(url)
    assert first["ETag"] and first["Last-Modified"]
    for validator in [
        {"if-none-match": first["ETag"]},
        {"if-modified-since": first["Last-Modified"]},
    ]:
        response = client.get(url, headers=validator)
        assert response.status_code == 304, validator
        assert response.content == b""
    later = timezone.now() + datetime.timedelta(seconds=5)
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)
    archive.articles[0].tags.remove(archive.tag)
    changed = client.get(url, headers={"if-modified-since": first["Last-Modified"]})
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]
    assert parse_http_date(changed["Last-Modified"]) > parse_http_date(first["Last-Modified"])
    assert len(feedparser.parse(changed.content).entries) == 2
    again = client.get(url, headers={"if-modified-since": changed["Last-Modified"]})
    assert again.status_code == 304


def test_feeds_are_served_from_the_page_cache_until_content_changes(
    client, archive, settings, django_assert_num_queries
):
    """With the page cache on, a repeated feed costs no query; a change is seen at once."""
    settings.PAGE_CACHE_SECONDS = 600
    url = feed_url("articles", "atom")
    assert client.get(url)["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        assert client.get(url)["X-Page-Cache"] == "hit"
    archive.articles[0].delete()
    assert len(parse(client, url).entries) == 4


# A feed's queries: the tag or source it is about (series come from derived data) and the
# ids of its items; the items kept for the content version come from the fragment cache.
FEED_QUERIES = {"issues": 1, "series": 1, "articles": 1, "tag": 2, "source": 2}
# When no item is kept yet: the items with their issue, series and source, and their tags
# (plus, for issue feeds, the issues' articles).
FIRST_FEED_QUERIES = {"issues": 4, "series": 4, "articles": 3, "tag": 4, "source": 4}


def feed_query_counts(client, archive):
    counts = {}
    for kind in KINDS:
        url = feed_url(kind, "rss", archive)
        client.get(url)  # derived data (the series list) is computed once per version
        counts[kind] = []
        for kept in (False, True):
            if not kept:
                caches["fragments"].clear()
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts[kind].append(len(queries))
    return counts


def test_feeds_run_a_few_queries_whatever_their_length(client, archive):
    """A feed runs a fixed, small number of queries, for five items as for fifty."""
    expected = {kind: [FIRST_FEED_QUERIES[kind], FEED_QUERIES[kind]] for kind in KINDS}
    small = feed_query_counts(client, archive)
    source = archive.source
    for n in range(12):
        issue = factories.issue(number=700 + n, publication_date=datetime.date(2024, 1, 1 + n))
        for position in range(1, 5):
            factories.article(issue_obj=issue, position=position, source=source, tags=[archive.tag])
    large = feed_query_counts(client, archive)
    assert len(parse(client, feed_url("tag", "rss", archive)).entries) == 50
    assert small == large == expected


# --- Pages that point to the feeds -------------------------------------------------------


class LinkCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.alternates, self.anchors, self.copyable = [], [], []
        self._anchor = self._copy = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("rel") == "alternate":
            self.alternates.append((attrs["type"], attrs["href"]))
        elif tag == "a":
            self._anchor = [attrs.get("href"), ""]
        if "data-copy" in attrs:
            self._copy = ""

    def handle_data(self, data):
        if self._anchor is not None:
            self._anchor[1] += data
        if self._copy is not None:
            self._copy += data

    def handle_endtag(self, tag):
        if tag == "a" and self._anchor is not None:
            self.anchors.append(tuple(self._anchor))
            self._anchor = None
        elif self._copy is not None:
            self.copyable.append(self._copy.strip())
            self._copy = None


def collect(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    collector = LinkCollector()
    collector.feed(response.text)
    return collector


def advertised(rss, atom):
    return [("application/rss+xml", rss), ("application/atom+xml", atom)]


def test_pages_with_a_feed_advertise_it_and_offer_to_subscribe(client, archive):
    """Home, the issue archive, a series, the article list, a tag and a source name their
    feeds for autodiscovery and show a visible 订阅 link to them."""
    issues = advertised(feed_url("issues", "rss"), feed_url("issues", "atom"))
    articles = advertised(feed_url("articles", "rss"), feed_url("articles", "atom"))
    pages = {
        "/": issues + articles,
        "/issues/": issues,
        "/issues/weekly/": advertised(feed_url("series", "rss"), feed_url("series", "atom")),
        "/articles/": articles,
        archive.tag.get_absolute_url(): advertised(
            feed_url("tag", "rss", archive), feed_url("tag", "atom", archive)
        ),
        archive.source.get_absolute_url(): advertised(
            feed_url("source", "rss", archive), feed_url("source", "atom", archive)
        ),
    }
    for url, expected in pages.items():
        page = collect(client, url)
        assert page.alternates == expected, url
        subscribe = [
            href
            for href, text in page.anchors
            if text.startswith("订阅") and href != reverse("bulletins:feed-list")
        ]
        assert subscribe == [href for kind, href in expected if kind.endswith("rss+xml")], url
        for _type, href in expected:
            assert client.get(href).status_code == 200


def test_pages_without_a_feed_advertise_none(client, archive):
    """Issue, article and index pages have no feed of their own, and name none."""
    for url in [
        archive.issues[0].get_absolute_url(),
        archive.articles[0].get_absolute_url(),
        reverse("bulletins:tag-list"),
        reverse("bulletins:source-list"),
    ]:
        assert collect(client, url).alternates == [], url


def test_the_feeds_page_lists_every_feed_to_copy(client, archive, unpublished):
    """/feeds/ lists all issues, all articles, each series and each tag and source with
    public articles, each in RSS and Atom as a full address to copy, and the OPML file;
    nothing that only unpublished articles use."""
    page = collect(client, reverse("bulletins:feed-list"))
    expected = [
        absolute(feed_url(kind, fmt, **kwargs))
        for kind, kwargs in [
            ("issues", {}),
            ("articles", {}),
            ("series", {"series": "weekly"}),
            ("series", {"series": "monthly"}),
            ("tag", {"slug": archive.tag.slug}),
            ("tag", {"slug": archive.other_tag.slug}),
            ("source", {"slug": archive.source.slug}),
            ("source", {"slug": archive.other_source.slug}),
        ]
        for fmt in FORMATS
    ]
    assert sorted(page.copyable) == sorted(expected)
    assert reverse("bulletins:feed-opml") in [href for href, text in page.anchors]
    text = client.get(reverse("bulletins:feed-list")).text
    assert "未公开标签" not in text and "未公开来源" not in text


def test_the_opml_file_lists_every_series_tag_and_source_feed(client, archive, unpublished):
    """The OPML file parses as XML and lists exactly the RSS feeds of each series and of
    each tag and source with public articles, with their pages and titles."""
    response = client.get(reverse("bulletins:feed-opml"))
    assert response["Content-Type"].startswith("text/x-opml")
    root = ET.fromstring(response.content)
    assert root.tag == "opml" and root.get("version") == "2.0"
    outlines = [o for o in root.iter("outline") if o.get("type") == "rss"]
    expected = {
        feed_url("series", "rss", series="weekly"): "/issues/weekly/",
        feed_url("series", "rss", series="monthly"): "/issues/monthly/",
        feed_url("tag", "rss", slug=archive.tag.slug): archive.tag.get_absolute_url(),
        feed_url("tag", "rss", slug=archive.other_tag.slug): archive.other_tag.get_absolute_url(),
        feed_url("source", "rss", slug=archive.source.slug): archive.source.get_absolute_url(),
        feed_url(
            "source", "rss", slug=archive.other_source.slug
        ): archive.other_source.get_absolute_url(),
    }
    assert {o.get("xmlUrl"): o.get("htmlUrl") for o in outlines} == {
        absolute(rss): absolute(page) for rss, page in expected.items()
    }
    titles = {o.get("text") for o in outlines}
    assert {"标签「医保」的文章", "来源「人民网」的文章", "全国卫生信息化舆情监测周报"} <= titles
    for outline in outlines:
        assert client.get(outline.get("xmlUrl")).status_code == 200
