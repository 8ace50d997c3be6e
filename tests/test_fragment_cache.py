"""List pages keep their article cards and filter form per content version: a change to
anything a card or the form shows is on the next page a reader gets, page cache or not."""

import re

import pytest
from django.core.cache import caches

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
