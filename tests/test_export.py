"""The bulletin as a distributable document: print page, Word file, citations, 导语."""

import datetime
import io
import re

import docx
import pytest
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone

from bulletins.text.formatting import standard_intro
from tests import factories


@pytest.fixture
def bulletin():
    issue = factories.issue(
        number=636,
        publication_date=datetime.date(2025, 8, 8),
        period_start=datetime.date(2025, 8, 2),
        period_end=datetime.date(2025, 8, 8),
        intro="",
    )
    factories.article(
        issue_obj=issue,
        title="推动人工智能应用于医保",
        source=factories.source("中国科技网"),
        original_url="http://www.example.cn/a.shtml",
        body="第一段**加粗**内容。\n\n### 小标题\n\n*图 | 现场照片 记者 摄*\n\n最后一段。",
    )
    factories.article(
        issue_obj=issue,
        title="智慧医保大赛启动",
        source=factories.source("央广网"),
        original_url="",
        body="只有一段。",
    )
    return issue


def test_generated_intro_matches_the_centres_sentence_for_both_series():
    assert standard_intro("周报", 3, datetime.date(2025, 8, 2), datetime.date(2025, 8, 8)) == (
        "本期周报共收集3篇卫生健康大数据与政策研究相关信息，时间从2025年8月2日到2025年8月8日，"
        "监测范围包括全国主流媒体及政府网站等。"
    )
    assert standard_intro("月报", 4, datetime.date(2025, 1, 1), datetime.date(2025, 1, 31)) == (
        "本期月报共收集4篇卫生健康大数据与政策研究相关信息，时间从2025年1月1日到2025年1月31日，"
        "监测范围包括全国主流媒体及政府网站等。"
    )


@pytest.mark.django_db
def test_blank_intro_shows_the_generated_sentence_and_an_own_intro_wins(client, bulletin):
    page = client.get(bulletin.get_absolute_url()).text
    assert "本期周报共收集2篇" in page
    bulletin.intro = "编辑自己写的导语。"
    bulletin.save()
    page = client.get(bulletin.get_absolute_url()).text
    assert "编辑自己写的导语。" in page and "本期周报共收集2篇" not in page


@pytest.mark.django_db
def test_word_document_holds_masthead_contents_and_every_article(client, bulletin):
    response = client.get(f"{bulletin.get_absolute_url()}bulletin.docx")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    document = docx.Document(io.BytesIO(response.content))
    text = [p.text for p in document.paragraphs]
    assert text[:3] == [
        "全国卫生信息化舆情监测周报",
        "（第六三六期）",
        "北京市卫生健康大数据与政策研究中心    2025年8月8日",
    ]
    toc = text.index("一、信息目录")
    assert text[toc + 1] == "1. 推动人工智能应用于医保（中国科技网）"
    assert text[toc + 2] == "2. 智慧医保大赛启动（央广网）"
    body = text[text.index("二、具体内容") :]
    assert body.index("1. 标题：推动人工智能应用于医保") < body.index("2. 标题：智慧医保大赛启动")
    assert "来源：中国科技网" in body and "链接：无" in body
    assert "小标题" in body and "最后一段。" in body
    bold = [run.text for p in document.paragraphs for run in p.runs if run.bold]
    assert "加粗" in bold
    links = [rel.target_ref for rel in document.part.rels.values() if "hyperlink" in rel.reltype]
    assert "http://www.example.cn/a.shtml" in links


@pytest.mark.django_db
def test_print_page_holds_the_same_in_order(client, bulletin):
    page = client.get(f"{bulletin.get_absolute_url()}print/").text
    order = [
        "全国卫生信息化舆情监测周报",
        "第六三六期",
        "本期导语",
        "一、信息目录",
        "二、具体内容",
        "推动人工智能应用于医保",
        "http://www.example.cn/a.shtml",
        "智慧医保大赛启动",
    ]
    position = 0
    for needle in order:  # each one after the one before
        position = page.index(needle, position) + len(needle)
    assert "<figcaption>图 | 现场照片 记者 摄</figcaption>" in page


@pytest.mark.django_db
def test_print_page_has_the_site_icon(client, bulletin):
    """Browsers otherwise ask for /favicon.ico, which the site does not have."""
    page = client.get(f"{bulletin.get_absolute_url()}print/").text
    (icon,) = re.findall(r'<link rel="icon" href="([^"]+)"', page)
    assert icon == static("favicon.svg")


@pytest.mark.django_db
def test_drafts_export_only_for_staff(client, admin_client):
    draft = factories.draft_issue(number=900)
    for suffix in ["print/", "bulletin.docx"]:
        assert client.get(draft.get_absolute_url() + suffix).status_code == 404
        response = admin_client.get(draft.get_absolute_url() + suffix)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_pages_offer_citations(client, bulletin):
    article = bulletin.articles.get(position=1)
    page = client.get(article.get_absolute_url()).text
    assert "中国科技网. 推动人工智能应用于医保[EB/OL]. (2025-08-08)[" in page
    assert "全国卫生信息化舆情监测周报: 第六三六期[R/OL]. (2025-08-08)[" in page
    issue_page = client.get(bulletin.get_absolute_url()).text
    assert "[R/OL]" in issue_page
    assert "bulletin.docx" in issue_page and "print/" in issue_page


CENTRE_SENTENCE = (
    "本期周报共收集3篇卫生健康大数据与政策研究相关信息，时间从2025年8月2日到2025年8月8日，"
    "监测范围包括全国主流媒体及政府网站等。"
)


@pytest.mark.django_db
@pytest.mark.parametrize("series_slug, word", [("weekly", "周报"), ("monthly", "月报")])
def test_an_issue_generates_the_centres_sentence_exactly(client, series_slug, word):
    """Built from the issue's own data: series word, article count, covered period."""
    issue = factories.issue(
        series_slug=series_slug,
        publication_date=datetime.date(2025, 8, 8),
        period_start=datetime.date(2025, 8, 2),
        period_end=datetime.date(2025, 8, 8),
        intro="",
    )
    for _ in range(3):
        factories.article(issue_obj=issue)
    expected = CENTRE_SENTENCE.replace("周报", word)
    assert issue.generated_intro() == expected
    assert expected in client.get(issue.get_absolute_url()).text
    assert expected in client.get(f"{issue.get_absolute_url()}print/").text


@pytest.mark.django_db
def test_the_admin_shows_the_generated_sentence_beside_the_editors_own(admin_client, bulletin):
    bulletin.intro = "编辑自己写的导语。"
    bulletin.save()
    url = reverse("admin:bulletins_issue_change", args=[bulletin.pk])
    page = admin_client.get(url).text
    assert "编辑自己写的导语。" in page
    assert "本期周报共收集2篇卫生健康大数据与政策研究相关信息" in page


@pytest.fixture
def signed_bulletin(bulletin):
    reviewer = factories.reviewer(last_name="王", first_name="芳")
    bulletin.approved_by = reviewer
    bulletin.approved_at = timezone.make_aware(datetime.datetime(2025, 8, 8, 9, 30))
    bulletin.save()
    return bulletin


def in_order(haystack, needles):
    """Each needle is found after the one before it."""
    position = 0
    for needle in needles:
        found = haystack.find(needle, position)
        assert found >= 0, f"{needle!r} missing after position {position}"
        position = found + len(needle)


ARTICLE_FIELDS_IN_ORDER = [
    "二、具体内容",
    "标题：推动人工智能应用于医保",
    "来源：",
    "中国科技网",
    "链接：",
    "http://www.example.cn/a.shtml",
    "主要内容：",
    "第一段",
    "小标题",
    "最后一段。",
    "标题：智慧医保大赛启动",
    "来源：",
    "央广网",
    "链接：",
    "无",
    "主要内容：",
    "只有一段。",
]


@pytest.mark.django_db
def test_word_document_in_order_with_the_sign_off(client, signed_bulletin):
    """Masthead, sign-off, 导语, contents in order, then every article's fields and body."""
    response = client.get(f"{signed_bulletin.get_absolute_url()}bulletin.docx")
    document = docx.Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    in_order(
        text,
        [
            "全国卫生信息化舆情监测周报",
            "（第六三六期）",
            "北京市卫生健康大数据与政策研究中心",
            "2025年8月8日",
            "签发：王芳　2025年8月8日",
            "本期导语",
            "本期周报共收集2篇",
            "一、信息目录",
            "1. 推动人工智能应用于医保（中国科技网）",
            "2. 智慧医保大赛启动（央广网）",
            *ARTICLE_FIELDS_IN_ORDER,
        ],
    )


@pytest.mark.django_db
def test_print_page_in_order_with_the_sign_off(client, signed_bulletin):
    page = client.get(f"{signed_bulletin.get_absolute_url()}print/").text
    in_order(
        page,
        [
            "全国卫生信息化舆情监测周报",
            "（第六三六期）",
            "北京市卫生健康大数据与政策研究中心",
            "2025年8月8日",
            "签发：王芳　2025年8月8日",
            "本期导语",
            "一、信息目录",
            "推动人工智能应用于医保",
            "（中国科技网）",
            "智慧医保大赛启动",
            "（央广网）",
            *ARTICLE_FIELDS_IN_ORDER,
        ],
    )
    assert 'href="http://www.example.cn/a.shtml"' in page


@pytest.mark.django_db
def test_no_sign_off_line_before_a_reviewer_approved(client, bulletin):
    assert "签发" not in client.get(f"{bulletin.get_absolute_url()}print/").text
