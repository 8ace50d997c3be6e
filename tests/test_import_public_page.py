"""An imported bulletin on the public site: paragraphs, sub-headings, bold, captions, links."""

from pathlib import Path

import pytest
from django.urls import reverse

from bulletins.importing import parse_document
from bulletins.importing.load import load_bulletin
from bulletins.text.markdown import render_markdown
from tests.test_parse_docx import save, weekly_document

FIXTURES = Path(__file__).parent / "fixtures" / "bulletins"

pytestmark = pytest.mark.django_db


def imported(name: str, data: bytes | None = None, publish: bool = True):
    data = data if data is not None else (FIXTURES / name).read_bytes()
    return load_bulletin(parse_document(name, data), publish=publish).issue


def test_a_markdown_bulletin_reads_on_its_issue_page_as_it_was_written(client):
    issue = imported("monthly-555.md")
    page = client.get(reverse("bulletins:issue-detail", args=["monthly", 555])).text
    for shown in [
        "北京市卫生信息化舆情监测月报",
        "（第五五五期）",
        "2026年2月27日",
        '监测时段：<time datetime="2026-02-01">2026年2月1日</time>至'
        '<time datetime="2026-02-27">2026年2月27日</time>',
        "本期月报共收集5篇卫生信息化相关信息",
        # the table of contents and every article, in order
        '<a href="#article-1">市级全民健康信息平台启动扩容</a>',
        "5. 智慧病房试点经验交流会召开",
        # paragraphs, bold, a sub-heading and a photo caption
        "<p>本次扩容将新增 <strong>三类数据</strong> 接入，包括居民健康档案",
        "<h4>建设目标</h4>",  # under the article's own h3 title
        '<figure class="caption"><figcaption>图 | 信息平台机房一角（示例城市报 记者 赵某）'
        "</figcaption></figure>",
        "<p>扩容完成后，各区可按需调用平台的数据治理能力。</p>",
        "<li>输液监测：余量不足时自动提醒护士站；</li>",
        # the article fields: source, date, original title, original link
        "示例城市报</a>",
        '<time datetime="2026-02-03">2026年2月3日</time>',
        "120调度有了“导航大脑” 救护车平均提前两分钟到达",
        '<a class="original-link" href="https://www.example-city.com.cn/news/2026-02/03/'
        'a_100200.html" rel="noopener nofollow">',
        '<a class="original-link" href="https://epaper.example-youth.com/html/2026-02/12/'
        'content_4455.htm?div=-1"',
    ]:
        assert shown in page, shown
    assert page.index("建设目标") < page.index("信息平台机房一角") < page.index("扩容完成后")
    article = issue.articles.get(position=1)
    permalink = client.get(article.get_absolute_url()).text
    assert "<h2>建设目标</h2>" in permalink and "<strong>三类数据</strong>" in permalink


def test_a_plain_text_bulletin_keeps_its_captions_headings_and_markup_characters(client):
    imported("weekly-701.txt")
    page = client.get(reverse("bulletins:issue-detail", args=["weekly", 701])).text
    assert "<h4>三项重点任务</h4>" in page
    assert (
        '<figure class="caption"><figcaption>护士正在查看随访助手生成的提醒清单。本报记者 林某 摄'
        "</figcaption></figure>"
    ) in page
    # '*注' in plain text is an asterisk, not the start of emphasis.
    assert "<p>*注：以上数据由中心提供，截至3月10日。</p>" in page
    # The third article has no link: the page says so instead of linking nowhere.
    third = page[page.index('id="article-3"') :]
    assert '<span class="muted">无</span>' in third[: third.index("</dl>")]


def test_a_word_bulletin_keeps_bold_runs_captions_and_links(client):
    imported("周报650.docx", save(weekly_document()))
    page = client.get(reverse("bulletins:issue-detail", args=["weekly", 650])).text
    assert "<strong>在线选择家庭医生</strong>" in page
    assert "<figcaption>家庭医生在村卫生室演示小程序。</figcaption>" in page
    assert (
        '<a href="https://www.example-county.cn/guide.html" rel="noopener nofollow">办事指南</a>'
        in page
    )
    assert "<li>复诊提醒</li>" in page


def test_an_imported_draft_is_not_public(client):
    imported("weekly-701.txt", publish=False)
    assert client.get(reverse("bulletins:issue-detail", args=["weekly", 701])).status_code == 404


def test_only_a_paragraph_that_is_one_emphasis_is_a_caption():
    assert render_markdown("*图 | 会场一角 记者 摄*") == (
        '<figure class="caption"><figcaption>图 | 会场一角 记者 摄</figcaption></figure>\n'
    )
    assert render_markdown("*甲方* 与 *乙方* 签约").strip() == (
        "<p><em>甲方</em> 与 <em>乙方</em> 签约</p>"
    )
    assert render_markdown("*甲* 和 *乙*").strip() == "<p><em>甲</em> 和 <em>乙</em></p>"
