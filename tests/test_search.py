"""Full-text search, on whichever database the suite runs (SQLite and PostgreSQL in CI).

Every kind of query finds exactly the public articles that contain the text (checked
against a plain scan of the test data), best first, highlighted, narrowable by facets;
drafts never appear; edits and bulk paths show at once.
"""

import datetime
import re
import unicodedata

import feedparser
import pytest
from django.core.management import call_command
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bulletins import signals
from bulletins.models import Article, Issue, SearchDocument
from bulletins.search import backends
from bulletins.search.documents import plain_text
from bulletins.search.engine import Filters, Search
from tests import factories

SEARCH = "/search/"


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def make(issue, title, body, tags=(), source="健康报", **fields):
    return factories.article(
        issue_obj=issue,
        title=title,
        body=body,
        tags=[factories.tag(name) for name in tags],
        source=factories.source(source),
        **fields,
    )


@pytest.fixture
def archive(db):
    """A small archive written for these tests: public, draft and scheduled articles."""
    weekly_1 = factories.issue(number=701, publication_date=day("2025-03-07"))
    weekly_2 = factories.issue(number=700, publication_date=day("2025-02-28"))
    weekly_3 = factories.issue(number=690, publication_date=day("2024-11-08"))
    monthly = factories.issue(series_slug="monthly", number=560, publication_date=day("2024-12-31"))
    draft = factories.draft_issue(number=702, publication_date=day("2025-03-14"))
    scheduled = factories.scheduled_issue(number=703, publication_date=day("2025-03-21"))
    return {
        "ai": make(
            weekly_1,
            "人工智能辅助诊断在社区推广",
            "社区卫生服务中心引入人工智能影像系统，医生阅片效率明显提升。",
            tags=["人工智能"],
        ),
        "pay": make(
            weekly_2,
            "医保移动支付覆盖全市",
            "参保人可在手机上完成医保结算，DRG付费改革同步推进。",
            tags=["医保"],
            source="新华社",
        ),
        "online": make(
            monthly,
            "互联网医院复诊量增长",
            "线上复诊方便慢病患者；部分互联网医院接入医保结算。\n\n5G网络支撑远程会诊。",
            tags=["互联网医院", "医保"],
            source="人民网",
        ),
        "data": make(
            weekly_3,
            "数据要素流通试点启动",
            "医疗健康数据在可信空间内“可用不可见”，原始数据不出域。AI模型只能获取计算结果。",
            tags=["数据要素"],
            source="新华社",
        ),
        "robot": make(
            weekly_3,
            "手术机器人完成远程手术",
            "借助５Ｇ网络，专家在千里之外操控机器人完成手术。He said nothing.",
            tags=["医疗机器人"],
            source="北京日报",
        ),
        "cancer": make(
            monthly,
            "癌症早筛项目纳入医保",
            "肿瘤早期筛查费用由医保基金按比例支付。",
            tags=["医保"],
            source="北京日报",
        ),
        "spaced": make(
            weekly_1,
            "基层卫生的新帮手",
            "村医用上了智能随访系统，文件里写作“人工 智能”，中间有空格。",
            source="人民网",
        ),
        "drg": make(
            weekly_2,
            "按病种付费改革",
            "ＤＲＧ／ＤＩＰ支付方式改革覆盖所有统筹地区。",
            tags=["医保"],
            original_title="支付方式改革三年行动",
        ),
        "escape": make(
            weekly_3,
            "医保 & 商保<衔接>试点",
            "条款写明 A<B & C>D，医保目录外费用由商保承担。",
            source="人民网",
        ),
        "draft": make(draft, "草稿里的医保文章", "绝密草稿内容：医保与人工智能。"),
        "scheduled": make(scheduled, "定时发布的医保文章", "尚未公开的人工智能内容。"),
    }


# --- the reference: a plain scan of the test data -----------------------------------


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def _pattern(term: str) -> str:
    """A quoted phrase's words with any punctuation or spaces between; Latin whole."""
    parts = []
    for word in _fold(term).split():
        for piece in re.findall(r"[a-z0-9]+|[^a-z0-9]", word):
            if piece[0].isascii() and piece[0].isalnum():
                parts.append(f"(?<![a-z0-9]){piece}(?![a-z0-9])")
            else:
                parts.append(re.escape(piece))
        parts.append(r"[\W_]+")
    return "".join(parts[:-1])


def scan(articles, required=(), excluded=()) -> set:
    """Public articles with every required term in some field and no excluded one."""
    found = set()
    for article in articles:
        if not article.issue.is_published():
            continue
        fields = [
            article.title,
            article.original_title,
            article.source.name,
            plain_text(article.body_html),
        ]
        fields += [tag.name for tag in article.tags.all()]
        folded = [_fold(field) for field in fields]
        if all(_has(folded, term) for term in required) and not any(
            _has(folded, term) for term in excluded
        ):
            found.add(article.pk)
    return found


def _has(fields, term) -> bool:
    return any(re.search(_pattern(term), field) for field in fields)


QUERIES = [
    # (query as typed, required terms, excluded terms) for the reference scan
    ("医保", ["医保"], []),
    ("人工智能", ["人工智能"], []),
    ("智能", ["智能"], []),
    ("医", ["医"], []),
    ("癌", ["癌"], []),
    ("互联网医院", ["互联网医院"], []),
    ("联网医", ["联网医"], []),
    ("DRG", ["drg"], []),
    ("ｄｒｇ", ["drg"], []),
    ("5G", ["5g"], []),
    ("AI", ["ai"], []),
    ("sai", ["sai"], []),
    ("5G网络", ["5g网络"], []),
    ("医保 人工智能", ["医保", "人工智能"], []),
    ("医保，互联网医院", ["医保", "互联网医院"], []),
    ("医保 -互联网医院", ["医保"], ["互联网医院"]),
    ("医保 -北京日报 -DRG", ["医保"], ["北京日报", "drg"]),
    ('"人工 智能"', ["人工 智能"], []),
    ('"医保 结算"', ["医保 结算"], []),
    ("新华社", ["新华社"], []),
    ("医疗机器人", ["医疗机器人"], []),
    ("支付方式改革三年", ["支付方式改革三年"], []),
    ("不存在的词语", ["不存在的词语"], []),
    ("-医保", [], ["医保"]),
]


@pytest.mark.parametrize("typed, required, excluded", QUERIES)
def test_every_query_finds_exactly_the_articles_that_contain_it(archive, typed, required, excluded):
    """Results equal a plain scan of the public articles, for every kind of query."""
    expected = scan(Article.objects.all(), required, excluded)
    found = Search(typed)
    assert set(found.ids("relevance")) == expected
    assert set(found.ids("date")) == expected
    assert found.count == len(expected)
    assert {pk for pk, _ in found.top("date", 50)} == expected
    assert {pk for pk, _ in found.top("relevance", 50)} == expected


@pytest.mark.parametrize("window, walk", [(1, 1), (2, 5), (3, 100)])
def test_first_pages_equal_the_full_order_however_far_they_walk(archive, monkeypatch, window, walk):
    """A first page (no count) tests the newest few entries, may walk on, else asks the
    index: any mix of these gives the same page as the full order."""
    monkeypatch.setattr(backends, "WINDOW", window)
    monkeypatch.setattr(backends, "MAX_WALK", walk)
    for typed, _, _ in QUERIES:
        found = Search(typed)
        for order in ("relevance", "date"):
            for limit in (1, 3, 20):
                assert found.top(order, limit) == found.page_ids(order, 0, limit), (typed, order)


def test_the_scan_is_not_trivial(archive):
    """The reference finds what a reader would expect (so the test above means something)."""
    articles = Article.objects.all()
    assert scan(articles, ["人工智能"]) == {archive["ai"].pk}  # not "人工 智能", no drafts
    assert scan(articles, ["drg"]) == {archive["pay"].pk, archive["drg"].pk}
    assert scan(articles, ["ai"]) == {archive["data"].pk}  # not inside "said"
    assert archive["online"].pk in scan(articles, ["5g"])


def test_title_matches_rank_above_tags_and_source_above_body_newest_first_within(db):
    body_only = make(factories.issue(publication_date=day("2025-01-03")), "新闻一", "谈到医保。")
    in_title = make(factories.issue(publication_date=day("2024-06-07")), "医保新规", "正文。")
    in_tags = make(
        factories.issue(publication_date=day("2024-12-06")), "新闻二", "正文。", tags=["医保"]
    )
    newer_title = make(factories.issue(publication_date=day("2024-08-02")), "医保再出新规", "")
    found = Search("医保")
    ranked = [in_title.pk, newer_title.pk, in_tags.pk, body_only.pk]
    assert found.ids("relevance") == [newer_title.pk, in_title.pk, in_tags.pk, body_only.pk]
    assert found.ids("date") == [body_only.pk, in_tags.pk, newer_title.pk, in_title.pk]
    assert [pk for pk, _ in found.top("relevance", 10)] == found.ids("relevance")
    assert [rank for _, rank in found.top("relevance", 10)] == [2, 2, 1, 0]
    assert set(ranked) == set(found.ids())


def test_every_term_is_marked_in_title_and_snippet_and_the_rest_escaped(archive, client):
    page = client.get(SEARCH, {"q": "医保 商保"}).text
    assert "<mark>医保</mark> &amp; <mark>商保</mark>&lt;衔接&gt;试点" in page
    assert "A&lt;B &amp; C&gt;D，<mark>医保</mark>目录外费用由<mark>商保</mark>承担" in page
    assert "<衔接>" not in page and "A<B" not in page


def test_snippet_is_cut_around_the_first_match(db):
    body = "前言" * 80 + "这里提到远程会诊一次。" + "结尾" * 80
    make(factories.issue(), "长文", body)
    (hit,) = Search("远程会诊").hits(Search("远程会诊").top())
    assert hit.snippet_html.startswith("…") and hit.snippet_html.endswith("…")
    assert "<mark>远程会诊</mark>" in hit.snippet_html
    assert len(re.sub(r"<[^>]+>", "", hit.snippet_html)) < 140


def test_full_width_and_spaced_matches_are_marked_in_the_raw_text(archive):
    found = Search('DRG "人工 智能"')
    assert found.count == 0
    hits = Search("drg").hits(Search("drg").top("date"))
    assert any("<mark>ＤＲＧ</mark>／ＤＩＰ" in hit.snippet_html for hit in hits)
    (spaced,) = Search('"人工 智能"').hits(Search('"人工 智能"').top())
    assert "<mark>人工 智能</mark>" in spaced.snippet_html


def test_facets_count_the_matches_and_narrow_them(archive, client):
    expected = scan(Article.objects.all(), ["医保"])
    articles = Article.objects.filter(pk__in=expected)
    facets = Search("医保").facets
    series = {value.value: value.count for value in facets["series"]}
    assert series == {
        "weekly": articles.filter(issue__series__slug="weekly").count(),
        "monthly": articles.filter(issue__series__slug="monthly").count(),
    }
    sources = {value.label: value.count for value in facets["source"]}
    assert sources == {
        name: articles.filter(source__name=name).count()
        for name in {a.source.name for a in articles}
    }
    tags = {value.label: value.count for value in facets["tag"]}
    assert tags["医保"] == articles.filter(tags__name="医保").count()
    assert tags["互联网医院"] == 1
    years = {value.value: value.count for value in facets["year"]}
    assert years == {
        "2025": articles.filter(issue__publication_date__year=2025).count(),
        "2024": articles.filter(issue__publication_date__year=2024).count(),
    }

    page = client.get(SEARCH, {"q": "医保"}).text
    assert 'href="?q=%E5%8C%BB%E4%BF%9D&amp;series=monthly"' in page
    narrowed = Search("医保", Filters(series="monthly"))
    assert set(narrowed.ids()) == set(
        articles.filter(issue__series__slug="monthly").values_list("pk", flat=True)
    )
    response = client.get(SEARCH, {"q": "医保", "series": "monthly", "year": "2024"})
    assert f"共找到 {narrowed.count} 篇文章" in response.text
    # Counts of the other values of a chosen facet stay visible, to switch to them.
    chosen = {v.value: (v.count, v.selected) for v in narrowed.facets["series"]}
    assert chosen["monthly"] == (series["monthly"], True) and chosen["weekly"][1] is False


def test_filters_of_the_article_list_combine_with_the_query(archive, client):
    tagged = Search("医保", Filters(tags=(factories.tag("互联网医院").slug,)))
    assert tagged.ids() == [archive["online"].pk]
    by_source = Search("医保", Filters(source=archive["pay"].source.slug))
    assert by_source.ids() == [archive["pay"].pk]
    dated = Search("医保", Filters(date_after=day("2025-01-01")))
    assert set(dated.ids()) == {archive["pay"].pk, archive["drg"].pk}
    first_page = {pk for pk, _ in Search("医保", Filters(year=2024)).top("relevance")}
    assert first_page == {archive["online"].pk, archive["cancer"].pk, archive["escape"].pk}


def test_drafts_and_scheduled_articles_never_appear(archive, client):
    for query in ("草稿", "医保", "人工智能", "尚未公开", "定时发布"):
        found = Search(query)
        assert archive["draft"].pk not in found.ids() and archive["scheduled"].pk not in found.ids()
        assert archive["draft"].pk not in dict(found.top())
        page = client.get(SEARCH, {"q": query}).text
        assert "草稿里的" not in page and "绝密" not in page and "定时发布的" not in page
        feed = client.get(reverse("bulletins:search-feed"), {"q": query}).text
        assert "绝密" not in feed and "定时发布的" not in feed
    assert Search("绝密草稿").count == 0


def test_public_entries_are_exactly_the_published_articles(archive):
    """The index applies Article.objects.published()'s rule through the issue it keeps."""
    public = set(Search("-不存在的词语").ids())
    assert public == set(Article.objects.published().values_list("pk", flat=True))


def test_staff_search_in_the_admin_finds_drafts_through_the_index(archive, admin_client):
    articles = admin_client.get(reverse("admin:bulletins_article_changelist"), {"q": "绝密草稿"})
    assert "草稿里的医保文章" in articles.text
    full_width = admin_client.get(reverse("admin:bulletins_article_changelist"), {"q": "ｄｒｇ"})
    assert "按病种付费改革" in full_width.text and "癌症早筛" not in full_width.text
    issues = admin_client.get(reverse("admin:bulletins_issue_changelist"), {"q": "绝密草稿"})
    assert "第七〇二期" in issues.text and "第七〇一期" not in issues.text
    by_number = admin_client.get(reverse("admin:bulletins_issue_changelist"), {"q": "701"})
    assert "第七〇一期" in by_number.text


def test_the_article_list_q_filter_uses_the_index(archive, client):
    page = client.get(reverse("bulletins:article-list"), {"q": "ｄｒｇ"}).text
    assert "按病种付费改革" in page and "医保移动支付覆盖全市" in page
    assert "共 2 篇文章" in page
    assert "草稿里" not in client.get(reverse("bulletins:article-list"), {"q": "医保"}).text


def test_editing_a_body_or_tags_changes_results_at_once(archive):
    article = archive["robot"]
    assert Search("康复训练").count == 0
    article.body = "康复训练机器人进入社区。"
    article.save()
    assert Search("康复训练").ids() == [article.pk]
    assert Search("千里之外").count == 0
    article.tags.add(factories.tag("康复"))
    assert article.pk in Search("康复").ids()
    article.tags.clear()
    assert Search("医疗机器人").count == 0
    tag = factories.tag("人工智能")
    tag.name = "智能医学"
    tag.save()
    assert Search("智能医学").ids() == [archive["ai"].pk]
    source = archive["pay"].source
    source.name = "新华通讯社"
    source.save()
    assert set(Search("新华通讯社").ids()) == {archive["pay"].pk, archive["data"].pk}
    tag.delete()
    assert Search("智能医学").count == 0


def test_reverse_tag_changes_reindex_the_articles(archive):
    tag = factories.tag("远程医疗")
    tag.articles.add(archive["online"], archive["robot"])
    assert set(Search("远程医疗").ids()) == {archive["online"].pk, archive["robot"].pk}
    tag.articles.remove(archive["robot"])
    assert Search("远程医疗").ids() == [archive["online"].pk]
    tag.articles.clear()
    assert Search("远程医疗").count == 0


def test_issue_changes_reach_the_results(archive):
    issue = archive["ai"].issue
    issue.status = Issue.Status.DRAFT
    issue.save()
    assert archive["ai"].pk not in Search("人工智能").ids()
    issue.status = Issue.Status.PUBLISHED
    issue.publication_date = day("2023-05-05")
    issue.save()
    assert Search("人工智能", Filters(year=2023)).ids() == [archive["ai"].pk]


def test_deleted_articles_leave_the_index(archive):
    archive["cancer"].delete()
    assert Search("癌").count == 0
    archive["online"].issue.delete()
    assert Search("互联网医院").count == 0
    assert not SearchDocument.objects.filter(article_id=archive["online"].pk).exists()


def test_bulk_paths_reindex(archive, admin_client):
    """The admin's bulk tagging reindexes; update() and friends announce content_changed."""
    tag = factories.tag("批量标签")
    admin_client.post(
        reverse("admin:bulletins_article_changelist"),
        {
            "action": "add_tags",
            "_selected_action": [archive["ai"].pk, archive["pay"].pk],
            "apply": "1",
            "tags": [tag.pk],
        },
    )
    assert set(Search("批量标签").ids()) == {archive["ai"].pk, archive["pay"].pk}
    Article.objects.filter(pk=archive["data"].pk).update(title="批量改名的标题")
    assert Search("批量改名").count == 0  # update() sends no signal …
    signals.announce(Article, [archive["data"].pk])  # … so bulk paths announce what they touched
    assert Search("批量改名").ids() == [archive["data"].pk]


def test_rebuild_command_indexes_everything_afresh(archive):
    SearchDocument.objects.all().delete()
    Article.objects.filter(pk=archive["ai"].pk).update(title="改过的人工智能标题")
    call_command("rebuild_search_index", verbosity=0)
    assert SearchDocument.objects.count() == Article.objects.count()
    assert set(Search("改过的").ids()) == {archive["ai"].pk}
    assert Search("医保").count == len(scan(Article.objects.all(), ["医保"]))


# --- the pages ----------------------------------------------------------------------


def test_results_page_shows_count_source_date_issue_and_sort_links(archive, client):
    response = client.get(SEARCH, {"q": "医保"})
    assert response.status_code == 200
    page = response.text
    expected = scan(Article.objects.all(), ["医保"])
    assert f"“医保”共找到 {len(expected)} 篇文章" in page
    assert "新华社" in page and "2025年2月28日" in page and "周报第七〇〇期" in page
    assert "sort=date" in page and "/search/feed/?q=" in page
    by_date = client.get(SEARCH, {"q": "医保", "sort": "date"}).text
    assert by_date.index("移动支付覆盖全市") < by_date.index("癌症早筛")


def test_results_are_paginated(db, client):
    issue = factories.issue()
    for n in range(23):
        make(issue, f"分页测试第{n}篇", "共同的词：远程会诊。", position=n + 1)
    first = client.get(SEARCH, {"q": "远程会诊"}).text
    assert "第 1 页，共 2 页" in first and 'rel="next"' in first
    second = client.get(SEARCH, {"q": "远程会诊", "page": "2"}).text
    assert second.count('class="card search-hit"') == 3
    assert client.get(SEARCH, {"q": "远程会诊", "page": "99"}).status_code == 200


@pytest.mark.parametrize("query", ["", "   ", "，。", "-"])
def test_an_empty_query_shows_help(db, client, query):
    page = client.get(SEARCH, {"q": query}).text
    assert "多个词用空格分开" in page and "共找到" not in page


def test_header_search_box_goes_to_search_on_every_page(archive, client):
    for url in ("/", reverse("bulletins:article-list"), archive["ai"].get_absolute_url()):
        page = client.get(url).text
        assert f'<form class="site-search" action="{SEARCH}"' in page


def test_search_feed_lists_the_newest_matches(archive, client):
    response = client.get(reverse("bulletins:search-feed"), {"q": "医保"})
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo
    assert "医保" in feed.feed.title
    expected = Search("医保").ids("date")
    links = [entry.link for entry in feed.entries]
    assert links == [f"http://testserver/articles/{pk}/" for pk in expected]
    # Each entry in full, like every feed of the site: source, body, original link.
    content = feed.entries[0].content[0].value
    assert "完成医保结算" in content and "来源：新华社" in content and "原文链接" in content
    assert client.get(reverse("bulletins:search-feed"), {"q": " "}).status_code == 404
    atom = feedparser.parse(
        client.get(reverse("bulletins:search-feed-atom"), {"q": "医保"}).content
    )
    assert not atom.bozo and [entry.link for entry in atom.entries] == links


def test_a_search_that_finds_nothing_yet_is_a_feed_that_does_not_change(archive, client):
    """A reader may follow a topic before it is written on; polling the empty feed gives
    the same bytes until the archive changes."""
    url = reverse("bulletins:search-feed")
    first = client.get(url, {"q": "尚未出现的话题"})
    assert first.status_code == 200 and not feedparser.parse(first.content).entries
    assert client.get(url, {"q": "尚未出现的话题"}).content == first.content


def test_the_search_page_announces_its_feed(archive, client):
    page = client.get(SEARCH, {"q": "医保", "page": "2", "sort": "date"}).text
    assert '<link rel="alternate" type="application/rss+xml"' in page
    assert 'href="/search/feed/?q=%E5%8C%BB%E4%BF%9D"' in page
    assert 'href="/search/feed/atom/?q=%E5%8C%BB%E4%BF%9D"' in page


def test_a_cached_search_page_is_never_stale(db, client, settings):
    settings.PAGE_CACHE_SECONDS = 600
    assert "共找到 0 篇文章" in client.get(SEARCH, {"q": "新出现的词"}).text
    article = make(factories.issue(), "新出现的词登上标题", "正文。")
    assert "共找到 1 篇文章" in client.get(SEARCH, {"q": "新出现的词"}).text
    article.body = "正文改了。"
    article.title = "标题也改了"
    article.save()
    assert "共找到 0 篇文章" in client.get(SEARCH, {"q": "新出现的词"}).text


def test_a_search_page_runs_three_queries_then_two(db, client, django_assert_num_queries):
    """One pass over the matches, then the page's articles and their tags; the pass is kept
    for the content version, so other pages, orders and facets of it need no search.
    (tests/test_query_counts.py shows the counts do not grow with the archive.)"""
    for n in range(30):
        make(factories.issue(), f"查询次数{n}", "医保改革。", tags=["医保", f"标签{n % 4}"])
    client.get(SEARCH, {"q": "改革"})  # facet names and filter choices, for this version
    with django_assert_num_queries(3):
        assert client.get(SEARCH, {"q": "医保"}).status_code == 200
    for params in ({"page": "2"}, {"sort": "date"}, {"tag": factories.tag("标签1").slug}):
        with django_assert_num_queries(2):
            assert client.get(SEARCH, {"q": "医保", **params}).status_code == 200


QUERY_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60
) | st.sampled_from(['"', "-", '-"', "“医保", "医保 -", "\x00医保", "'; DROP TABLE", "%", "*"])


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    q=QUERY_TEXT,
    page=st.sampled_from(["", "0", "-1", "abc", "2", "9999"]),
    extra=st.sampled_from(
        [
            {},
            {"year": "20x"},
            {"tag": "无此标签"},
            {"date_after": "x"},
            {"sort": "nonsense"},
            {"series": "weekly"},
        ]
    ),
)
def test_no_query_string_makes_the_page_fail(archive, client, q, page, extra):
    """Whatever a reader (or a robot) puts in the query string, the answer is a page."""
    params = {"q": q, "page": page, **extra}
    # A NUL byte is refused for the whole site with a 400 (see test_fuzz_urls).
    nul = any("\x00" in str(value) for value in params.values())
    assert client.get(SEARCH, params).status_code == (400 if nul else 200)
    feed = client.get(reverse("bulletins:search-feed"), params)
    assert feed.status_code in ((400,) if nul else (200, 404))
