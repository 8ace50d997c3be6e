"""Word documents, built here with python-docx, read by the importer."""

import datetime
import io
import struct
import zipfile
import zlib
from types import SimpleNamespace

import pytest
from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from bulletins.importing import BulletinParseError, parse_document, parse_docx
from bulletins.importing.docx import docx_to_markdown


def tiny_png() -> bytes:
    """A valid 1x1 white PNG, so that python-docx can place a picture."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def hyperlink(paragraph, url: str, text: str) -> None:
    rel = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel)
    run = OxmlElement("w:r")
    text_element = OxmlElement("w:t")
    text_element.text = text
    run.append(text_element)
    link.append(run)
    paragraph._p.append(link)


def labelled(document, label: str, value: str = "", url: str = ""):
    paragraph = document.add_paragraph()
    paragraph.add_run(f"{label}：").bold = True
    if url:
        hyperlink(paragraph, url, url)
    elif value:
        paragraph.add_run(value)
    return paragraph


def save(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def weekly_document() -> Document:
    """A 周报 laid out the way editors write it in Word."""
    document = Document()
    masthead = document.add_paragraph().add_run("全国卫生信息化舆情监测周报")
    masthead.bold, masthead.font.size = True, Pt(20)
    document.add_paragraph("（第六百五十期）")
    document.add_paragraph("北京市卫生健康大数据与政策研究中心    2025年11月14日")
    document.add_heading("本期导语", level=2)
    document.add_paragraph(
        "本期周报共收集2篇卫生健康大数据与政策研究相关信息，"
        "时间从2025年11月8日到2025年11月14日，监测范围包括全国主流媒体及政府网站等。"
    )
    document.add_heading("一、信息目录", level=1)
    document.add_paragraph("1. 某县上线家庭医生签约小程序（示例县融媒）")
    document.add_paragraph("2. 区域检验结果互认平台投入使用（示例日报）")
    document.add_heading("二、具体内容", level=1)

    document.add_heading("1. 标题：某县上线家庭医生签约小程序", level=2)
    labelled(document, "来源", "示例县融媒")
    labelled(document, "链接", url="https://www.example-county.cn/news/2025/1110/a_77_8.html")
    labelled(document, "主要内容", "2025-11-10 来源：示例县融媒")
    intro = document.add_paragraph("居民打开小程序，就能")
    intro.add_run("在线选择家庭医生").bold = True
    intro.add_run("并完成签约，签约后可预约上门随访。")
    document.add_paragraph().add_run("三个变化").bold = True
    document.add_paragraph("过去签约要跑两趟卫生院，现在全程不超过五分钟。")
    document.add_paragraph().add_run().add_picture(io.BytesIO(tiny_png()))
    document.add_paragraph("家庭医生在村卫生室演示小程序。", style="Caption")
    body = document.add_paragraph("详情可查看")
    hyperlink(body, "https://www.example-county.cn/guide.html", "办事指南")
    body.add_run("。")
    document.add_paragraph("*注：数据截至11月10日。")
    document.add_paragraph("复诊提醒", style="List Bullet")
    document.add_paragraph("用药指导", style="List Bullet")

    document.add_heading("2. 标题：区域检验结果互认平台投入使用", level=2)
    labelled(document, "来源", "示例日报")
    labelled(document, "链接", "无")
    labelled(document, "来源标题", "检验结果互认平台上线 患者少跑冤枉路")
    labelled(document, "主要内容", "2025-11-12 来源：示例日报")
    document.add_paragraph("平台已接入区内 9 家医院，互认项目 86 项。")
    return document


@pytest.fixture(scope="module")
def weekly():
    return parse_docx(save(weekly_document()))


def test_docx_masthead(weekly):
    assert weekly.series_name == "全国卫生信息化舆情监测周报"
    assert weekly.series_slug == "weekly"
    assert weekly.number == 650
    assert weekly.publisher == "北京市卫生健康大数据与政策研究中心"
    assert weekly.publication_date == datetime.date(2025, 11, 14)
    assert (weekly.period_start, weekly.period_end) == (
        datetime.date(2025, 11, 8),
        datetime.date(2025, 11, 14),
    )


def test_docx_toc_with_sources_in_parentheses(weekly):
    assert [(entry.title, entry.source) for entry in weekly.toc] == [
        ("某县上线家庭医生签约小程序", "示例县融媒"),
        ("区域检验结果互认平台投入使用", "示例日报"),
    ]


def test_docx_articles(weekly):
    first, second = weekly.articles
    assert first.title == "某县上线家庭医生签约小程序"
    assert first.source == "示例县融媒"
    assert first.link == "https://www.example-county.cn/news/2025/1110/a_77_8.html"
    assert first.original_date == datetime.date(2025, 11, 10)
    assert second.link == ""
    assert second.original_title == "检验结果互认平台上线 患者少跑冤枉路"
    assert second.body == "平台已接入区内 9 家医院，互认项目 86 项。"
    assert "第2篇文章缺少链接" in "\n".join(p.message for p in weekly.warnings)


def test_docx_body_conventions(weekly):
    body = weekly.articles[0].body.split("\n\n")
    assert body[0] == "居民打开小程序，就能**在线选择家庭医生**并完成签约，签约后可预约上门随访。"
    assert body[1] == "### 三个变化"
    assert "*家庭医生在村卫生室演示小程序。*" in body
    assert "详情可查看[办事指南](https://www.example-county.cn/guide.html)。" in body
    assert "\\*注：数据截至11月10日。" in body
    assert body[-1] == "- 复诊提醒\n- 用药指导"


def test_docx_image_leaves_a_gap_before_its_caption():
    text = docx_to_markdown(weekly_document())
    assert "\n\n\n\n*家庭医生在村卫生室演示小程序。*" in text


def test_docx_image_caption_without_caption_style():
    document = weekly_document()
    paragraphs = document.paragraphs
    caption = next(p for p in paragraphs if p.style.name == "Caption")
    caption.style = document.styles["Normal"]
    bulletin = parse_docx(save(document))
    assert "*家庭医生在村卫生室演示小程序。*" in bulletin.articles[0].body.split("\n\n")


def test_docx_masthead_in_a_table():
    document = Document()
    table = document.add_table(rows=2, cols=1)
    table.cell(0, 0).text = "北京市卫生信息化舆情监测月报"
    table.cell(1, 0).text = "（第五五〇期）  2026年1月30日"
    document.add_paragraph("本期导语：本期月报共收集1篇信息，时间从2026年1月1日至2026年1月30日。")
    document.add_paragraph("1.标题：示例文章")
    document.add_paragraph("来源：示例报")
    document.add_paragraph("链接：https://example.org/a.html")
    document.add_paragraph("主要内容：2026-01-05 来源：示例报")
    document.add_paragraph("正文一段。")
    bulletin = parse_docx(save(document))
    assert (bulletin.series_slug, bulletin.number) == ("monthly", 550)
    assert bulletin.articles[0].body == "正文一段。"


def test_parse_docx_accepts_a_file_object_and_parse_document_dispatches():
    data = save(weekly_document())
    assert parse_docx(io.BytesIO(data)).number == 650
    assert parse_document("周报.DOCX", data).number == 650


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not a zip file at all",
        b"PK\x03\x04broken",
        "文本".encode(),
    ],
)
def test_corrupt_docx_is_a_parse_error(data):
    with pytest.raises(BulletinParseError) as caught:
        parse_document("bulletin.docx", data)
    assert "无法读取Word文档" in str(caught.value)


def test_zip_that_is_not_a_word_document_is_a_parse_error():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(BulletinParseError):
        parse_docx(buffer.getvalue())


def test_docx_with_truncated_bytes_is_a_parse_error():
    data = save(weekly_document())
    with pytest.raises(BulletinParseError):
        parse_docx(data[: len(data) // 2])


def test_docx_opened_in_text_mode_is_a_parse_error():
    with pytest.raises(BulletinParseError):
        parse_docx(io.StringIO("text"))


def test_word_document_without_structure_lists_the_problems():
    document = Document()
    document.add_paragraph("会议纪要")
    with pytest.raises(BulletinParseError) as caught:
        parse_docx(save(document))
    found = str(caught.value)
    assert "未找到刊名" in found and "未找到期号" in found and "未找到任何文章" in found


def test_the_sites_own_word_export_reads_back():
    """The lead's exporter (bulletins.exporting.docx) and this importer agree on the layout."""
    exporting = pytest.importorskip("bulletins.exporting.docx")
    series = SimpleNamespace(
        name="全国卫生信息化舆情监测周报", publisher="北京市卫生健康大数据与政策研究中心"
    )
    issue = SimpleNamespace(
        series=series,
        label="第六三七期",
        title="全国卫生信息化舆情监测周报（第六三七期）",
        publication_date=datetime.date(2025, 8, 15),
        sign_off="签发：张伟　2025年8月14日",
        display_intro="本期周报共收集2篇卫生健康大数据与政策研究相关信息，"
        "时间从2025年8月9日到2025年8月15日，监测范围包括全国主流媒体及政府网站等。",
    )
    articles = [
        SimpleNamespace(
            position=1,
            title="示例：健康码与医保码融合应用",
            source=SimpleNamespace(name="示例网"),
            original_url="https://example.org/news/1.html",
            original_title="",
            original_date=datetime.date(2025, 8, 11),
            body="第一段**加粗**文字。\n\n### 小标题\n\n*现场照片。示例 摄*\n\n最后一段。",
        ),
        SimpleNamespace(
            position=2,
            title="互联网医院监管新规发布",
            source=SimpleNamespace(name="示例报"),
            original_url="",
            original_title="互联网医院监管迎来新规",
            original_date=datetime.date(2025, 8, 13),
            body="只有一段。",
        ),
    ]
    try:
        data = exporting.issue_document(issue, articles)
    except (AttributeError, TypeError) as exc:  # the exporter grew new needs
        pytest.skip(f"exporter needs more than this stand-in issue: {exc}")
    bulletin = parse_docx(data)
    assert (bulletin.series_slug, bulletin.number) == ("weekly", 637)
    assert bulletin.publication_date == datetime.date(2025, 8, 15)
    assert [(e.title, e.source) for e in bulletin.toc] == [
        ("示例：健康码与医保码融合应用", "示例网"),
        ("互联网医院监管新规发布", "示例报"),
    ]
    first, second = bulletin.articles
    assert (first.title, first.source, first.link) == (
        "示例：健康码与医保码融合应用",
        "示例网",
        "https://example.org/news/1.html",
    )
    assert first.original_date == datetime.date(2025, 8, 11)
    assert first.body == articles[0].body
    assert (second.link, second.original_title) == ("", "互联网医院监管迎来新规")
    assert second.body == "只有一段。"
