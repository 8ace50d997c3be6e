"""The editors' admin: an editor (staff with the model permissions, not a superuser) makes
an issue with its articles; lists, filters, search, counts, autocomplete, links to the site."""

import datetime
import re

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from bulletins.models import Article, Issue, Source, SourceAlias, Tag
from tests import factories

pytestmark = pytest.mark.django_db

ISSUES = reverse("admin:bulletins_issue_changelist")


@pytest.fixture
def editor_client():
    client = Client()
    client.force_login(factories.editor())
    return client


def article_form(index: int, **fields) -> dict:
    return {f"articles-{index}-{name}": value for name, value in fields.items()}


def column(html: str, name: str) -> list[str]:
    """The text of one column of the admin change list, row by row."""
    cells = re.findall(rf'<t[hd] class="field-{name}[^"]*">(.*?)</t[hd]>', html, re.S)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]


def test_an_editor_makes_an_issue_with_two_articles_in_the_admin(editor_client, client):
    """The editor writes it and submits it for review; a reviewer publishes it."""
    xinhua = factories.source("新华社")
    insurance, ai = factories.tag("医保"), factories.tag("人工智能")
    add_url = reverse("admin:bulletins_issue_add")
    form = editor_client.get(add_url)
    assert form.status_code == 200
    assert 'name="articles-TOTAL_FORMS"' in form.text

    data = {
        "series": factories.series("weekly").pk,
        "number": "636",
        "publication_date": "2025-08-08",
        "period_start": "2025-08-02",
        "period_end": "2025-08-08",
        "intro": "",
        "status": Issue.Status.REVIEW,
        "articles-TOTAL_FORMS": "2",
        "articles-INITIAL_FORMS": "0",
        "articles-MIN_NUM_FORMS": "0",
        "articles-MAX_NUM_FORMS": "1000",
        **article_form(
            0,
            position="1",
            title="推动人工智能应用于医保",
            original_title="人工智能赋能医保",
            source=xinhua.pk,
            original_date="2025-08-06",
            original_url="https://example.cn/a.html",
            tags=[insurance.pk, ai.pk],
            body="第一段**加粗**。\n\n### 小标题\n\n第二段。",
        ),
        **article_form(
            1,
            position="2",
            title="智慧医院建设指引发布",
            original_title="",
            source="",
            original_date="",
            original_url="",
            body="只有一段正文。",
        ),
    }
    response = editor_client.post(add_url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    assert response["Location"] == ISSUES

    issue = Issue.objects.get(series__slug="weekly", number=636)
    assert issue.status == Issue.Status.REVIEW and not issue.is_published()
    assert client.get("/issues/weekly/636/").status_code == 404
    reviewer = Client()
    reviewer.force_login(factories.reviewer())
    reviewer.post(ISSUES, {"action": "approve_now", "_selected_action": [issue.pk]})
    issue.refresh_from_db()
    assert issue.is_published()
    first, second = issue.articles.all()
    assert (first.position, first.title, first.source, first.original_title) == (
        1,
        "推动人工智能应用于医保",
        xinhua,
        "人工智能赋能医保",
    )
    assert set(first.tags.all()) == {insurance, ai}
    assert "<strong>加粗</strong>" in first.body_html and "<h3>小标题</h3>" in first.body_html
    assert (second.position, second.source, second.original_url) == (2, None, "")

    page = client.get("/issues/weekly/636/").text  # what readers now see
    assert page.index("推动人工智能应用于医保") < page.index("智慧医院建设指引发布")
    assert "本期周报共收集2篇" in page  # the blank 导语 is generated


def test_an_invalid_article_is_reported_and_nothing_is_saved(editor_client):
    data = {
        "series": factories.series("weekly").pk,
        "number": "636",
        "publication_date": "2025-08-08",
        "status": Issue.Status.DRAFT,
        "articles-TOTAL_FORMS": "2",
        "articles-INITIAL_FORMS": "0",
        **article_form(0, position="1", title="同一个序号", body=""),
        **article_form(1, position="1", title="同一个序号", body=""),
    }
    response = editor_client.post(reverse("admin:bulletins_issue_add"), data)
    assert response.status_code == 200
    assert '<p class="errornote">' in response.text
    assert "重复的数据" in response.text  # two articles at position 1
    assert not Issue.objects.exists() and not Article.objects.exists()


def test_staff_without_the_permissions_cannot_edit_issues(django_user_model):
    user = django_user_model.objects.create_user("visitor", password="x-long-pass", is_staff=True)
    client = Client()
    client.force_login(user)
    assert client.get(reverse("admin:bulletins_issue_add")).status_code == 403
    user.user_permissions.add(Permission.objects.get(codename="add_issue"))
    user.user_permissions.add(Permission.objects.get(codename="add_article"))
    assert client.get(reverse("admin:bulletins_issue_add")).status_code == 200


@pytest.fixture
def issues():
    """Weekly 636 (2 articles) and 635, monthly 542 in 2024, a draft weekly 637."""
    w636 = factories.issue(number=636, publication_date=datetime.date(2025, 8, 8))
    factories.article(issue_obj=w636, title="医保支付改革", body="正文讲医保。")
    factories.article(issue_obj=w636, title="人工智能辅助诊断", body="正文讲影像。")
    w635 = factories.issue(number=635, publication_date=datetime.date(2025, 8, 1))
    factories.article(issue_obj=w635, title="电子病历评级", body="与医保支付挂钩。")
    m542 = factories.issue(
        series_slug="monthly", number=542, publication_date=datetime.date(2024, 12, 31)
    )
    draft = factories.draft_issue(number=637, publication_date=datetime.date(2025, 8, 15))
    return {"w636": w636, "w635": w635, "m542": m542, "draft": draft}


def test_the_issue_list_shows_number_series_date_status_and_article_count(editor_client, issues):
    html = editor_client.get(ISSUES).text
    assert column(html, "label_display") == ["第六三七期", "第六三六期", "第六三五期", "第五四二期"]
    assert column(html, "series")[:2] == ["全国卫生信息化舆情监测周报"] * 2
    assert column(html, "series")[3] == "北京市卫生信息化舆情监测月报"
    assert column(html, "publication_date")[1] == "2025年8月8日"
    assert column(html, "status") == ["草稿", "已发布", "已发布", "已发布"]
    assert column(html, "article_count") == ["0", "2", "1", "0"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("series__id__exact={monthly}", ["第五四二期"]),
        ("status__exact=draft", ["第六三七期"]),
        ("status__exact=published&series__id__exact={weekly}", ["第六三六期", "第六三五期"]),
        ("year=2024", ["第五四二期"]),
        ("year=x", ["第六三七期", "第六三六期", "第六三五期", "第五四二期"]),
        (
            "publication_date__year=2025&publication_date__month=8",
            ["第六三七期", "第六三六期", "第六三五期"],
        ),
        ("q=人工智能", ["第六三六期"]),  # an article title
        ("q=医保", ["第六三六期", "第六三五期"]),  # titles and bodies
        ("q=636", ["第六三六期"]),  # the number
    ],
)
def test_the_issue_list_filters_and_searches(editor_client, issues, query, expected):
    ids = {slug: factories.series(slug).pk for slug in ("weekly", "monthly")}
    html = editor_client.get(f"{ISSUES}?{query.format(**ids)}").text
    assert column(html, "label_display") == expected


def test_article_counts_stay_right_while_searching(editor_client, issues):
    html = editor_client.get(f"{ISSUES}?q=正文").text
    assert column(html, "label_display") == ["第六三六期"]
    assert column(html, "article_count") == ["2"]
    html = editor_client.get(f"{ISSUES}?q=636").text
    assert column(html, "article_count") == ["2"]


def test_the_issue_list_offers_filters_and_a_date_hierarchy(editor_client, issues):
    html = editor_client.get(ISSUES).text
    for choice in ["?series__id__exact=", "?status__exact=draft", "?year=2024", "?year=2025"]:
        assert choice in html, choice
    assert 'href="?publication_date__year=2025"' in html
    assert 'href="?publication_date__year=2024"' in html


def test_source_and_tag_admins_count_articles_of_every_status(editor_client, issues):
    xinhua = factories.source("新华社")
    factories.article(issue_obj=issues["w636"], source=xinhua, tags=[factories.tag("医保")])
    factories.article(issue_obj=issues["draft"], source=xinhua, tags=[factories.tag("医保")])
    html = editor_client.get(reverse("admin:bulletins_source_changelist") + "?q=新华社").text
    assert column(html, "name") == ["新华社"] and column(html, "article_count") == ["2"]
    html = editor_client.get(reverse("admin:bulletins_tag_changelist") + "?q=医保").text
    assert column(html, "name") == ["医保"] and column(html, "article_count") == ["2"]


def test_searching_sources_by_alias_does_not_inflate_counts(editor_client, issues):
    people = factories.source("人民网")
    SourceAlias.objects.create(name="人民网-人民日报", source=people)
    SourceAlias.objects.create(name="人民网-健康频道", source=people)
    factories.article(issue_obj=issues["w636"], source=people)
    html = editor_client.get(reverse("admin:bulletins_source_changelist") + "?q=人民网").text
    assert column(html, "name") == ["人民网"] and column(html, "article_count") == ["1"]


def autocomplete(client, field, term):
    return client.get(
        reverse("admin:autocomplete"),
        {"app_label": "bulletins", "model_name": "article", "field_name": field, "term": term},
    )


def test_sources_and_tags_are_chosen_by_autocomplete(editor_client):
    for name in ["新华社", "新京报", "人民网"]:
        factories.source(name)
    for name in ["医疗机器人", "人工智能", "医保"]:
        factories.tag(name)
    sources = autocomplete(editor_client, "source", "新").json()["results"]
    assert sorted(r["text"] for r in sources) == ["新京报", "新华社"]
    tags = autocomplete(editor_client, "tags", "医").json()["results"]
    assert [r["text"] for r in tags] == ["医保", "医疗机器人"]  # by name
    assert autocomplete(Client(), "source", "新").status_code == 302  # to the login page


def test_the_issue_form_uses_autocomplete_and_offers_to_add_sources_and_tags(editor_client):
    html = editor_client.get(reverse("admin:bulletins_issue_add")).text
    for field in ["source", "tags"]:
        select = re.search(rf'<select[^>]*name="articles-__prefix__-{field}"[^>]*>', html)[0]
        assert "admin-autocomplete" in select, field
        assert f'id="add_id_articles-__prefix__-{field}"' in html
    assert 'href="/admin/bulletins/source/add/?_to_field=id&amp;_popup=1"' in html
    assert 'href="/admin/bulletins/tag/add/?_to_field=id&amp;_popup=1"' in html


def test_a_tag_and_a_source_can_be_created_on_the_spot(editor_client):
    aliases = {"aliases-TOTAL_FORMS": "0", "aliases-INITIAL_FORMS": "0"}
    for model, data in [
        (Tag, {"name": "数据要素"}),
        (Source, {"name": "健康报", "kind": "industry", **aliases}),
    ]:
        url = reverse(f"admin:bulletins_{model._meta.model_name}_add")
        response = editor_client.post(f"{url}?_to_field=id&_popup=1", {**data, "_popup": "1"})
        assert response.status_code == 200
        assert "data-popup-response" in response.text  # hands the new choice to the form
        created = model.objects.get(name=data["name"])
        assert created.slug == data["name"]


def test_issues_and_articles_link_to_the_site(editor_client, issues):
    issue = issues["w636"]
    article = issue.articles.get(position=1)
    for obj, admin_name in [(issue, "issue"), (article, "article")]:
        html = editor_client.get(
            reverse(f"admin:bulletins_{admin_name}_change", args=[obj.pk])
        ).text
        shortcut = re.search(r'href="(/admin/r/\d+/\d+/)" class="viewsitelink"', html)[1]
        response = editor_client.get(shortcut)
        assert response.status_code == 302
        assert response["Location"].endswith(obj.get_absolute_url())


def test_the_articles_inline_is_in_position_order(editor_client):
    issue = factories.issue()
    for position, title in [(3, "第三篇"), (1, "第一篇"), (2, "第二篇")]:
        factories.article(issue_obj=issue, position=position, title=title)
    html = editor_client.get(reverse("admin:bulletins_issue_change", args=[issue.pk])).text
    assert (
        html.index('value="第一篇"') < html.index('value="第二篇"') < html.index('value="第三篇"')
    )
