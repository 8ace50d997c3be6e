"""The bulletin as a distributable document: print page, Word file, citations, 导语."""

import datetime
import io

import docx
import pytest

from bulletins.formatting import standard_intro
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
