"""Loading parsed bulletins into the database: rows, sources, re-imports, all-or-nothing."""

import datetime
from pathlib import Path

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from bulletins.caching import version
from bulletins.importing import parse_document
from bulletins.importing.load import BulletinLoadError, load_bulletin, plan_bulletin
from bulletins.models import Article, Issue, Source, SourceAlias, Tag
from tests import factories
from tests.test_parse_docx import save, weekly_document

FIXTURES = Path(__file__).parent / "fixtures" / "bulletins"

pytestmark = pytest.mark.django_db


def text_of(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def parsed(name: str, text: str | None = None):
    return parse_document(name, (text if text is not None else text_of(name)).encode())


def database_state():
    """Everything an import may write, as comparable values."""
    return {
        "issues": sorted(Issue.objects.values_list("series__slug", "number", "status", "intro")),
        "articles": sorted(
            Article.objects.values_list("issue__number", "position", "title", "original_url")
        ),
        "sources": sorted(Source.objects.values_list("name", "slug", "kind")),
        "aliases": sorted(SourceAlias.objects.values_list("name", "source__name")),
        "tags": sorted(Tag.objects.values_list("name", flat=True)),
        "article_tags": sorted(Article.tags.through.objects.values_list("article_id", "tag_id")),
    }


def messages(problems) -> str:
    return "\n".join(problem.message for problem in problems)


# --- a first import -----------------------------------------------------------------------


def test_a_weekly_issue_is_stored_as_a_draft_with_its_articles():
    """Series, number, dates, period, intro and every article field land in their columns."""
    result = load_bulletin(parsed("weekly-701.txt"))
    issue = Issue.objects.get(pk=result.issue.pk)
    assert result.created
    assert (issue.series.slug, issue.number) == ("weekly", 701)
    assert issue.publication_date == datetime.date(2026, 3, 13)
    assert (issue.period_start, issue.period_end) == (
        datetime.date(2026, 3, 7),
        datetime.date(2026, 3, 13),
    )
    assert issue.intro.startswith("本期周报共收集3篇卫生健康大数据与政策研究相关信息")
    assert issue.status == Issue.Status.DRAFT
    assert not Issue.objects.published().exists()

    articles = list(issue.articles.order_by("position").select_related("source"))
    assert [a.position for a in articles] == [1, 2, 3]
    assert [a.title for a in articles] == [
        "某省推进电子健康档案跨院调阅",
        "社区医院引入智能随访助手",
        "医学影像云平台覆盖百家机构",
    ]
    assert [a.source.name for a in articles] == ["示例健康报", "示例晚报", "示例科技网"]
    assert [a.original_url for a in articles] == [
        "https://news.example.org/health/2026/0309/c1001-30112233.html",
        "https://www.example-evening.cn/content/2026-03/10/content_88123.htm?from=bulletin",
        "",
    ]
    assert [a.original_date for a in articles] == [
        datetime.date(2026, 3, 9),
        datetime.date(2026, 3, 10),
        datetime.date(2026, 3, 11),
    ]
    assert articles[2].original_title == "影像云平台接入机构突破一百家 患者可在线查看胶片"
    assert articles[0].body.startswith("本报讯记者从省卫生健康委获悉")
    assert articles[0].body.endswith("让数据多跑路、群众少跑腿。")
    assert "<h3>三项重点任务</h3>" in articles[0].body_html
    assert articles[0].summary.startswith("本报讯记者从省卫生健康委获悉")


@pytest.mark.parametrize(
    ("name", "series", "number", "count"),
    [
        ("weekly-701.txt", "weekly", 701, 3),  # 〇 in the number, plain text
        ("weekly-650-inline.txt", "weekly", 650, 2),  # 第六百五十期, fields on one line
        ("monthly-555.md", "monthly", 555, 5),  # Markdown 月报, five articles
        ("周报650.docx", "weekly", 650, 2),  # Word, built with python-docx
    ],
)
def test_every_layout_is_stored_as_parsed(name, series, number, count):
    """Each article's row holds exactly what the parser read: nothing lost or altered."""
    data = save(weekly_document()) if name.endswith(".docx") else (FIXTURES / name).read_bytes()
    bulletin = parse_document(name, data)
    issue = load_bulletin(bulletin).issue
    assert (issue.series.slug, issue.number) == (series, number)
    assert (issue.period_start, issue.period_end) == (bulletin.period_start, bulletin.period_end)
    rows = list(issue.articles.select_related("source").order_by("position"))
    assert len(rows) == count
    for row, article in zip(rows, bulletin.articles, strict=True):
        assert (row.title, row.original_title, row.original_url, row.original_date) == (
            article.title,
            article.original_title,
            article.link,
            article.original_date,
        )
        assert (row.source.name if row.source else "") == article.source
        assert row.body == article.body


def test_the_warnings_keep_their_line_numbers():
    """The parser's repairs reach the loader's result, each with the line it was made on."""
    result = load_bulletin(parsed("weekly-701.txt"))
    found = messages(result.warnings)
    assert "第77行：第3篇文章缺少链接" in found
    assert all(p.message.startswith(f"第{p.line}行") for p in result.warnings if p.line)


def test_publish_makes_the_issue_public_at_once():
    result = load_bulletin(parsed("monthly-555.md"), publish=True)
    issue = Issue.objects.published().get()
    assert issue.pk == result.issue.pk
    assert (issue.series.slug, issue.number) == ("monthly", 555)
    assert issue.published_at is not None
    assert Article.objects.published().count() == 5


def test_the_content_version_changes_with_an_import():
    before = version.current_version()
    load_bulletin(parsed("weekly-701.txt"))
    assert version.current_version() != before


def next_publication_lookups(queries) -> int:
    """How often a new content version was made (each asks for the next scheduled issue)."""
    return sum(q["sql"].startswith('SELECT "bulletins_issue"."published_at"') for q in queries)


def test_an_import_makes_one_new_content_version_however_many_rows_it_writes(
    django_capture_on_commit_callbacks,
):
    """An issue, four articles, their sources: one new version when it commits, not one
    (and a query) per row as before."""
    document = parsed("weekly-701.txt")
    before = version.current_version()
    with CaptureQueriesContext(connection) as during:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            load_bulletin(document, publish=True)
        after = version.current_version()
    assert len(document.articles) >= 3
    assert len(callbacks) == 1  # the new version for every reader
    assert next_publication_lookups(during.captured_queries) == 1
    assert after != before


# --- sources ------------------------------------------------------------------------------


def test_sources_are_matched_by_name_or_alias_and_created_only_when_new():
    known = factories.source("示例城市报")
    aliased = factories.source("示例商业报")
    SourceAlias.objects.create(name="示例商报", source=aliased)
    before = Source.objects.count()
    result = load_bulletin(parsed("monthly-555.md"))
    articles = list(result.issue.articles.order_by("position"))
    assert articles[0].source == known
    assert articles[1].source == aliased
    assert sorted(s.name for s in result.new_sources) == ["示例健康网", "示例政务网", "示例青年报"]
    assert Source.objects.count() == before + 3
    assert not Source.objects.filter(name="示例商报").exists()


def test_similar_names_stay_separate_until_an_editor_adds_an_alias():
    """北青网 is not 北京青年报 by itself; an alias made in the admin joins them."""
    paper = factories.source("北京青年报", kind=Source.Kind.LOCAL)
    text = text_of("monthly-555.md").replace("示例青年报", "北青网")
    first = load_bulletin(parsed("monthly-555.md", text))
    third = first.issue.articles.get(position=3)
    assert third.source.name == "北青网" and third.source != paper

    SourceAlias.objects.create(name="北青网", source=paper)
    third.source.articles.update(source=paper)
    Source.objects.filter(name="北青网").delete()
    again = load_bulletin(parsed("monthly-555.md", text))
    assert again.issue.articles.get(position=3).source == paper
    assert again.new_sources == []
    assert not Source.objects.filter(name="北青网").exists()


def test_a_new_source_gets_a_guessed_kind():
    text = text_of("weekly-701.txt").replace("示例健康报", "人民网")
    text = text.replace("示例晚报", "国家医保局")
    result = load_bulletin(parsed("weekly-701.txt", text))
    kinds = {source.name: source.kind for source in result.new_sources}
    assert kinds == {
        "人民网": Source.Kind.CENTRAL,
        "国家医保局": Source.Kind.GOVERNMENT,
        "示例科技网": Source.Kind.OTHER,
    }


# --- importing again ----------------------------------------------------------------------


def test_importing_the_same_document_twice_updates_the_one_issue():
    """One issue, the same articles (same permalinks), no new sources, the editors' tags kept."""
    first = load_bulletin(parsed("weekly-701.txt"))
    tagged = first.issue.articles.get(position=1)
    tagged.tags.add(factories.tag("电子病历"))
    state = database_state()
    ids = list(first.issue.articles.order_by("position").values_list("pk", flat=True))

    second = load_bulletin(parsed("weekly-701.txt"))
    assert not second.created
    assert second.issue.pk == first.issue.pk
    assert second.new_sources == []
    assert database_state() == state
    assert list(second.issue.articles.order_by("position").values_list("pk", flat=True)) == ids
    assert list(Article.objects.get(pk=tagged.pk).tags.values_list("name", flat=True)) == [
        "电子病历"
    ]


def test_a_corrected_document_updates_fields_in_place():
    first = load_bulletin(parsed("weekly-701.txt"))
    article = first.issue.articles.get(position=2)
    text = text_of("weekly-701.txt").replace("出院回家后谁来提醒复查？", "出院以后谁来提醒复查？")
    second = load_bulletin(parsed("weekly-701.txt", text))
    article.refresh_from_db()
    assert article.issue_id == second.issue.pk
    assert article.body.startswith("出院以后谁来提醒复查？")
    assert "出院以后谁来提醒复查？" in article.body_html
    assert Issue.objects.count() == 1 and Article.objects.count() == 3


def test_reordered_articles_keep_their_permalinks():
    """Articles are matched by link or title before position, so a moved article keeps its id."""
    load_bulletin(parsed("weekly-701.txt"))
    ids = {a.title: a.pk for a in Article.objects.all()}
    text = text_of("weekly-701.txt")
    head, body = text.split("二、具体内容")
    first, rest = body.split("2.标题：")
    second, third = rest.split("3.标题：")
    swapped = (
        head
        + "二、具体内容\n\n1.标题："
        + third.strip()
        + "\n\n2.标题："
        + second.strip()
        + "\n\n3.标题："
        + first.split("1.标题：")[1].strip()
        + "\n"
    )
    result = load_bulletin(parsed("weekly-701.txt", swapped))
    articles = list(result.issue.articles.order_by("position"))
    assert [a.title for a in articles] == [
        "医学影像云平台覆盖百家机构",
        "社区医院引入智能随访助手",
        "某省推进电子健康档案跨院调阅",
    ]
    assert all(ids[a.title] == a.pk for a in articles)


def test_a_shorter_document_removes_the_articles_it_no_longer_has():
    load_bulletin(parsed("monthly-555.md"))
    text = text_of("monthly-555.md").split("#### 4. 标题：")[0]
    plan = plan_bulletin(parsed("monthly-555.md", text))
    assert "现有5篇文章，本文档只有3篇，多出的将被删除" in messages(plan.warnings)
    result = load_bulletin(parsed("monthly-555.md", text))
    assert result.removed_articles == 2
    assert list(result.issue.articles.values_list("position", flat=True)) == [1, 2, 3]
    assert Article.objects.count() == 3


def test_a_published_issue_imported_again_goes_back_to_draft_and_the_plan_says_so():
    load_bulletin(parsed("weekly-701.txt"), publish=True)
    plan = plan_bulletin(parsed("weekly-701.txt"))
    assert not plan.creates
    assert "已存在，状态为“已发布”；导入后将改回草稿" in messages(plan.warnings)
    load_bulletin(parsed("weekly-701.txt"))
    assert Issue.objects.get().status == Issue.Status.DRAFT
    load_bulletin(parsed("weekly-701.txt"), publish=True)
    assert Issue.objects.published().count() == 1


# --- warnings that need the archive -------------------------------------------------------


def test_links_already_in_the_archive_name_the_earlier_issue():
    earlier = factories.issue(number=690, publication_date=datetime.date(2026, 1, 2))
    factories.article(
        issue_obj=earlier,
        original_url="https://news.example.org/health/2026/0309/c1001-30112233.html",
    )
    found = messages(plan_bulletin(parsed("weekly-701.txt")).warnings)
    assert "第1篇文章的原文链接已出现在周报 第六九〇期（已发布）中" in found


def test_a_number_that_does_not_follow_the_latest_issue_is_a_warning():
    factories.issue(number=705, publication_date=datetime.date(2026, 4, 10))
    found = messages(plan_bulletin(parsed("weekly-701.txt")).warnings)
    assert "本系列最新一期是第七〇五期" in found


def test_a_gap_and_an_overlapping_period_are_warnings():
    factories.issue(
        number=699,
        publication_date=datetime.date(2026, 3, 10),
        period_start=datetime.date(2026, 3, 4),
        period_end=datetime.date(2026, 3, 10),
    )
    found = messages(plan_bulletin(parsed("weekly-701.txt")).warnings)
    assert "中间缺少 1 期" in found
    assert "监测时段与第六九九期" in found


def test_a_publisher_other_than_the_series_one_is_a_warning():
    text = text_of("weekly-701.txt").replace(
        "北京市卫生健康大数据与政策研究中心", "示例市卫生健康信息中心", 1
    )
    found = messages(plan_bulletin(parsed("weekly-701.txt", text)).warnings)
    assert (
        "编发单位“示例市卫生健康信息中心”与系列设置的“北京市卫生健康大数据与政策研究中心”不同"
        in found
    )
    assert "编发单位" not in messages(plan_bulletin(parsed("weekly-701.txt")).warnings)


def test_the_next_number_in_a_tidy_series_raises_no_sequence_warning():
    factories.issue(
        number=700,
        publication_date=datetime.date(2026, 3, 6),
        period_start=datetime.date(2026, 2, 28),
        period_end=datetime.date(2026, 3, 6),
    )
    found = messages(plan_bulletin(parsed("weekly-701.txt")).warnings)
    assert "期号" not in found and "监测时段" not in found


# --- all or nothing -----------------------------------------------------------------------


def test_a_field_the_database_would_refuse_is_an_error_and_nothing_is_written():
    factories.source("示例晚报")
    state = database_state()
    long_title = "很长的标题" * 70
    text = text_of("weekly-701.txt").replace("社区医院引入智能随访助手", long_title)
    with pytest.raises(BulletinLoadError) as caught:
        load_bulletin(parsed("weekly-701.txt", text))
    assert "第2篇文章的标题" in str(caught.value)
    assert any(problem.line for problem in caught.value.problems)
    assert database_state() == state


def test_a_reversed_period_is_an_error():
    text = text_of("weekly-701.txt").replace(
        "时间从2026年3月7日到2026年3月13日", "时间从2026年3月13日到2026年3月7日"
    )
    with pytest.raises(BulletinLoadError, match="监测起始日不能晚于截止日"):
        load_bulletin(parsed("weekly-701.txt", text))
    assert not Issue.objects.exists()


def test_a_shortened_series_name_is_matched_with_a_warning():
    text = text_of("weekly-701.txt").replace(
        "全国卫生信息化舆情监测周报", "卫生信息化舆情监测周报", 1
    )
    result = load_bulletin(parsed("weekly-701.txt", text))
    assert result.issue.series.slug == "weekly"
    assert "刊名“卫生信息化舆情监测周报”与系列“全国卫生信息化舆情监测周报”不完全相同" in messages(
        result.warnings
    )


def test_an_unknown_series_is_an_error():
    text = text_of("weekly-701.txt").replace("全国卫生信息化舆情监测周报", "示例区卫生舆情周报", 1)
    with pytest.raises(BulletinLoadError, match="没有名为“示例区卫生舆情周报”的系列"):
        load_bulletin(parsed("weekly-701.txt", text))
    assert not Issue.objects.exists() and not Source.objects.exists()


def test_a_database_error_mid_way_leaves_the_database_unchanged(monkeypatch):
    """The issue, new sources and the first article are written, then the second fails."""
    load_bulletin(parsed("monthly-555.md"))
    state = database_state()
    original_save = Article.save
    calls = []

    def failing_save(self, *args, **kwargs):
        calls.append(self.title)
        if len(calls) == 2:
            raise DatabaseError("disk full")
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(Article, "save", failing_save)
    with pytest.raises(BulletinLoadError, match="写入数据库时出错.*disk full"):
        load_bulletin(parsed("weekly-701.txt"))
    assert len(calls) == 2
    assert database_state() == state


def test_a_constraint_the_database_enforces_rolls_everything_back(monkeypatch):
    """Even when the checks before writing miss something, the transaction undoes it all."""
    from bulletins.importing import load

    monkeypatch.setattr(load, "_validation_errors", lambda plan: [])
    text = text_of("weekly-701.txt").replace(
        "时间从2026年3月7日到2026年3月13日", "时间从2026年3月13日到2026年3月7日"
    )
    state = database_state()
    with pytest.raises(BulletinLoadError, match="写入数据库时出错"):
        load_bulletin(parsed("weekly-701.txt", text))
    assert database_state() == state
