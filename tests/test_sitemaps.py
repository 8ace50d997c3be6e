"""Search engines get a complete sitemap of public pages, in sections under one index,
each URL with the date it last changed; robots.txt names it. Nothing unpublished."""

import datetime
import xml.etree.ElementTree as ET

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests import factories

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
SECTIONS = ["series", "issues", "articles", "sources", "tags"]


def absolute(path):
    return f"http://testserver{path}"


def section_url(section):
    return reverse("bulletins:sitemap-section", kwargs={"section": section})


def read(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/xml")
    return ET.fromstring(response.content)


def section(client, name) -> dict:
    """{url: lastmod} of one section."""
    root = read(client, section_url(name))
    assert root.tag == f"{{{NS['sm']}}}urlset"
    return {
        url.findtext("sm:loc", namespaces=NS): url.findtext("sm:lastmod", namespaces=NS)
        for url in root.findall("sm:url", NS)
    }


def expected_sections(archive) -> dict:
    return {
        "series": ["/issues/weekly/", "/issues/monthly/"],
        "issues": [issue.get_absolute_url() for issue in archive.issues],
        "articles": [article.get_absolute_url() for article in archive.articles],
        "sources": [s.get_absolute_url() for s in (archive.source, archive.other_source)],
        "tags": [t.get_absolute_url() for t in (archive.tag, archive.other_tag)],
    }


def test_the_index_lists_every_section_with_its_newest_change(client, archive):
    """/sitemap.xml is a sitemap index naming each section once, each with a lastmod."""
    root = read(client, reverse("bulletins:sitemap"))
    assert root.tag == f"{{{NS['sm']}}}sitemapindex"
    entries = root.findall("sm:sitemap", NS)
    assert [e.findtext("sm:loc", namespaces=NS) for e in entries] == [
        absolute(section_url(name)) for name in SECTIONS
    ]
    for entry in entries:
        lastmod = datetime.datetime.fromisoformat(entry.findtext("sm:lastmod", namespaces=NS))
        assert lastmod.utcoffset() == datetime.timedelta(hours=8)


def test_each_section_lists_exactly_the_public_pages(client, archive, unpublished):
    """Series archives, issues, articles, and the sources and tags with public articles:
    exactly those, each with a lastmod; no draft, in-review or scheduled issue, none of
    their articles, and no tag or source that only they use."""
    for name, paths in expected_sections(archive).items():
        urls = section(client, name)
        assert sorted(urls) == sorted(absolute(path) for path in paths), name
        for lastmod in urls.values():
            datetime.date.fromisoformat(lastmod)


def test_a_series_without_public_issues_is_left_out(client, db):
    """A series archive with nothing public yet is left out of the sitemap."""
    factories.article()  # weekly
    assert list(section(client, "series")) == [absolute("/issues/weekly/")]


def test_lastmod_follows_the_newest_change_on_the_page(client, archive, monkeypatch):
    """Editing an article moves the lastmod of its page, its issue, its source and its tag;
    other pages keep theirs."""
    a1 = archive.articles[3]
    before = {name: section(client, name) for name in ("articles", "issues", "tags")}
    later = timezone.now() + datetime.timedelta(days=3)
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)
    a1.title = "改过的标题"
    a1.save()
    edited = later.astimezone(timezone.get_current_timezone()).date().isoformat()
    articles, issues = section(client, "articles"), section(client, "issues")
    assert articles[absolute(a1.get_absolute_url())] == edited
    assert issues[absolute(a1.issue.get_absolute_url())] == edited
    assert section(client, "sources")[absolute(archive.source.get_absolute_url())] == edited
    assert section(client, "tags")[absolute(archive.tag.get_absolute_url())] == edited
    other = absolute(archive.articles[0].get_absolute_url())
    assert articles[other] == before["articles"][other]
    assert before["articles"][absolute(a1.get_absolute_url())] != edited


def test_unknown_sections_are_404(client, db):
    """Only the five sections exist."""
    assert client.get("/sitemap-drafts.xml").status_code == 404


def test_robots_txt_names_the_sitemap(client, db):
    """/robots.txt points crawlers to the sitemap index and away from the admin."""
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Disallow: /admin/" in lines
    assert client.get("/sitemap.xml").status_code == 200


def sitemap_queries(client):
    counts = {}
    for url in [reverse("bulletins:sitemap")] + [section_url(name) for name in SECTIONS]:
        client.get(url)  # derived data (the series list) is computed once per version
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts[url] = len(queries)
    return counts


def test_sitemaps_run_a_few_queries_whatever_the_archive_size(client, archive):
    """The index costs one query a section (its size and newest change together), a
    section page two (size and items), for a small archive as for a larger one."""
    small = sitemap_queries(client)
    for n in range(10):
        issue = factories.issue(number=800 + n, publication_date=datetime.date(2024, 2, 1 + n))
        factories.article(issue_obj=issue, tags=[factories.tag(f"新标签{n}")])
    assert sitemap_queries(client) == small
    assert small[reverse("bulletins:sitemap")] == len(SECTIONS)
    assert all(small[section_url(name)] == 2 for name in SECTIONS)
