"""Article cards and the filter form are built in Python for speed: they must still escape
every value, link every item and show the reader's current choices."""

import datetime

import pytest

from tests import factories


@pytest.fixture
def article():
    source = factories.source('人民网 "<评论>"')
    tag = factories.tag("AI & <医疗>")
    return factories.article(
        issue_obj=factories.issue(publication_date=datetime.date(2025, 8, 8)),
        title="<script>alert(1)</script>标题",
        source=source,
        tags=[tag],
        body="第一段正文，足够长。",
    )


@pytest.mark.django_db
def test_an_article_card_escapes_and_links_everything(client, article):
    html = client.get("/articles/").text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;标题" in html
    assert f'href="{article.get_absolute_url()}"' in html
    assert f'href="{article.source.get_absolute_url()}">人民网 &quot;&lt;评论&gt;&quot;</a>' in html
    tag = article.tags.get()
    assert f'<a href="{tag.get_absolute_url()}">AI &amp; &lt;医疗&gt;</a>' in html
    assert f'href="{article.issue.get_absolute_url()}">周报{article.issue.label}</a>' in html
    assert f'<time datetime="{article.original_date.isoformat()}">' in html
    assert "第一段正文，足够长。" in html


@pytest.mark.django_db
def test_the_filter_form_offers_public_choices_escaped_and_marks_the_chosen_ones(client, article):
    hidden_source = factories.source("只在草稿里的来源")
    factories.article(issue_obj=factories.draft_issue(), source=hidden_source)
    tag = article.tags.get()
    query = f"?source={article.source.slug}&tag={tag.slug}&series=weekly"
    html = client.get("/articles/" + query).text
    assert f'<option value="{article.source.slug}" selected>人民网 &quot;&lt;评论&gt;&quot;' in html
    assert "只在草稿里的来源" not in html
    assert f'value="{tag.slug}" id="id_tag_0" checked> AI &amp; &lt;医疗&gt;</label>' in html
    assert '<option value="weekly" selected>' in html
    assert '<option value="">全部来源</option>' in html


@pytest.mark.django_db
def test_active_filters_are_named_by_label_not_slug(client, article):
    tag = article.tags.get()
    html = client.get(f"/articles/?source={article.source.slug}&tag={tag.slug}&year=2025").text
    assert "来源：人民网 &quot;&lt;评论&gt;&quot;" in html
    assert "标签：AI &amp; &lt;医疗&gt;" in html
    assert "年份：2025年" in html


@pytest.mark.django_db
def test_unknown_choices_show_no_articles_instead_of_failing(client, article):
    for query in ("?source=nowhere", "?tag=nothing", "?series=daily", "?year=1800"):
        response = client.get("/articles/" + query)
        assert response.status_code == 200, query
        assert "没有符合条件的文章" in response.text
        assert "&lt;script&gt;" not in response.text


@pytest.mark.django_db
def test_article_fields_escape_and_link_everything(client, article):
    article.original_title = "原题<b>加粗</b>"
    article.original_url = "https://example.cn/a?x=1&y=2"
    article.save()
    for url in (article.get_absolute_url(), article.issue.get_absolute_url()):
        html = client.get(url).text
        assert "<dt>来源标题</dt><dd>原题&lt;b&gt;加粗&lt;/b&gt;</dd>" in html
        assert 'href="https://example.cn/a?x=1&amp;y=2" rel="noopener nofollow">' in html
        assert (
            f'<a href="{article.source.get_absolute_url()}">人民网 &quot;&lt;评论&gt;&quot;</a>'
            in html
        )
        assert "<dt>标签</dt>" in html and "AI &amp; &lt;医疗&gt;" in html
    article.original_url = ""
    article.save()
    assert '<dt>链接</dt><dd><span class="muted">无</span>' in client.get(url).text
