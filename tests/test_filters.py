"""The article list's filters: each alone and combined, the form, shareable links, pages."""

import datetime
import html as htmllib
import re
from types import SimpleNamespace
from urllib.parse import parse_qs, urlencode

import pytest
from django.test import Client

from bulletins.public import views
from tests import factories

pytestmark = pytest.mark.django_db


def titles(page: str) -> list[str]:
    return re.findall(r'<h2 class="card__title"><a href="[^"]+">([^<]+)</a>', page)


def options(page: str, name: str) -> list[tuple[str, str]]:
    """(value, label) of each choice the form offers for ``name``."""
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)
    if select:
        return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select[1])
    return re.findall(rf'name="{name}" value="([^"]*)"[^>]*> ([^<]*)</label>', page)


def active_filters(page: str) -> list[tuple[str, dict]]:
    """(text, query of the link that drops it) for each active filter shown."""
    found = re.findall(r'<li>([^<]*) <a href="\?([^"]*)" aria-label="去掉条件', page)
    return [(text, parse_qs(htmllib.unescape(query))) for text, query in found]


@pytest.fixture
def archive():
    """Five public articles over both series, three sources, three tags and two years."""
    xinhua, people, beijing = (factories.source(n) for n in ("新华社", "人民网", "北京日报"))
    insurance, ai, hospital = (factories.tag(n) for n in ("医保", "人工智能", "智慧医院"))
    august = factories.issue(number=636, publication_date=datetime.date(2025, 8, 8))
    march = factories.issue(number=614, publication_date=datetime.date(2025, 3, 7))
    january = factories.issue(
        series_slug="monthly", number=530, publication_date=datetime.date(2025, 1, 31)
    )
    december = factories.issue(
        series_slug="monthly", number=529, publication_date=datetime.date(2024, 12, 31)
    )
    article = factories.article
    return SimpleNamespace(
        xinhua=xinhua,
        people=people,
        beijing=beijing,
        insurance=insurance,
        ai=ai,
        hospital=hospital,
        a1=article(
            issue_obj=august,
            title="医保支付改革推进",
            source=xinhua,
            tags=[insurance],
            body="正文提到数据要素流通。",
        ),
        a2=article(
            issue_obj=august,
            title="人工智能辅助诊断",
            original_title="AI看片更快了",
            source=people,
            tags=[ai],
        ),
        a3=article(issue_obj=march, title="智能医保监管上线", source=xinhua, tags=[insurance, ai]),
        a4=article(issue_obj=december, title="北京智慧医院建设", source=beijing, tags=[hospital]),
        a5=article(
            issue_obj=january,
            title="电子病历评级结果公布",
            source=people,
            body="评级结果将与医保支付挂钩。",
        ),
    )


def listed(client, query: str) -> list[str]:
    response = client.get(f"/articles/?{query}")
    assert response.status_code == 200
    return titles(response.text)


A1, A2, A3, A4, A5 = (
    "医保支付改革推进",
    "人工智能辅助诊断",
    "智能医保监管上线",
    "北京智慧医院建设",
    "电子病历评级结果公布",
)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", [A1, A2, A3, A5, A4]),
        ("series=weekly", [A1, A2, A3]),
        ("series=monthly", [A5, A4]),
        ("source=新华社", [A1, A3]),
        ("source=人民网", [A2, A5]),
        ("tag=医保", [A1, A3]),
        ("tag=医保&tag=智慧医院", [A1, A3, A4]),  # any of the chosen tags
        ("tag=医保&tag=人工智能", [A1, A2, A3]),  # an article with both is listed once
        ("date_after=2025-01-01&date_before=2025-03-31", [A3, A5]),
        ("date_after=2025-08-08", [A1, A2]),  # both ends are inclusive
        ("date_before=2024-12-31", [A4]),
        ("year=2024", [A4]),
        ("year=2025", [A1, A2, A3, A5]),
        ("q=医保", [A1, A3, A5]),  # titles and bodies
        ("q=AI看片", [A2]),  # the original title
        ("q=数据要素", [A1]),
        ("q=++医保++", [A1, A3, A5]),  # surrounding spaces are ignored
    ],
)
def test_each_filter_alone(client, archive, query, expected):
    assert listed(client, query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("series=weekly&tag=医保", [A1, A3]),
        ("series=weekly&source=人民网", [A2]),
        ("series=monthly&q=医保", [A5]),
        ("tag=医保&tag=人工智能&source=新华社&year=2025&date_after=2025-06-01", [A1]),
        ("year=2025&tag=智慧医院", []),
    ],
)
def test_filters_combine(client, archive, query, expected):
    assert listed(client, query) == expected


def test_results_are_counted(client, archive):
    assert "共 3 篇文章" in client.get("/articles/?tag=医保&tag=智慧医院").text
    empty = client.get("/articles/?series=monthly&tag=人工智能").text
    assert "共 0 篇文章" in empty and "没有符合条件的文章。" in empty


def test_the_form_shows_the_active_filters_each_with_a_link_that_drops_it(client, archive):
    query = {
        "q": "医保",
        "series": "weekly",
        "source": "新华社",
        "tag": ["人工智能", "医保"],
        "year": "2025",
        "date_after": "2025-01-01",
        "date_before": "2025-12-31",
    }
    page = client.get("/articles/?" + urlencode(query, doseq=True)).text
    assert '<input type="text" name="q" value="医保"' in page
    assert '<option value="weekly" selected>' in page
    assert '<option value="新华社" selected>新华社</option>' in page
    assert '<option value="2025" selected>2025年</option>' in page
    assert re.search(r'name="tag" value="医保"[^>]* checked> 医保', page)
    assert re.search(r'name="tag" value="人工智能"[^>]* checked> 人工智能', page)
    assert not re.search(r'name="tag" value="智慧医院"[^>]* checked', page)
    assert 'name="date_after" value="2025-01-01"' in page
    assert 'name="date_before" value="2025-12-31"' in page

    shown = active_filters(page)
    assert [text for text, _ in shown] == [
        "关键词：医保",
        "系列：全国卫生信息化舆情监测周报",
        "来源：新华社",
        "标签：人工智能、医保",
        "年份：2025年",
        "出刊日期：2025年1月1日 – 2025年12月31日",
    ]
    dropped = {text.split("：")[0]: set(query) - set(rest) for text, rest in shown}
    assert dropped == {
        "关键词": {"q"},
        "系列": {"series"},
        "来源": {"source"},
        "标签": {"tag"},
        "年份": {"year"},
        "出刊日期": {"date_after", "date_before"},
    }
    assert shown[0][1]["tag"] == ["人工智能", "医保"]  # the others are kept whole


def test_no_filters_shows_no_active_filter_list(client, archive):
    page = client.get("/articles/").text
    assert 'class="active-filters"' not in page
    assert "共 5 篇文章" in page


def test_the_query_string_is_shareable(client, archive):
    """The form submits by GET with readable names, so the address bar is the link to share."""
    page = client.get("/articles/").text
    assert '<form class="filter-form" method="get" action="/articles/"' in page
    for name in ["q", "series", "source", "tag", "year", "date_after", "date_before"]:
        assert f'name="{name}"' in page
    query = "tag=医保&tag=人工智能&series=weekly"
    someone_else = Client()  # no session, no cookies: only the link
    assert listed(someone_else, query) == listed(client, query) == [A1, A2, A3]


def test_page_links_keep_the_filters(client, archive, monkeypatch):
    monkeypatch.setattr(views.ArticleListView, "paginate_by", 2)
    query = "tag=%E5%8C%BB%E4%BF%9D&tag=%E4%BA%BA%E5%B7%A5%E6%99%BA%E8%83%BD&series=weekly"
    first = client.get(f"/articles/?{query}").text
    assert titles(first) == [A1, A2]
    assert "共 3 篇文章" in first and "第 1 页，共 2 页" in first
    assert f'<a rel="next" href="?{query.replace("&", "&amp;")}&amp;page=2">' in first
    second = client.get(f"/articles/?{query}&page=2").text
    assert titles(second) == [A3]
    assert "共 3 篇文章" in second
    assert f'<a rel="prev" href="?{query.replace("&", "&amp;")}&amp;page=1">' in second


def test_changing_a_filter_starts_again_at_page_one(client, archive, monkeypatch):
    monkeypatch.setattr(views.ArticleListView, "paginate_by", 2)
    page = client.get("/articles/?series=weekly&tag=医保&page=2").text
    for _text, rest in active_filters(page):
        assert "page" not in rest


def test_choices_are_the_public_sources_tags_and_years(client, archive):
    hidden = factories.draft_issue(number=700, publication_date=datetime.date(2026, 1, 9))
    factories.article(
        issue_obj=hidden, source=factories.source("草稿来源"), tags=[factories.tag("草稿标签")]
    )
    page = client.get("/articles/").text
    assert options(page, "series") == [
        ("", "全部系列"),
        ("weekly", "全国卫生信息化舆情监测周报"),
        ("monthly", "北京市卫生信息化舆情监测月报"),
    ]
    assert options(page, "source") == [("", "全部来源")] + sorted(
        [("新华社", "新华社"), ("人民网", "人民网"), ("北京日报", "北京日报")], key=lambda c: c[1]
    )
    assert options(page, "tag") == sorted(
        [("医保", "医保"), ("人工智能", "人工智能"), ("智慧医院", "智慧医院")], key=lambda c: c[1]
    )
    assert options(page, "year") == [("", "全部年份"), ("2025", "2025年"), ("2024", "2024年")]
