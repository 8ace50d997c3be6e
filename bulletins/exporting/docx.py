"""An issue -> a Word document laid out like the centre's bulletin (python-docx)."""

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from markdown_it import MarkdownIt

from ..text.formatting import chinese_date
from ..text.markdown import is_web_url

_markdown = MarkdownIt("commonmark", {"html": False})
CJK_FONT = "SimSun"


def _set_cjk_font(run, name=CJK_FONT):
    run.font.name = name
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def add_hyperlink(paragraph, url: str, text: str):
    """python-docx has no API for hyperlinks; build the w:hyperlink element."""
    rel_id = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel_id)
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    style = OxmlElement("w:rStyle")
    style.set(qn("w:val"), "Hyperlink")
    props.append(style)
    colour = OxmlElement("w:color")
    colour.set(qn("w:val"), "1F4E9A")
    props.append(colour)
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    props.append(underline)
    run.append(props)
    text_el = OxmlElement("w:t")
    text_el.text = text
    text_el.set(qn("xml:space"), "preserve")
    run.append(text_el)
    link.append(run)
    paragraph._p.append(link)


def _add_inline(paragraph, children):
    """Inline Markdown tokens -> runs (bold, italic, links)."""
    bold = italic = False
    link_href = None
    for token in children:
        if token.type == "strong_open":
            bold = True
        elif token.type == "strong_close":
            bold = False
        elif token.type == "em_open":
            italic = True
        elif token.type == "em_close":
            italic = False
        elif token.type == "link_open":
            link_href = token.attrGet("href")
        elif token.type == "link_close":
            link_href = None
        elif token.type in ("text", "code_inline"):
            if link_href and is_web_url(str(link_href)):
                add_hyperlink(paragraph, str(link_href), token.content)
            else:
                run = paragraph.add_run(token.content)
                run.bold, run.italic = bold or None, italic or None
        elif token.type in ("softbreak", "hardbreak"):
            paragraph.add_run().add_break()


def add_markdown(document, text: str):
    """An article body (our Markdown conventions) -> headings, paragraphs, captions."""
    tokens = _markdown.parse(text or "")
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            inline = tokens[index + 1]
            document.add_heading(inline.content, level=3)
        elif token.type == "paragraph_open":
            inline = tokens[index + 1]
            kinds = [t.type for t in inline.children or []]
            is_caption = kinds[:1] == ["em_open"] and kinds[-1:] == ["em_close"]
            paragraph = document.add_paragraph(style="Caption" if is_caption else None)
            if is_caption:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _add_inline(paragraph, inline.children or [])
        elif token.type == "list_item_open":
            inline = next(t for t in tokens[index:] if t.type == "inline")
            _add_inline(document.add_paragraph(style="List Bullet"), inline.children or [])


def _centred(document, text, size, bold=False, colour=None):
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.font.size, run.bold = Pt(size), bold
    if colour:
        run.font.color.rgb = colour
    _set_cjk_font(run)
    return paragraph


def _field(document, label, value=None, url=None):
    paragraph = document.add_paragraph()
    label_run = paragraph.add_run(f"{label}：")
    label_run.bold = True
    if url and is_web_url(url):
        add_hyperlink(paragraph, url, url)
    elif value or url:
        paragraph.add_run(value or url)
    return paragraph


def issue_document(issue, articles) -> bytes:
    """The whole bulletin as .docx bytes: masthead, 导语, 信息目录, 具体内容."""
    document = Document()
    normal = document.styles["Normal"]
    normal.font.size = Pt(11)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), CJK_FONT)
    document.core_properties.title = issue.title
    document.core_properties.author = issue.series.publisher

    _centred(document, issue.series.name, 20, bold=True, colour=RGBColor(0xA0, 0x1C, 0x13))
    _centred(document, f"（{issue.label}）", 14, bold=True)
    _centred(document, f"{issue.series.publisher}    {chinese_date(issue.publication_date)}", 11)
    if issue.sign_off:
        _centred(document, issue.sign_off, 10.5)

    document.add_heading("本期导语", level=2)
    document.add_paragraph(issue.display_intro)

    document.add_heading("一、信息目录", level=1)
    for article in articles:
        source = f"（{article.source.name}）" if article.source else ""
        document.add_paragraph(f"{article.position}. {article.title}{source}")

    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    document.add_heading("二、具体内容", level=1)
    for article in articles:
        document.add_heading(f"{article.position}. 标题：{article.title}", level=2)
        _field(document, "来源", article.source.name if article.source else "")
        if article.original_url:
            _field(document, "链接", url=article.original_url)
        else:
            _field(document, "链接", "无")
        if article.original_title:
            _field(document, "来源标题", article.original_title)
        meta = " ".join(
            part
            for part in [
                f"{article.original_date:%Y-%m-%d}" if article.original_date else "",
                f"来源：{article.source.name}" if article.source else "",
            ]
            if part
        )
        _field(document, "主要内容", meta)
        add_markdown(document, article.body)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
