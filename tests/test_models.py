"""The content model: constraints, slugs, ordering, what is public, labels and the 导语."""

import contextlib
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.encoding import iri_to_uri

from bulletins import facts
from bulletins.models import Article, Issue, Series, Source, Tag
from tests import factories

pytestmark = pytest.mark.django_db

NOW = timezone.now()
PAST = NOW - datetime.timedelta(hours=1)
FUTURE = NOW + datetime.timedelta(hours=1)


@contextlib.contextmanager
def refused():
    """The database refuses the write; the savepoint keeps the test's transaction usable."""
    with pytest.raises(IntegrityError), transaction.atomic():
        yield


# Constraints


def test_an_issue_number_is_unique_within_its_series_only():
    factories.issue(number=636)
    factories.issue(series_slug="monthly", number=636)  # the other series may use it
    with refused():
        factories.issue(number=636)
    assert Issue.objects.filter(number=636).count() == 2


def test_an_article_position_is_unique_within_its_issue_only():
    first, second = factories.issue(), factories.issue()
    factories.article(issue_obj=first, position=1)
    factories.article(issue_obj=second, position=1)
    with refused():
        factories.article(issue_obj=first, position=1)
    assert Article.objects.filter(position=1).count() == 2


def test_the_covered_period_may_not_end_before_it_starts():
    issue = factories.issue(
        period_start=datetime.date(2025, 8, 2), period_end=datetime.date(2025, 8, 8)
    )
    issue.period_start, issue.period_end = issue.period_end, issue.period_start
    with pytest.raises(ValidationError, match="监测起始日不能晚于截止日"):
        issue.full_clean()
    with refused():
        issue.save()


def test_a_period_open_at_either_end_or_one_day_long_is_allowed():
    day = datetime.date(2025, 8, 8)
    for start, end in [(None, day), (day, None), (None, None), (day, day)]:
        issue = factories.issue(period_start=start, period_end=end)
        issue.full_clean()


@pytest.mark.parametrize("model", [Source, Tag])
def test_source_and_tag_names_are_unique(model):
    model.objects.create(name="人民网")
    with refused():
        model.objects.create(name="人民网", slug="renmin")


# Slugs


def test_slugs_are_made_from_chinese_names_and_kept_readable():
    assert factories.source("人民网").slug == "人民网"
    assert factories.tag("健康码与电子健康卡").slug == "健康码与电子健康卡"
    assert factories.tag("AI 医疗").slug == "ai-医疗"


def test_names_that_make_the_same_slug_get_numbered_slugs():
    assert factories.tag("AI 医疗").slug == "ai-医疗"
    assert factories.tag("AI-医疗").slug == "ai-医疗-2"
    assert factories.tag("ai，医疗").slug == "ai医疗"
    # A name with no letters at all still gets a usable, unique slug.
    assert factories.tag("！！").slug == "item"
    assert factories.tag("？？").slug == "item-2"


def test_long_names_get_slugs_that_fit_their_column():
    base = "国家卫生健康委员会统计信息中心" * 6  # 90 characters
    first = factories.source(base + "一")
    second = factories.source(base + "二")
    assert first.slug == base[:80]
    assert second.slug == base[:80] + "-2"
    assert len(second.slug) <= Source._meta.get_field("slug").max_length


def test_a_slug_does_not_change_when_the_name_does():
    """Permalinks are stable: renaming a tag or source keeps its URL."""
    tag = factories.tag("互联网医院")
    source = factories.source("新华社")
    tag.name, source.name = "互联网诊疗", "新华通讯社"
    tag.save()
    source.save()
    tag.refresh_from_db()
    source.refresh_from_db()
    assert (tag.slug, source.slug) == ("互联网医院", "新华社")


def test_an_editor_given_slug_is_kept():
    assert Source.objects.create(name="新华社", slug="xinhua").slug == "xinhua"


def test_permalinks_use_the_fixed_url_shapes():
    issue = factories.issue(number=636)
    article = factories.article(issue_obj=issue, position=2)
    assert factories.series("monthly").get_absolute_url() == "/issues/monthly/"
    assert issue.get_absolute_url() == "/issues/weekly/636/"
    assert article.get_absolute_url() == f"/articles/{article.pk}/"
    assert article.location_in_issue == "/issues/weekly/636/#article-2"
    assert factories.tag("医保").get_absolute_url() == iri_to_uri("/tags/医保/")
    assert factories.source("北京日报").get_absolute_url() == iri_to_uri("/sources/北京日报/")


# Ordering


def test_the_two_series_exist_weekly_first():
    assert [(s.slug, s.short_name, s.name) for s in Series.objects.all()] == [
        ("weekly", "周报", "全国卫生信息化舆情监测周报"),
        ("monthly", "月报", "北京市卫生信息化舆情监测月报"),
    ]
    assert {s.publisher for s in Series.objects.all()} == {"北京市卫生健康大数据与政策研究中心"}


def test_issues_are_ordered_newest_first_then_by_number():
    day = datetime.date(2025, 7, 31)
    factories.issue(number=630, publication_date=day - datetime.timedelta(days=7))
    factories.issue(series_slug="monthly", number=540, publication_date=day)
    factories.issue(number=640, publication_date=day + datetime.timedelta(days=7))
    factories.issue(number=631, publication_date=day)
    assert [i.number for i in Issue.objects.all()] == [640, 631, 540, 630]


def test_articles_are_ordered_by_issue_newest_first_then_by_position():
    older = factories.issue(publication_date=datetime.date(2025, 1, 3))
    newer = factories.issue(publication_date=datetime.date(2025, 1, 10))
    for issue in (older, newer):
        for position in (3, 1, 2):  # created out of order
            factories.article(issue_obj=issue, position=position, title=f"{issue.pk}-{position}")
    expected = [f"{i.pk}-{p}" for i in (newer, older) for p in (1, 2, 3)]
    assert [a.title for a in Article.objects.all()] == expected
    assert [a.position for a in older.articles.all()] == [1, 2, 3]


def test_sources_and_tags_are_ordered_by_name():
    for name in ["新华社", "人民网", "北京日报"]:
        factories.source(name)
        factories.tag(name)
    names = sorted(["新华社", "人民网", "北京日报"])
    assert [s.name for s in Source.objects.all()] == names
    assert [t.name for t in Tag.objects.all()] == names


# What is public


STATES = {
    "draft": (Issue.Status.DRAFT, None, False),
    "draft with a past time": (Issue.Status.DRAFT, PAST, False),
    "in review with a past time": (Issue.Status.REVIEW, PAST, False),
    "scheduled": (Issue.Status.PUBLISHED, FUTURE, False),
    "published": (Issue.Status.PUBLISHED, PAST, True),
}


@pytest.mark.parametrize("state", STATES)
def test_published_issues_and_their_articles_are_the_only_public_ones(state):
    status, published_at, public = STATES[state]
    issue = factories.issue(status=status, published_at=published_at)
    article = factories.article(issue_obj=issue)
    assert (issue in Issue.objects.published()) is public
    assert (article in Article.objects.published()) is public
    assert issue.is_published() is public


def test_article_published_agrees_with_issue_published():
    """Two spellings of one rule: an article is public exactly when its issue is."""
    for status, published_at, _public in STATES.values():
        factories.article(issue_obj=factories.issue(status=status, published_at=published_at))
    public_issues = Issue.objects.published()
    assert set(Article.objects.published()) == set(Article.objects.filter(issue__in=public_issues))
    assert Article.objects.published().count() == 1


def test_publishing_without_a_time_makes_the_issue_public_at_once():
    issue = factories.draft_issue()
    issue.status = Issue.Status.PUBLISHED
    issue.save()
    assert issue.published_at is not None and issue.published_at <= timezone.now()
    assert issue in Issue.objects.published()


def test_a_scheduled_issue_becomes_public_the_moment_its_time_comes(monkeypatch):
    moment = timezone.now() + datetime.timedelta(days=2)
    issue = factories.issue(published_at=moment)
    article = factories.article(issue_obj=issue)

    monkeypatch.setattr(timezone, "now", lambda: moment - datetime.timedelta(seconds=1))
    assert issue.is_scheduled() and not issue.is_published()
    assert not Issue.objects.published().exists()
    assert not Article.objects.published().exists()

    monkeypatch.setattr(timezone, "now", lambda: moment)
    assert issue.is_published() and not issue.is_scheduled()
    assert list(Issue.objects.published()) == [issue]
    assert list(Article.objects.published()) == [article]


def test_neighbours_are_the_public_issues_of_the_same_series():
    day = datetime.date(2025, 8, 8)
    previous = factories.issue(number=634, publication_date=day - datetime.timedelta(days=14))
    factories.draft_issue(number=635, publication_date=day - datetime.timedelta(days=7))
    current = factories.issue(number=636, publication_date=day)
    factories.issue(series_slug="monthly", number=637, publication_date=day)
    factories.scheduled_issue(number=637, publication_date=day + datetime.timedelta(days=7))
    following = factories.issue(number=638, publication_date=day + datetime.timedelta(days=14))
    assert facts.issue_neighbours(current) == (previous, following)
    assert facts.issue_neighbours(previous) == (None, current)
    assert facts.issue_neighbours(following) == (current, None)


# Labels, titles and the generated 导语


def test_labels_and_titles_are_written_as_the_centre_writes_them():
    weekly = factories.issue(number=636)
    monthly = factories.issue(series_slug="monthly", number=540)
    assert weekly.label == "第六三六期"
    assert str(weekly) == "周报 第六三六期"
    assert weekly.title == "全国卫生信息化舆情监测周报（第六三六期）"
    assert monthly.label == "第五四〇期"
    assert str(monthly) == "月报 第五四〇期"


def test_the_generated_intro_counts_the_articles_and_names_the_period():
    issue = factories.issue(
        period_start=datetime.date(2025, 8, 2), period_end=datetime.date(2025, 8, 8), intro=""
    )
    for _ in range(3):
        factories.article(issue_obj=issue)
    expected = (
        "本期周报共收集3篇卫生健康大数据与政策研究相关信息，"
        "时间从2025年8月2日到2025年8月8日，监测范围包括全国主流媒体及政府网站等。"
    )
    assert issue.generated_intro() == expected
    assert issue.display_intro == expected
    issue.intro = "编辑自己写的导语。"
    assert issue.display_intro == "编辑自己写的导语。"


def test_the_generated_intro_leaves_out_a_period_it_does_not_know():
    issue = factories.issue(series_slug="monthly", period_start=None, period_end=None)
    assert issue.generated_intro() == (
        "本期月报共收集0篇卫生健康大数据与政策研究相关信息，监测范围包括全国主流媒体及政府网站等。"
    )


def test_the_generated_intro_uses_prefetched_articles(django_assert_num_queries):
    issue = factories.issue()
    factories.article(issue_obj=issue)
    factories.article(issue_obj=issue)
    loaded = Issue.objects.select_related("series").prefetch_related("articles").get(pk=issue.pk)
    with django_assert_num_queries(0):
        assert "共收集2篇" in loaded.generated_intro()


# The article body


def test_the_markdown_body_is_rendered_once_on_save():
    article = factories.article(
        body="第一段，有**加粗**的词。\n\n### 小标题\n\n*图 | 现场照片 记者 摄*\n\n"
        "<script>alert(1)</script>最后一段。"
    )
    html = article.body_html
    assert "<p>第一段，有<strong>加粗</strong>的词。</p>" in html
    assert "<h3>小标题</h3>" in html
    assert '<figure class="caption"><figcaption>图 | 现场照片 记者 摄</figcaption></figure>' in html
    assert "<script>" not in html
    assert article.summary == "第一段，有加粗的词。"
    article.body = "改过的正文，一整段。"
    article.save()
    assert Article.objects.get(pk=article.pk).body_html == "<p>改过的正文，一整段。</p>\n"


def test_saving_only_some_fields_still_writes_what_is_computed_from_them():
    """update_or_create() and save(update_fields=…) write the rendered body and the
    publication time along with the fields they came from."""
    article = factories.article(body="旧的正文，一整段文字。")
    article.body = "新的正文，一整段文字。"
    article.save(update_fields=["body"])
    stored = Article.objects.get(pk=article.pk)
    assert stored.body_html == "<p>新的正文，一整段文字。</p>\n"
    assert stored.summary == "新的正文，一整段文字。"

    Article.objects.update_or_create(
        issue=article.issue, position=article.position, defaults={"body": "第三版正文，一整段。"}
    )
    assert Article.objects.get(pk=article.pk).body_html == "<p>第三版正文，一整段。</p>\n"

    issue = factories.draft_issue()
    issue.status = Issue.Status.PUBLISHED
    issue.save(update_fields=["status"])
    assert issue in Issue.objects.published()
