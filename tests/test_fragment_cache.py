"""What is kept per content version in each process — list pages' article cards and filter
form, an article page's article and fragments, the header and footer, feed items — never
outlives a change: the change is on the next page or feed a reader gets, page cache or not."""

import datetime
import re

import feedparser
import pytest
from django.core.cache import caches
from django.utils import timezone

from bulletins import preview
from bulletins.models import Issue
from tests import factories


@pytest.fixture(autouse=True)
def page_cache_off(settings):
    # Only the fragments are kept: what is asserted here is theirs alone.
    settings.PAGE_CACHE_SECONDS = 0
    caches["fragments"].clear()


def text(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.text


def cards(page: str) -> str:
    """The article cards' visible text (links keep their slugs across a rename)."""
    html = "".join(re.findall(r'<article class="card">.*?</article>', page, re.S))
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.django_db
def test_a_changed_title_source_or_tag_shows_on_every_list_at_once(client):
    source = factories.source("旧来源名")
    tag = factories.tag("旧标签名")
    article = factories.article(title="旧的标题", source=source, tags=[tag])
    lists = ["/articles/", source.get_absolute_url(), tag.get_absolute_url()]
    for url in lists:
        assert "旧的标题" in cards(text(client, url))

    article.title = "新的标题"
    article.save()
    source.name = "新来源名"
    source.save()
    tag.name = "新标签名"
    tag.save()
    for url in lists:
        page = cards(text(client, url))
        assert "新的标题" in page and "旧的标题" not in page, url
        assert "新来源名" in page and "旧来源名" not in page, url
        assert "新标签名" in page and "旧标签名" not in page, url


@pytest.mark.django_db
def test_an_unpublished_issue_leaves_the_lists_and_the_filter_choices_at_once(client):
    kept = factories.article(title="留下的文章", tags=[factories.tag("留下的标签")])
    gone_tag = factories.tag("撤下的标签")
    gone = factories.article(
        title="撤下的文章",
        issue_obj=factories.issue(number=700),
        source=factories.source("撤下的来源"),
        tags=[gone_tag],
    )
    page = text(client, "/articles/")
    assert "撤下的文章" in page and "撤下的标签" in page and "撤下的来源" in page

    issue = gone.issue
    issue.status = Issue.Status.DRAFT
    issue.save()
    page = text(client, "/articles/")
    assert "留下的文章" in page
    for hidden in ("撤下的文章", "撤下的标签", "撤下的来源"):
        assert hidden not in page, hidden
    assert kept.title in text(client, "/articles/?page=2")  # the nearest page: page 1
    assert client.get(gone_tag.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_filter_form_keeps_what_the_reader_chose(client):
    tag = factories.tag("医保")
    factories.article(tags=[tag])
    plain = text(client, "/articles/")
    chosen = text(client, f"/articles/?tag={tag.slug}")
    checked = rf'name="tag" value="{tag.slug}"[^>]* checked'
    assert re.search(checked, chosen) and not re.search(checked, plain)
    # Back to no choice: the form the reader sees is the plain one again.
    assert text(client, "/articles/") == plain


@pytest.mark.django_db
def test_an_article_page_shows_a_change_to_its_body_tags_or_source_at_once(client):
    tag = factories.tag("旧标签名")
    article = factories.article(body="旧的正文内容，足够长。", tags=[tag])
    url = article.get_absolute_url()
    page = text(client, url)
    assert "旧的正文内容" in page and '"keywords": ["旧标签名"]' in page.replace("'", '"')

    article.body = "新的正文内容，足够长。"
    article.save()
    tag.name = "新标签名"
    tag.save()
    page = text(client, url)
    assert "新的正文内容" in page and "旧的正文内容" not in page
    assert "新标签名" in page and "旧标签名" not in page


@pytest.mark.django_db
def test_an_article_page_names_the_host_it_was_asked_for(client, settings):
    settings.ALLOWED_HOSTS = ["a.example.org", "b.example.org"]
    url = factories.article().get_absolute_url()
    for host in ("a.example.org", "b.example.org"):
        page = client.get(url, HTTP_HOST=host).text
        assert f'<link rel="canonical" href="http://{host}{url}">' in page
        assert f'"url": "http://{host}{url}"' in page


@pytest.mark.django_db
def test_an_unpublished_or_deleted_article_page_answers_404_at_once(client):
    article = factories.article(title="将被撤下的文章")
    url = article.get_absolute_url()
    assert "将被撤下的文章" in text(client, url)
    issue = article.issue
    issue.status = Issue.Status.DRAFT
    issue.save()
    assert client.get(url).status_code == 404
    # Kept or not, the editors' preview link still opens it, marked as a preview.
    response = client.get(f"{url}?preview={preview.make_token(issue)}")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    issue.status = Issue.Status.PUBLISHED
    issue.save()
    assert "将被撤下的文章" in text(client, url)
    article.delete()
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_an_article_page_shows_a_renamed_series_or_moved_issue_at_once(client):
    article = factories.article(issue_obj=factories.issue(number=636))
    url = article.get_absolute_url()
    assert "第六三六期" in text(client, url)
    issue = article.issue
    issue.number = 638
    issue.save()
    series = issue.series
    series.name = "改名后的周报"
    series.save()
    page = text(client, url)
    assert "第六三八期" in page and "第六三六期" not in page
    assert "改名后的周报" in page


@pytest.mark.django_db
def test_a_scheduled_article_page_opens_when_its_time_comes(client, monkeypatch):
    issue = factories.scheduled_issue(number=701)
    url = factories.article(issue_obj=issue, title="定时发布的文章").get_absolute_url()
    assert client.get(url).status_code == 404
    later = timezone.now() + datetime.timedelta(days=3)
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)
    assert "定时发布的文章" in text(client, url)


def navigation(page: str) -> str:
    return re.search(r'<nav class="site-nav".*?</nav>', page, re.S).group(0)


@pytest.mark.django_db
def test_the_navigation_shows_a_renamed_series_at_once_and_keeps_the_search_words(client):
    factories.article()
    series = factories.series("weekly")
    assert series.short_name in navigation(text(client, "/articles/"))
    old_link = f">{series.short_name}</a>"
    series.short_name = "新名周报"
    series.save()
    nav = navigation(text(client, "/articles/"))
    assert ">新名周报</a>" in nav and old_link not in nav
    # The search box around it is not kept: it shows what this reader searched for.
    assert 'value="医保"' in text(client, "/search/?q=医保")
    assert 'value=""' in text(client, "/articles/")


def feed_entries(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, url
    return feedparser.parse(response.content).entries


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_feeds_show_an_edit_or_an_unpublished_issue_at_once(client, fmt):
    kept = factories.article(title="留下的文章", body="旧的正文内容。")
    gone = factories.article(title="撤下的文章", issue_obj=factories.issue(number=700))
    suffix = "atom/" if fmt == "atom" else ""
    article_feed, issue_feed = f"/feeds/articles/{suffix}", f"/feeds/issues/{suffix}"
    assert {e.title for e in feed_entries(client, article_feed)} == {"留下的文章", "撤下的文章"}
    assert "旧的正文内容" in feed_entries(client, issue_feed)[-1].content[0].value

    kept.title, kept.body = "改过的标题", "新的正文内容。"
    kept.save()
    issue = gone.issue
    issue.status = Issue.Status.DRAFT
    issue.save()
    assert [e.title for e in feed_entries(client, article_feed)] == ["改过的标题"]
    (entry,) = feed_entries(client, issue_feed)
    assert "新的正文内容" in entry.content[0].value and "撤下的文章" not in entry.content[0].value


@pytest.mark.django_db
def test_feed_items_name_the_host_and_format_they_were_asked_for(client, settings):
    settings.ALLOWED_HOSTS = ["a.example.org", "b.example.org"]
    article = factories.article()
    for host in ("a.example.org", "b.example.org"):
        for fmt in ("rss", "atom"):
            suffix = "atom/" if fmt == "atom" else ""
            response = client.get(f"/feeds/articles/{suffix}", HTTP_HOST=host)
            parsed = feedparser.parse(response.content)
            assert parsed.version == ("rss20" if fmt == "rss" else "atom10")
            (entry,) = parsed.entries
            assert entry.link == f"http://{host}{article.get_absolute_url()}"


@pytest.mark.django_db
def test_an_issue_page_shows_an_edit_at_once_and_answers_404_once_unpublished(client):
    article = factories.article(title="旧的标题", body="旧的正文内容。")
    issue = article.issue
    url = issue.get_absolute_url()
    assert "旧的标题" in text(client, url) and "旧的正文内容" in text(client, url)
    article.title, article.body = "新的标题", "新的正文内容。"
    article.save()
    series = issue.series
    series.name = "改名后的周报"
    series.save()
    page = text(client, url)
    assert "新的标题" in page and "新的正文内容" in page and "改名后的周报" in page
    assert "旧的标题" not in page and "旧的正文内容" not in page
    issue.status = Issue.Status.DRAFT
    issue.save()
    assert client.get(url).status_code == 404


def facets(page: str) -> str:
    return re.search(r'<aside class="facets".*?</aside>', page, re.S).group(0)


@pytest.mark.django_db
def test_search_facets_follow_edits_and_the_readers_choice(client):
    article = factories.article(title="医保改革", source=factories.source("旧来源名"))
    factories.article(title="医保支付", source=factories.source("另一来源"))
    sidebar = facets(text(client, "/search/?q=医保"))
    assert "旧来源名" in sidebar and "is-selected" not in sidebar
    chosen = facets(text(client, f"/search/?q=医保&source={article.source.slug}"))
    assert re.search(r'class="is-selected"><a [^>]*>旧来源名</a>', chosen)
    assert "is-selected" not in facets(text(client, "/search/?q=医保&page=1"))

    source = article.source
    source.name = "新来源名"
    source.save()
    sidebar = facets(text(client, "/search/?q=医保"))
    assert "新来源名" in sidebar and "旧来源名" not in sidebar


@pytest.mark.django_db
def test_the_home_page_shows_a_new_issue_and_an_edit_at_once(client):
    article = factories.article(title="旧的标题", issue_obj=factories.issue(number=636))
    page = text(client, "/")
    assert "旧的标题" in page and "第六三六期" in page
    article.title = "新的标题"
    article.save()
    page = text(client, "/")
    assert "新的标题" in page and "旧的标题" not in page

    draft = factories.draft_issue(number=637)
    factories.article(issue_obj=draft, title="新一期的文章")
    assert "新一期的文章" not in text(client, "/")
    draft.status = Issue.Status.PUBLISHED
    draft.save()
    page = text(client, "/")
    assert "新一期的文章" in page and "第六三七期" in page
