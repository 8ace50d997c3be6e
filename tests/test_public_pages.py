"""Every public URL: its status, the text a reader sees and the links between pages."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils.encoding import iri_to_uri

from bulletins.public import views
from tests import factories

pytestmark = pytest.mark.django_db


def in_order(html: str, *needles: str) -> None:
    """Each needle occurs in ``html`` after the one before it."""
    position = 0
    for needle in needles:
        found = html.find(needle, position)
        assert found >= 0, f"{needle!r} missing after position {position}"
        position = found + len(needle)


def link(obj, text: str) -> str:
    return f'<a href="{obj.get_absolute_url()}">{text}</a>'


@pytest.fixture
def archive():
    """Three weekly issues in 2025, two monthly ones (2024 and 2025), five articles."""
    xinhua = factories.source("新华社", kind="central")
    people = factories.source("人民网", kind="central")
    beijing = factories.source("北京日报", kind="local")
    insurance = factories.tag("医保", description="医疗保障的支付与监管。")
    ai, hospital = factories.tag("人工智能"), factories.tag("智慧医院")

    w635 = factories.issue(number=635, publication_date=datetime.date(2025, 8, 1))
    w636 = factories.issue(
        number=636,
        publication_date=datetime.date(2025, 8, 8),
        period_start=datetime.date(2025, 8, 2),
        period_end=datetime.date(2025, 8, 8),
        intro="本期周报共收集2篇信息，测试用导语。",
    )
    w637 = factories.issue(number=637, publication_date=datetime.date(2025, 8, 15))
    m541 = factories.issue(
        series_slug="monthly", number=541, publication_date=datetime.date(2024, 12, 31)
    )
    m542 = factories.issue(
        series_slug="monthly", number=542, publication_date=datetime.date(2025, 7, 31)
    )
    return SimpleNamespace(
        xinhua=xinhua,
        people=people,
        beijing=beijing,
        insurance=insurance,
        ai=ai,
        hospital=hospital,
        w635=w635,
        w636=w636,
        w637=w637,
        m541=m541,
        m542=m542,
        previous=factories.article(issue_obj=w635, title="上一期的文章", source=xinhua),
        first=factories.article(
            issue_obj=w636,
            title="推动人工智能应用于医保",
            original_title="人工智能赋能医保管理",
            source=xinhua,
            original_url="https://example.cn/news/ai.html",
            original_date=datetime.date(2025, 8, 6),
            body="正文第一段，讲人工智能与医保。\n\n### 小标题\n\n正文第二段。",
            tags=[insurance, ai],
        ),
        second=factories.article(
            issue_obj=w636,
            title="智慧医院建设指引发布",
            source=people,
            original_url="",
            original_date=datetime.date(2025, 8, 7),
            tags=[hospital],
        ),
        latest=factories.article(
            issue_obj=w637, title="最新一期的文章", source=xinhua, tags=[insurance]
        ),
        last_year=factories.article(
            issue_obj=m541, title="去年的月报文章", source=beijing, tags=[insurance]
        ),
        monthly=factories.article(issue_obj=m542, title="月报文章", source=beijing),
    )


@pytest.fixture
def small_pages(monkeypatch):
    """Two items a page, so that a handful of issues or articles spans several pages."""
    monkeypatch.setattr(views.IssueArchiveView, "paginate_by", 2)
    monkeypatch.setattr(views.ArticleListView, "paginate_by", 2)
    monkeypatch.setattr(views.ArticlesOfMixin, "paginate_by", 2)


def get(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.text


# Home


def test_home_shows_the_latest_issue_of_each_series_with_its_contents(client, archive):
    html = get(client, "/")
    in_order(
        html,
        "最新一期",
        '<a href="/issues/weekly/">全国卫生信息化舆情监测周报</a>',
        '<a href="/issues/weekly/637/">周报第六三七期</a>',
        "2025年8月15日",
        f'{link(archive.latest, "最新一期的文章")} <span class="muted">（新华社）</span>',
        '<a href="/issues/monthly/">北京市卫生信息化舆情监测月报</a>',
        '<a href="/issues/monthly/542/">月报第五四二期</a>',
        "2025年7月31日",
        link(archive.monthly, "月报文章"),
    )
    assert "推动人工智能应用于医保" not in html  # an older issue's contents


def test_home_lists_recent_issues_newest_first_and_links_the_archive(client, archive):
    html = get(client, "/")
    recent = html[html.index("近期各期") :]
    in_order(
        recent,
        '<a href="/issues/weekly/637/"><span class="issue-row__series">周报</span> 第六三七期</a>',
        '<a href="/issues/weekly/636/">',
        "2025年8月8日",
        "2 篇",
        '<a href="/issues/weekly/635/">',
        '<a href="/issues/monthly/542/">',
        '<a href="/issues/monthly/541/">',
        '<a href="/issues/">全部往期 →</a>',
    )


def test_every_page_links_the_series_articles_sources_and_tags(client, archive):
    for url in ["/", "/issues/", archive.first.get_absolute_url(), "/tags/"]:
        html = get(client, url)
        for target in ["/issues/weekly/", "/issues/monthly/", "/articles/", "/sources/", "/tags/"]:
            assert f'href="{target}"' in html, (url, target)
        assert '<form class="site-search" action="/search/" method="get"' in html


# Issue archives


def test_the_archive_lists_every_issue_newest_first_grouped_by_year(client, archive):
    html = get(client, "/issues/")
    assert "<h1>往期简报</h1>" in html
    in_order(
        html,
        '<a href="?year=2025">2025</a>',
        '<a href="?year=2024">2024</a>',
        '<h2 id="year-2025">2025年</h2>',
        "/issues/weekly/637/",
        "/issues/weekly/636/",
        "/issues/weekly/635/",
        "/issues/monthly/542/",
        '<h2 id="year-2024">2024年</h2>',
        "/issues/monthly/541/",
    )


def test_the_archive_narrows_to_one_year(client, archive):
    html = get(client, "/issues/?year=2024")
    assert '<a href="?year=2024" aria-current="page">2024</a>' in html
    listed = html.split('class="year-links"', 1)[1]
    assert '<h2 id="year-2024">2024年</h2>' in listed and "/issues/monthly/541/" in listed
    assert "2025年" not in listed
    for number in ("weekly/635", "weekly/636", "weekly/637", "monthly/542"):
        assert f"/issues/{number}/" not in listed


def test_a_series_archive_holds_only_that_series(client, archive):
    html = get(client, "/issues/weekly/")
    assert "<h1>全国卫生信息化舆情监测周报</h1>" in html
    assert "每周汇集全国主流媒体" in html  # the series' description
    in_order(html, "/issues/weekly/637/", "/issues/weekly/636/", "/issues/weekly/635/")
    assert "/issues/monthly/54" not in html
    html = get(client, "/issues/monthly/?year=2025")
    assert "/issues/monthly/542/" in html and "/issues/monthly/541/" not in html


def test_archive_pages_keep_the_year_in_their_links(client, archive, small_pages):
    first = get(client, "/issues/?year=2025")
    assert "/issues/weekly/637/" in first and "/issues/weekly/635/" not in first
    assert '<a rel="next" href="?year=2025&amp;page=2">下一页</a>' in first
    assert "第 1 页，共 2 页" in first
    second = get(client, "/issues/?year=2025&page=2")
    assert "/issues/weekly/635/" in second and "/issues/monthly/542/" in second
    assert "/issues/weekly/637/" not in second
    assert '<a rel="prev" href="?year=2025&amp;page=1">上一页</a>' in second


# One issue


def test_the_issue_page_is_laid_out_like_the_bulletin(client, archive):
    first, second = archive.first, archive.second
    html = get(client, "/issues/weekly/636/")
    assert "<title>全国卫生信息化舆情监测周报（第六三六期）" in html
    in_order(
        html,
        '<a href="/issues/weekly/">全国卫生信息化舆情监测周报</a>',
        "（第六三六期）",
        "北京市卫生健康大数据与政策研究中心",
        "2025年8月8日",
        "本期导语",
        "本期周报共收集2篇信息，测试用导语。",
        '监测时段：<time datetime="2025-08-02">2025年8月2日</time>至'
        '<time datetime="2025-08-08">2025年8月8日</time>',
        "一、信息目录",
        '<a href="#article-1">推动人工智能应用于医保</a> <span class="muted">（新华社）</span>',
        '<a href="#article-2">智慧医院建设指引发布</a> <span class="muted">（人民网）</span>',
        "二、具体内容",
        '<article class="bulletin-article" id="article-1">',
        "1. 推动人工智能应用于医保",
        f"<dt>来源</dt><dd>{link(archive.xinhua, '新华社')}</dd>",
        '<dt>日期</dt><dd><time datetime="2025-08-06">2025年8月6日</time></dd>',
        "<dt>来源标题</dt><dd>人工智能赋能医保管理</dd>",
        '<a class="original-link" href="https://example.cn/news/ai.html"',
        link(archive.insurance, "医保"),
        "<p>正文第一段，讲人工智能与医保。</p>",
        "<h4>小标题</h4>",
        f'<a href="{first.get_absolute_url()}">本文链接</a>',
        '<article class="bulletin-article" id="article-2">',
        "2. 智慧医院建设指引发布",
        '<dt>链接</dt><dd><span class="muted">无</span>',
        f'<a href="{second.get_absolute_url()}">本文链接</a>',
    )


def test_an_issue_links_the_previous_and_next_issue_of_its_series(client, archive):
    html = get(client, "/issues/weekly/636/")
    assert '<a rel="prev" href="/issues/weekly/635/">← 上一期 第六三五期</a>' in html
    assert '<a rel="next" href="/issues/weekly/637/">下一期 第六三七期 →</a>' in html
    newest = get(client, "/issues/weekly/637/")
    assert 'rel="prev" href="/issues/weekly/636/"' in newest and 'rel="next"' not in newest
    oldest = get(client, "/issues/weekly/635/")
    assert 'rel="next" href="/issues/weekly/636/"' in oldest and 'rel="prev"' not in oldest
    # The monthly 542 came out before weekly 635, but its neighbours are monthly only.
    monthly = get(client, "/issues/monthly/542/")
    assert 'rel="prev" href="/issues/monthly/541/"' in monthly and 'rel="next"' not in monthly


# One article


def test_the_article_permalink_shows_its_source_link_date_tags_and_issue(client, archive):
    html = get(client, archive.first.get_absolute_url())
    assert "<title>推动人工智能应用于医保 · " in html
    in_order(
        html,
        '<a href="/issues/weekly/636/#article-1">全国卫生信息化舆情监测周报 第六三六期</a>',
        '<time datetime="2025-08-08">2025年8月8日</time>',
        "<h1>推动人工智能应用于医保</h1>",
        f"<dt>来源</dt><dd>{link(archive.xinhua, '新华社')}</dd>",
        '<time datetime="2025-08-06">2025年8月6日</time>',
        "<dt>来源标题</dt><dd>人工智能赋能医保管理</dd>",
        '<a class="original-link" href="https://example.cn/news/ai.html" rel="noopener nofollow">',
        link(archive.ai, "人工智能"),  # tags by name
        link(archive.insurance, "医保"),
        "<p>正文第一段，讲人工智能与医保。</p>",
    )


# Sources and tags


def test_the_source_list_counts_public_articles_most_first(client, archive):
    html = get(client, "/sources/")
    in_order(
        html,
        f'{link(archive.xinhua, "新华社")} <span class="count">3 篇</span>',
        "中央媒体",
        f'{link(archive.beijing, "北京日报")} <span class="count">2 篇</span>',
        "地方媒体",
        f'{link(archive.people, "人民网")} <span class="count">1 篇</span>',
    )


def test_the_tag_list_counts_public_articles_most_first(client, archive):
    html = get(client, "/tags/")
    in_order(
        html,
        f'{link(archive.insurance, "医保")} <span class="count">3 篇</span>',
        f'{link(archive.ai, "人工智能")} <span class="count">1 篇</span>',
        f'{link(archive.hospital, "智慧医院")} <span class="count">1 篇</span>',
    )


def test_a_source_page_lists_its_articles_newest_first(client, archive):
    html = get(client, "/sources/新华社/")  # a Chinese slug, typed as a reader sees it
    assert "<h1>来源：新华社</h1>" in html
    assert "中央媒体 · 共 3 篇文章" in html
    in_order(
        html,
        link(archive.latest, "最新一期的文章"),
        link(archive.first, "推动人工智能应用于医保"),
        link(archive.previous, "上一期的文章"),
    )
    assert "月报文章" not in html


def test_a_tag_page_lists_its_articles_newest_first(client, archive):
    html = get(client, "/tags/医保/")
    assert "<h1>标签：医保</h1>" in html
    assert "医疗保障的支付与监管。 · 共 3 篇文章" in html
    in_order(
        html,
        link(archive.latest, "最新一期的文章"),
        link(archive.first, "推动人工智能应用于医保"),
        link(archive.last_year, "去年的月报文章"),
    )
    assert "智慧医院建设指引发布" not in html


def test_source_and_tag_pages_are_paginated(client, archive, small_pages):
    for subject, last in [(archive.xinhua, "上一期的文章"), (archive.insurance, "去年的月报文章")]:
        url = subject.get_absolute_url()
        first = get(client, url)
        assert "共 3 篇文章" in first and "第 1 页，共 2 页" in first
        assert last not in first
        assert '<a rel="next" href="?page=2">下一页</a>' in first
        second = get(client, url + "?page=2")
        assert last in second and "最新一期的文章" not in second


def test_chinese_slugs_work_percent_encoded_and_as_typed(client, archive):
    encoded = archive.insurance.get_absolute_url()
    assert encoded == iri_to_uri("/tags/医保/") and encoded.isascii()
    assert get(client, encoded) == get(client, "/tags/医保/")
    assert f'href="{encoded}"' in get(client, "/tags/")


# Not found, and odd requests


NOT_FOUND = [
    "/issues/weekly/999/",
    "/issues/daily/",
    "/issues/daily/636/",
    "/articles/999999/",
    "/tags/没有这个标签/",
    "/sources/没有这个来源/",
    "/issues/weekly/99999999999999999999/",
    "/articles/99999999999999999999/",
    "/sources/1'--/",
]


@pytest.mark.parametrize("url", NOT_FOUND)
def test_missing_things_answer_a_helpful_404(client, archive, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "<h1>页面不存在</h1>" in response.text
    assert "您要找的页面不存在，或者尚未公开。" in response.text
    for target in ['href="/"', 'href="/issues/"', 'href="/articles/"']:
        assert target in response.text


@pytest.mark.parametrize("url", ["/tags/%00/", "/sources/a%00b/", "/articles/?q=%00"])
def test_a_nul_byte_in_the_address_is_a_bad_request_said_in_chinese(client, archive, url):
    """No address of the site holds one, and PostgreSQL cannot compare text holding it."""
    response = client.get(url)
    assert response.status_code == 400
    assert "<h1>无法识别的网址</h1>" in response.text and 'href="/"' in response.text


def test_unpublished_things_answer_the_same_helpful_404(client, archive):
    draft = factories.draft_issue(number=638)
    article = factories.article(issue_obj=draft, source=factories.source("只见于草稿的来源"))
    for url in [
        draft.get_absolute_url(),
        article.get_absolute_url(),
        article.source.get_absolute_url(),
    ]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "您要找的页面不存在，或者尚未公开。" in response.text


ODD_QUERIES = [
    "page=abc",
    "page=99999",
    "page=-1",
    "page=0",
    "page=1.5",
    "year=x",
    "year=99999",
    "year=0",
    "tag=nonexistent",
    "tag=",
    "source=1'--",
    "series=nowhere",
    "date_after=2025-02-30",
    "date_before=0001-01-01",
    "q=" + "医" * 2000,
]


@pytest.mark.parametrize(
    ("url", "heading"),
    [
        ("/", "最新一期"),
        ("/issues/", "<h1>往期简报</h1>"),
        ("/issues/weekly/", "<h1>全国卫生信息化舆情监测周报</h1>"),
        ("/issues/weekly/636/", "（第六三六期）"),
        ("/articles/", "<h1>全部文章</h1>"),
        ("/sources/", "<h1>来源</h1>"),
        ("/sources/新华社/", "<h1>来源：新华社</h1>"),
        ("/tags/", "<h1>标签</h1>"),
        ("/tags/医保/", "<h1>标签：医保</h1>"),
    ],
)
def test_odd_query_strings_still_give_the_page(client, archive, url, heading):
    for query in ODD_QUERIES:
        response = client.get(f"{url}?{query}")
        assert response.status_code == 200, query
        assert heading in response.text, query


def test_a_page_number_past_the_end_shows_the_last_page(client, archive, small_pages):
    html = get(client, "/articles/?page=99999")
    assert "第 3 页，共 3 页" in html and "去年的月报文章" in html
    html = get(client, "/issues/?page=abc")
    assert "第 1 页，共 3 页" in html and "/issues/weekly/637/" in html
