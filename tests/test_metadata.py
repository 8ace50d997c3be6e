"""What a page's <head> tells search engines and link previews: a canonical URL, a
description, OpenGraph and Twitter card tags, and schema.org JSON-LD (NewsArticle for an
article, PublicationIssue for an issue). Previews of unpublished issues tell them nothing.
"""

import json
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from bulletins.models import PUBLISHER
from bulletins.public import views
from tests import factories


class Head(HTMLParser):
    """The metadata of a page: <link rel=canonical>, <meta> and JSON-LD blocks."""

    def __init__(self):
        super().__init__()
        self.canonical, self.meta, self.json_ld, self.alternates = [], {}, [], []
        self._in_json_ld = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("rel") == "canonical":
            self.canonical.append(attrs["href"])
        elif tag == "link" and attrs.get("rel") == "alternate":
            self.alternates.append(attrs["href"])
        elif tag == "meta" and ("property" in attrs or "name" in attrs):
            key = attrs.get("property") or attrs.get("name")
            self.meta.setdefault(key, []).append(attrs.get("content"))
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_json_ld = True
            self.json_ld.append("")

    def handle_data(self, data):
        if self._in_json_ld:
            self.json_ld[-1] += data

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_json_ld = False

    def one(self, key):
        (value,) = self.meta[key]
        return value

    def data(self):
        (block,) = self.json_ld
        return json.loads(block)


def head_of(client, url, follow=False):
    response = client.get(url, follow=follow)
    assert response.status_code == 200, url
    head = Head()
    head.feed(response.text.split("</head>")[0])
    return head


def absolute(path):
    return f"http://testserver{path}"


def public_pages(archive):
    return [
        "/",
        "/issues/",
        "/issues/weekly/",
        archive.issues[0].get_absolute_url(),
        archive.articles[0].get_absolute_url(),
        "/articles/",
        "/sources/",
        archive.source.get_absolute_url(),
        "/tags/",
        archive.tag.get_absolute_url(),
        reverse("bulletins:feed-list"),
    ]


def test_every_public_page_carries_its_metadata(client, archive):
    """Every page: one canonical URL (absolute, its own), a description, OpenGraph and
    Twitter card tags that agree with it, and one JSON-LD block that parses."""
    for url in public_pages(archive):
        head = head_of(client, url)
        assert head.canonical == [absolute(url)], url
        description = head.one("description")
        assert description, url
        assert head.one("og:description") == head.one("twitter:description") == description
        assert head.one("og:url") == absolute(url)
        assert head.one("og:title") == head.one("twitter:title")
        assert head.one("og:site_name") == "卫生信息化舆情监测简报库"
        assert head.one("twitter:card") == "summary"
        assert head.data()["@context"] == "https://schema.org", url


def test_an_article_is_a_news_article_based_on_its_original(client, archive):
    """An article: NewsArticle with its headline, first paragraph, publication time, the
    original as isBasedOn, its source as author, and its issue and series as parts."""
    a3 = archive.articles[2]
    head = head_of(client, a3.get_absolute_url())
    assert head.one("description") == "第一段正文，足够长的一段文字。" == a3.summary
    assert head.one("og:type") == "article"
    assert head.one("og:title") == "北京智慧医院建设"
    assert head.one("article:published_time") == "2025-08-05T15:00:00+08:00"
    assert head.meta["article:tag"] == ["人工智能"]
    data = head.data()
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "北京智慧医院建设"
    assert data["url"] == data["mainEntityOfPage"] == absolute(a3.get_absolute_url())
    assert data["isBasedOn"] == "https://example.cn/news/540-1.html"
    assert data["datePublished"] == "2025-08-05T15:00:00+08:00"
    assert data["author"] == {
        "@type": "Organization",
        "name": "人民网",
        "url": "http://www.people.com.cn/",
    }
    assert data["publisher"]["name"] == PUBLISHER
    assert data["keywords"] == ["人工智能"]
    issue = data["isPartOf"]
    assert issue["@type"] == "PublicationIssue"
    assert issue["issueNumber"] == "540"
    assert issue["url"] == absolute(a3.issue.get_absolute_url())
    assert issue["isPartOf"]["@type"] == "Periodical"
    assert issue["isPartOf"]["name"] == "北京市卫生信息化舆情监测月报"


def test_an_article_without_an_original_link_claims_none(client, db):
    """isBasedOn names the original only when there is one."""
    article = factories.article(original_url="")
    assert "isBasedOn" not in head_of(client, article.get_absolute_url()).data()


def test_an_issue_is_a_publication_issue_of_its_series(client, archive):
    """An issue: PublicationIssue with its number, part of its series as a Periodical,
    described by its 导语 and listing its articles."""
    w637 = archive.issues[0]
    head = head_of(client, w637.get_absolute_url())
    assert head.one("description") == w637.intro
    assert head.one("og:title") == "全国卫生信息化舆情监测周报（第六三七期）"
    data = head.data()
    assert data["@type"] == "PublicationIssue"
    assert data["issueNumber"] == "637"
    assert data["datePublished"] == "2025-08-08"
    assert data["isPartOf"] == {
        "@type": "Periodical",
        "name": "全国卫生信息化舆情监测周报",
        "url": absolute("/issues/weekly/"),
        "publisher": {"@type": "Organization", "name": PUBLISHER},
    }
    assert [part["url"] for part in data["hasPart"]] == [
        absolute(article.get_absolute_url()) for article in w637.articles.all()
    ]


def test_a_long_intro_is_shortened_for_the_description(client, db):
    """An issue's description is its 导语, cut to 150 characters with an ellipsis."""
    issue = factories.issue(intro="导语" * 200)
    description = head_of(client, issue.get_absolute_url()).one("description")
    assert len(description) == 150 and description.endswith("…")


def test_an_article_without_a_first_paragraph_is_described_by_its_title(client, db):
    """An article with no body still has a description: its title."""
    article = factories.article(title="只有标题的文章", body="")
    assert head_of(client, article.get_absolute_url()).one("description") == "只有标题的文章"


def test_markup_in_a_title_cannot_break_out_of_the_json_ld(client, db):
    """A title holding </script> or <!-- stays inside the JSON-LD block as data."""
    title = '</script><script>alert(1)</script><!-- "引号" & 标题'
    article = factories.article(title=title)
    for url in [article.get_absolute_url(), article.issue.get_absolute_url()]:
        html = client.get(url).text
        head = html.split("</head>")[0]
        block = head.split('<script type="application/ld+json">')[1].split("</script>")[0]
        data = json.loads(block)
        headline = data["headline"] if "headline" in data else data["hasPart"][0]["headline"]
        assert headline == title
        assert "<script>alert(1)" not in head


def test_home_is_the_website(client, archive):
    """The home page describes the site itself (WebSite)."""
    data = head_of(client, "/").data()
    assert data["@type"] == "WebSite"
    assert data["url"] == absolute("/")


def test_a_tag_page_describes_the_tag(client, archive):
    """A tag page is a CollectionPage titled and described by its tag."""
    head = head_of(client, archive.tag.get_absolute_url())
    assert head.one("og:title") == "标签：医保"
    assert head.one("description") == "简报中标注为「医保」的文章，含来源和原文链接。"
    assert head.data()["@type"] == "CollectionPage"


def test_the_canonical_url_drops_tracking_and_out_of_range_pages(client, archive, monkeypatch):
    """Tracking parameters, preview tokens and unknown parameters are dropped; parameters
    that choose the content stay; ?page= names the page shown, and page 1 none."""
    monkeypatch.setattr(views.ArticleListView, "paginate_by", 2)
    cases = {
        "/issues/?year=2025&utm_source=wechat&page=1": "/issues/?year=2025",
        "/articles/?page=999&fbclid=abc": "/articles/?page=3",
        "/articles/?tag=医保&series=&from=timeline": "/articles/?tag=%E5%8C%BB%E4%BF%9D",
        f"{archive.articles[0].get_absolute_url()}?utm_medium=social": archive.articles[
            0
        ].get_absolute_url(),
    }
    for url, canonical in cases.items():
        head = head_of(client, url, follow=True)  # unknown parameters: one redirect away
        assert head.canonical == [absolute(canonical)], url
        assert head.one("og:url") == absolute(canonical)


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_user("editor", password="x-very-long-1", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_issue"))
    client.force_login(user)
    return client


def test_previews_tell_crawlers_nothing(staff_client, unpublished):
    """A staff preview of a draft, an in-review or a scheduled issue or article has no
    canonical URL, no OpenGraph or Twitter tags, no JSON-LD and no feed; it says noindex."""
    for issue in unpublished:
        for url in [issue.get_absolute_url(), issue.articles.first().get_absolute_url()]:
            response = staff_client.get(url)
            assert "预览" in response.text
            head = Head()
            head.feed(response.text.split("</head>")[0])
            assert head.canonical == [] and head.json_ld == [] and head.alternates == [], url
            assert not [key for key in head.meta if key.startswith(("og:", "twitter:"))]
            assert head.one("robots") == "noindex, nofollow"


def test_a_missing_page_has_no_canonical_url(client, db):
    """A 404 page points nowhere and asks not to be indexed."""
    response = client.get("/issues/weekly/999/")
    assert response.status_code == 404
    head = Head()
    head.feed(response.text.split("</head>")[0])
    assert head.canonical == [] and head.json_ld == []
    assert head.one("robots") == "noindex"
