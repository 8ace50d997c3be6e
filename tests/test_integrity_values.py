"""Values the archive can always publish (issue 20): clean text, sane dates, bounded positions,
and an order that only a reviewer changes once an issue is published.

Through the admin as an editor and a reviewer post its forms, through the feeds and pages as
a reader (and a feed reader) gets them, and through the model as any other writer does.
"""

import datetime
import re
import xml.dom.minidom
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bulletins.editorial import history
from bulletins.importing import parse_document
from bulletins.importing.load import plan_bulletin
from bulletins.models import (
    Article,
    Issue,
    Series,
    Source,
    SourceAlias,
    Tag,
    free_positions,
)
from bulletins.text.cleaning import clean_line, clean_text
from tests import factories
from tests.admin_forms import form_data, post_form

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures" / "bulletins"

# What a copy-paste from Word and friends brings: a manual line break (\v), a page break,
# CR line ends, Unicode line/paragraph separators, controls, DEL, C1, noncharacters.
DIRTY = "甲\x0b乙\x0c丙\r\n丁\r戊\u2028己\u2029庚\x01\x08\x1f\x7f\x85\x9f\ufffe\uffff辛"
# Characters neither XML 1.0 nor HTML may carry (tab, line feed and CR aside).
FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]"
)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def editor_client():
    return client_for(factories.editor())


@pytest.fixture
def reviewer_client():
    return client_for(factories.reviewer())


def change_url(obj) -> str:
    return reverse(f"admin:bulletins_{obj._meta.model_name}_change", args=[obj.pk])


def feed_urls(archive) -> list[str]:
    """Every RSS and Atom feed that shows the archive's content."""
    urls = []
    for suffix in ("", "-atom"):
        urls += [
            reverse(f"bulletins:issues-feed{suffix}"),
            reverse(f"bulletins:articles-feed{suffix}"),
            reverse(f"bulletins:series-feed{suffix}", kwargs={"series": "weekly"}),
            reverse(f"bulletins:series-feed{suffix}", kwargs={"series": "monthly"}),
            reverse(f"bulletins:tag-feed{suffix}", kwargs={"slug": archive.tag.slug}),
            reverse(f"bulletins:source-feed{suffix}", kwargs={"slug": archive.source.slug}),
        ]
    return urls


def fresh_caches():
    """A reader's next request is built afresh (tests do not commit, so no new version)."""
    for name in ("default", "fragments"):
        caches[name].clear()


def well_formed_feed(client, url) -> feedparser.FeedParserDict:
    response = client.get(url)
    assert response.status_code == 200, url
    xml.dom.minidom.parseString(response.content)  # strict XML 1.0: raises on any fault
    feed = feedparser.parse(response.content)
    assert not feed.bozo, (url, feed.get("bozo_exception"))
    assert feed.entries, url
    return feed


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text = []

    def handle_data(self, data):
        self.text.append(data)


def page_text(client, url) -> str:
    """The page's text, after checking it carries no character HTML forbids."""
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode("utf-8")
    assert not FORBIDDEN.search(html), (url, FORBIDDEN.search(html))
    reader = _Text()
    reader.feed(html)
    reader.close()
    return "".join(reader.text)


def raw_update(model, pk, **values):
    """Write values as a path outside Django would (another tool, an old row)."""
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(f"{connection.ops.quote_name(name)} = %s" for name in values)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {columns} WHERE id = %s", [*values.values(), pk])


def form_errors(response) -> str:
    """The error messages an admin page shows (its error lists' text)."""
    if response.status_code != 200:
        return ""
    lists = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.text, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", item) for item in lists)


# --- Clean text ----------------------------------------------------------------------------


def test_cleaning_keeps_text_and_one_kind_of_line_break():
    assert clean_text(DIRTY) == "甲\n乙\n丙\n丁\n戊\n己\n庚\n辛"
    assert clean_line(DIRTY) == "甲 乙 丙 丁 戊 己 庚 辛"
    assert (
        clean_text("第一段\t制表\n\n第二段 ABC　全角空格") == "第一段\t制表\n\n第二段 ABC　全角空格"
    )
    assert clean_text("孤\ud800字\U0001fffe") == "孤字"


@given(st.text(alphabet=st.characters(exclude_categories=())))
def test_cleaned_text_is_fit_for_xml_and_cleaning_twice_changes_nothing(text):
    for clean in (clean_text, clean_line):
        cleaned = clean(text)
        assert not FORBIDDEN.search(cleaned) and "\r" not in cleaned
        assert clean(cleaned) == cleaned
        cleaned.encode("utf-8")
    assert "\n" not in clean_line(text)


def test_every_way_of_writing_a_text_field_stores_it_clean(archive):
    """save(), update(), bulk_create() (what a restore uses) and full_clean() (forms)."""
    article = archive.articles[0]
    article.title, article.body = f"标题{DIRTY}", f"正文{DIRTY}"
    article.save()
    assert article.title == clean_line(f"标题{DIRTY}")  # the object agrees with its row
    assert article.body == clean_text(f"正文{DIRTY}")
    assert "\x0b" not in article.body_html and "\ufffe" not in article.body_html
    stored = Article.objects.values("title", "body").get(pk=article.pk)
    assert stored == {"title": article.title, "body": article.body}

    Issue.objects.filter(pk=archive.issues[0].pk).update(intro=f"导语{DIRTY}")
    assert Issue.objects.get(pk=archive.issues[0].pk).intro == clean_text(f"导语{DIRTY}")

    Tag.objects.bulk_create([Tag(name=f"新标签{DIRTY}", slug="new-tag")])
    assert Tag.objects.get(slug="new-tag").name == clean_line(f"新标签{DIRTY}")

    series = Series(
        name=f"系列{DIRTY}", short_name="简报", slug="brief", frequency="weekly", position=9
    )
    series.full_clean()
    assert series.name == clean_line(f"系列{DIRTY}")


def test_stored_text_with_forbidden_characters_still_makes_well_formed_feeds(client, archive):
    """Rows written around the model (another tool, an old database): the feed writer
    still answers, with the characters left out."""
    article, issue = archive.articles[0], archive.issues[0]
    raw_update(Article, article.pk, title=f"旧标题{DIRTY}", body_html=f"<p>{DIRTY}</p>")
    raw_update(Issue, issue.pk, intro=f"旧导语{DIRTY}")
    raw_update(Tag, archive.tag.pk, name=f"医保{DIRTY}")
    raw_update(Source, archive.source.pk, name=f"人民网{DIRTY}")
    for url in feed_urls(archive):
        well_formed_feed(client, url)
    titles = [e.title for e in well_formed_feed(client, "/feeds/articles/atom/").entries]
    assert "旧标题甲\n乙\n丙\n丁\n戊\n己\n庚\n辛" in titles


def test_control_characters_typed_into_every_text_field_leave_feeds_and_pages_well_formed(
    client, archive, editor_client
):
    """An editor corrects a published issue by pasting from Word; sources and tags too."""
    issue = archive.issues[0]  # weekly 637, published
    first = issue.articles.first()
    response = post_form(
        editor_client,
        change_url(issue),
        "issue_form",
        {
            "intro": f"导语{DIRTY}",
            "articles-0-title": f"标题{DIRTY}",
            "articles-0-original_title": f"来源标题{DIRTY}",
            "articles-0-body": f"第一段{DIRTY}\n\n第二段",
            "articles-1-title": "另一篇\x0b标题",
        },
    )
    assert response.status_code == 302, form_errors(response)
    for obj, changes in (
        (archive.source, {"name": f"人民{DIRTY}"}),
        (archive.tag, {"name": f"医保{DIRTY}", "description": f"说明{DIRTY}"}),
    ):
        form_id = f"{obj._meta.model_name}_form"
        response = post_form(editor_client, change_url(obj), form_id, changes)
        assert response.status_code == 302, form_errors(response)
    # Series are the site administrator's (shell or admin); an alias is an editor's.
    Series.objects.filter(slug="weekly").update(description=f"简介{DIRTY}")
    SourceAlias.objects.create(name=f"别名{DIRTY}", source=archive.source)

    first.refresh_from_db()
    assert first.title == "标题甲 乙 丙 丁 戊 己 庚 辛"
    assert Issue.objects.get(pk=issue.pk).intro == clean_text(f"导语{DIRTY}")
    for model in (Series, Issue, Article, Source, SourceAlias, Tag):
        for row in model.objects.values():
            for name, value in row.items():
                if isinstance(value, str):
                    assert not FORBIDDEN.search(value), (model, name, value)
    archive.tag.refresh_from_db()
    archive.source.refresh_from_db()

    fresh_caches()
    for url in feed_urls(archive):
        well_formed_feed(client, url)
    issue_page = page_text(client, issue.get_absolute_url())
    assert "标题甲 乙 丙 丁 戊 己 庚 辛" in issue_page and "另一篇 标题" in issue_page
    assert "导语甲" in issue_page
    assert "人民甲 乙 丙" in issue_page  # the source's new name
    assert "标题甲 乙" in page_text(client, first.get_absolute_url())
    for url in ("/", "/articles/", archive.tag.get_absolute_url()):
        assert "标题甲 乙" in page_text(client, url), url
    assert "人民甲 乙" in page_text(client, archive.source.get_absolute_url())
    xml.dom.minidom.parseString(client.get("/sitemap.xml").content)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=st.text(alphabet=st.characters(exclude_categories=()), max_size=40))
def test_any_text_written_through_the_model_makes_well_formed_feeds(client, archive, text):
    article = archive.articles[0]  # in weekly 637, tagged 医保, from 人民网
    article.title = f"题{text}"
    article.original_title = text
    article.body = f"{text}\n\n第二段：{text}"
    article.save()
    Issue.objects.filter(pk=article.issue_id).update(intro=text)
    Article.objects.filter(pk=archive.articles[1].pk).update(title=f"题{text}", body=text)
    Tag.objects.filter(pk=archive.tag.pk).update(name=f"医保{text}")
    Source.objects.filter(pk=archive.source.pk).update(name=f"人民网{text}")
    fresh_caches()
    for url in feed_urls(archive):
        well_formed_feed(client, url)


# --- Dates ---------------------------------------------------------------------------------


def test_a_date_outside_1949_to_2100_is_refused_in_the_form_naming_the_field(
    editor_client, reviewer_client
):
    draft = factories.draft_issue(number=700)
    factories.article(issue_obj=draft)
    before = Issue.objects.values().get(pk=draft.pk)
    response = post_form(
        editor_client,
        change_url(draft),
        "issue_form",
        {"publication_date": "9999-12-31", "period_end": "2101-01-01"},
    )
    errors = form_errors(response)
    assert "出刊日期应在1949年1月1日至2100年12月31日之间" in errors
    assert "监测截止日应在1949年1月1日至2100年12月31日之间" in errors
    response = post_form(
        reviewer_client, change_url(draft), "issue_form", {"articles-0-original_date": "1900-01-01"}
    )
    assert "原文日期应在1949年1月1日至2100年12月31日之间" in form_errors(response)
    assert Issue.objects.values().get(pk=draft.pk) == before
    assert draft.articles.get().original_date == draft.publication_date


def test_the_model_refuses_dates_outside_the_range_and_accepts_its_ends():
    issue = Issue(
        series=factories.series(),
        number=1,
        publication_date=datetime.date(1949, 1, 1),
        period_end=datetime.date(2100, 12, 31),
    )
    issue.full_clean(validate_constraints=False)
    issue.publication_date = datetime.date(1948, 12, 31)
    with pytest.raises(ValidationError) as refused:
        issue.full_clean(validate_constraints=False)
    assert list(refused.value.message_dict) == ["publication_date"]


def test_an_imported_date_outside_the_range_is_a_problem_naming_the_field():
    text = (FIXTURES / "weekly-701.txt").read_text(encoding="utf-8")
    text = text.replace("2026年3月13日", "2101年3月13日", 1)
    plan = plan_bulletin(parse_document("weekly-701.txt", text.encode()))
    messages = "\n".join(problem.message for problem in plan.errors)
    assert "出刊日期" in messages and "2100年12月31日" in messages, messages


@pytest.mark.parametrize("day", [datetime.date(9999, 12, 31), datetime.date(1, 1, 1)])
def test_a_stored_date_out_of_range_breaks_no_page_and_no_feed(
    client, reviewer_client, archive, day
):
    """Rows written before dates were checked (or around the model)."""
    issue = archive.issues[0]
    Issue.objects.filter(pk=issue.pk).update(publication_date=day, period_start=day, period_end=day)
    Article.objects.filter(issue=issue).update(original_date=day)
    for url in feed_urls(archive):
        well_formed_feed(client, url)
    pages = [
        "/",
        "/issues/",
        "/issues/weekly/",
        issue.get_absolute_url(),
        archive.articles[0].get_absolute_url(),
        "/articles/",
        archive.tag.get_absolute_url(),
        "/sitemap.xml",
    ]
    for url in pages:
        assert client.get(url).status_code == 200, url
    assert reviewer_client.get(change_url(issue)).status_code == 200
    assert reviewer_client.get(reverse("admin:bulletins_issue_changelist")).status_code == 200


# --- Positions -----------------------------------------------------------------------------


def new_rows(data, start: int, rows: list[dict]) -> None:
    """Add inline article rows as the page's script would (no position unless given)."""
    for offset, row in enumerate(rows):
        for name, value in row.items():
            data[f"articles-{start + offset}-{name}"] = value
    data["articles-TOTAL_FORMS"] = str(start + len(rows))


def post_data(client, url):
    """The issue form as the page would post it (a QueryDict to change)."""
    page = client.get(url)
    assert page.status_code == 200
    return form_data(page.text, "issue_form")


def test_the_blank_row_proposes_the_next_free_position(editor_client):
    draft = factories.draft_issue()
    for position in (1, 2, 5):
        factories.article(issue_obj=draft, position=position)
    data = post_data(editor_client, change_url(draft))
    assert data["articles-3-position"] == "6"
    assert data["articles-TOTAL_FORMS"] == "4"


def test_two_articles_added_by_hand_are_saved_without_touching_positions(editor_client):
    draft = factories.draft_issue()
    factories.article(issue_obj=draft, title="原有的一篇")
    data = post_data(editor_client, change_url(draft))
    # The blank row the page shows (its 序号 proposed), and one added by the script.
    data["articles-1-title"] = "手工加的第一篇"
    new_rows(data, 2, [{"title": "手工加的第二篇", "body": "正文。"}])
    response = editor_client.post(change_url(draft), {k: data.getlist(k) for k in data})
    assert response.status_code == 302, form_errors(response)
    assert list(draft.articles.values_list("position", "title")) == [
        (1, "原有的一篇"),
        (2, "手工加的第一篇"),
        (3, "手工加的第二篇"),
    ]


def test_a_new_issue_with_two_articles_and_no_positions_numbers_them(editor_client):
    add = reverse("admin:bulletins_issue_add")
    data = post_data(editor_client, add)
    data.update(
        {
            "series": str(factories.series().pk),
            "number": "777",
            "publication_date": "2025-08-08",
            "status": Issue.Status.DRAFT,
        }
    )
    data.setlist("articles-0-position", [""])
    data["articles-0-title"] = "第一篇"
    new_rows(data, 1, [{"title": "第二篇"}])
    response = editor_client.post(add, {k: data.getlist(k) for k in data})
    assert response.status_code == 302, form_errors(response)
    issue = Issue.objects.get(number=777)
    assert list(issue.articles.values_list("position", "title")) == [(1, "第一篇"), (2, "第二篇")]


def test_duplicate_positions_are_explained_in_chinese_naming_the_field(editor_client):
    draft = factories.draft_issue()
    factories.article(issue_obj=draft, title="第一篇")
    data = post_data(editor_client, change_url(draft))
    data["articles-1-title"] = "第二篇"
    data["articles-1-position"] = "1"
    response = editor_client.post(change_url(draft), {k: data.getlist(k) for k in data})
    errors = form_errors(response)
    assert "序号重复：同一期中每篇文章的序号须各不相同" in errors
    assert not re.search("[A-Za-z]", errors), errors  # no field named by its code name
    assert list(draft.articles.values_list("title", flat=True)) == ["第一篇"]


def test_positions_outside_1_to_999_are_refused(editor_client):
    draft = factories.draft_issue()
    factories.article(issue_obj=draft)
    for position in ("0", "1000", "-3"):
        response = post_form(
            editor_client, change_url(draft), "issue_form", {"articles-0-position": position}
        )
        assert "序号应在1至999之间" in form_errors(response)
    assert draft.articles.get().position == 1
    with pytest.raises(ValidationError):
        Article(issue=draft, title="标题", position=1000).full_clean(validate_constraints=False)


def test_free_positions_follow_the_last_then_fill_gaps():
    assert next(free_positions([])) == 1
    assert next(free_positions([1, 2, 7])) == 8
    assert list(free_positions([*range(2, 999), 999]))[:1] == [1]
    assert list(free_positions(range(1, 1000))) == []


def test_an_article_at_position_999_can_be_moved_deleted_and_restored(reviewer_client):
    public = factories.issue()
    factories.article(issue_obj=public, position=1, title="第一篇")
    factories.article(issue_obj=public, position=999, title="最后一篇")
    url = change_url(public)
    assert post_form(reviewer_client, url, "issue_form").status_code == 302  # a version
    # Swap them: both step aside, then take their new places.
    response = post_form(
        reviewer_client,
        url,
        "issue_form",
        {"articles-0-position": "999", "articles-1-position": "1"},
    )
    assert response.status_code == 302, form_errors(response)
    assert list(public.articles.values_list("position", "title")) == [
        (1, "最后一篇"),
        (999, "第一篇"),
    ]
    response = post_form(reviewer_client, url, "issue_form", {"articles-1-DELETE": "on"})
    assert response.status_code == 302, form_errors(response)
    assert list(public.articles.values_list("title", flat=True)) == ["最后一篇"]
    # Restore the first version: 最后一篇 goes back to 999, 第一篇 comes back at 1.
    first_version = list(history.issue_versions(public))[-1]
    restore = reverse("admin:bulletins_issue_restore", args=[public.pk, first_version.pk])
    assert reviewer_client.post(restore).status_code == 302
    assert list(public.articles.values_list("position", "title")) == [
        (1, "第一篇"),
        (999, "最后一篇"),
    ]


def test_setting_aside_never_overflows_even_for_positions_stored_before_the_bounds():
    draft = factories.draft_issue()
    old = factories.article(issue_obj=draft, position=1)
    raw_update(Article, old.pk, position=32_000)
    Article.objects.filter(pk=old.pk).step_aside()
    Article.objects.filter(pk=old.pk).step_aside()  # twice: stays where it is
    assert Article.objects.get(pk=old.pk).position == -32_000
    Article.objects.filter(pk=old.pk).update(position=3)
    assert Article.objects.get(pk=old.pk).position == 3


def test_an_old_position_beyond_999_can_be_corrected_in_the_form(reviewer_client):
    draft = factories.draft_issue()
    old = factories.article(issue_obj=draft, position=1)
    raw_update(Article, old.pk, position=30_000)
    response = post_form(reviewer_client, change_url(draft), "issue_form", {})
    assert "序号应在1至999之间" in form_errors(response)
    response = post_form(
        reviewer_client, change_url(draft), "issue_form", {"articles-0-position": "2"}
    )
    assert response.status_code == 302, form_errors(response)
    assert Article.objects.get(pk=old.pk).position == 2


# --- Order is what is published ------------------------------------------------------------


def order(issue) -> list:
    return list(issue.articles.values_list("pk", "position", "updated_at"))


@pytest.mark.parametrize("scheduled", [False, True])
def test_an_editor_may_not_reorder_a_published_or_scheduled_issue(editor_client, scheduled):
    make = factories.scheduled_issue if scheduled else factories.issue
    public = make()
    factories.article(issue_obj=public, title="第一篇")
    factories.article(issue_obj=public, title="第二篇")
    before = order(public)
    response = post_form(
        editor_client,
        change_url(public),
        "issue_form",
        {"articles-0-position": "2", "articles-1-position": "1"},
    )
    assert response.status_code == 200
    assert "文章顺序只有审核人可以调整" in form_errors(response) or (
        "文章顺序只有审核人可以调整" in response.text
    )
    assert order(public) == before
    # Renumbering without changing the order changes the anchors readers cite: refused too.
    response = post_form(
        editor_client, change_url(public), "issue_form", {"articles-1-position": "5"}
    )
    assert "文章顺序只有审核人可以调整" in response.text
    assert order(public) == before


def test_an_editor_may_not_move_an_article_of_a_published_issue_in_its_own_form(editor_client):
    public = factories.issue()
    article = factories.article(issue_obj=public)
    response = post_form(editor_client, change_url(article), "article_form", {"position": "7"})
    assert "文章顺序只有审核人可以调整" in form_errors(response)
    article.refresh_from_db()
    assert article.position == 1


def test_a_reviewer_reorders_a_published_issue(reviewer_client, client):
    public = factories.issue()
    factories.article(issue_obj=public, title="第一篇")
    factories.article(issue_obj=public, title="第二篇")
    response = post_form(
        reviewer_client,
        change_url(public),
        "issue_form",
        {"articles-0-position": "2", "articles-1-position": "1"},
    )
    assert response.status_code == 302, form_errors(response)
    assert list(public.articles.values_list("title", flat=True)) == ["第二篇", "第一篇"]
    fresh_caches()
    page = client.get(public.get_absolute_url()).text
    assert page.index("第二篇") < page.index("第一篇")


def test_an_editor_still_reorders_a_draft(editor_client):
    draft = factories.draft_issue()
    factories.article(issue_obj=draft, title="第一篇")
    factories.article(issue_obj=draft, title="第二篇")
    response = post_form(
        editor_client,
        change_url(draft),
        "issue_form",
        {"articles-0-position": "2", "articles-1-position": "1"},
    )
    assert response.status_code == 302, form_errors(response)
    assert list(draft.articles.values_list("title", flat=True)) == ["第二篇", "第一篇"]
