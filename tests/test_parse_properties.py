"""Property tests: mangled documents never make the parser fail in any other way than its own.

Lines are deleted, duplicated, swapped and truncated; random Unicode is thrown in. Whatever
happens, parse_text returns a ParsedBulletin that keeps the data contract, or raises
BulletinParseError with problems for editors (never an internal error).
"""

import html
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from bulletins.importing import BulletinParseError, ParsedBulletin, parse_document, parse_text
from bulletins.importing.body import escape_markdown
from bulletins.importing.text import remove_cjk_spaces

FIXTURES = Path(__file__).parent / "fixtures" / "bulletins"
DOCUMENTS = {path.name: path.read_text(encoding="utf-8") for path in FIXTURES.iterdir()}
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text that looks like bulletin structure is likelier to reach odd corners than pure noise.
STRUCTURAL = st.sampled_from(
    [
        "1.标题：",
        "标题:",
        "来源：",
        "来源 ",
        "链接：",
        "链接:",
        "主要内容：",
        "## 主要内容:",
        "来源标题：",
        "一、信息目录",
        "二、具体内容",
        "本期导语：",
        "（第六三六期）",
        "第六百五十期",
        "2025年8月8日",
        "2025-08-04 来源：",
        "http://",
        "<https://a.cn/x.html>",
        "[https://a.cn/?](https://a.cn/?a=1)",
        "html",
        "div=-1",
        "周报",
        "月报",
        "（人民网）",
        "- ",
        "#### ",
        "**",
        "*",
        "\\",
        "摄",
        "图 | ",
        "。",
        " ",
        "\t",
        "\r",
        "\u3000",
        "\ufeff",
        "\u2028",
        "\x00",
    ]
)
NOISE = st.one_of(st.text(max_size=30), STRUCTURAL)


@st.composite
def mangled(draw):
    name = draw(st.sampled_from(sorted(DOCUMENTS)))
    lines = DOCUMENTS[name].split("\n")
    for _ in range(draw(st.integers(min_value=1, max_value=8))):
        if not lines:
            lines = [""]
        action = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "mutate"]))
        index = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        if action == "delete":
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, lines[index])
        elif action == "swap":
            other = draw(st.integers(min_value=0, max_value=len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        elif action == "insert":
            lines.insert(index, draw(NOISE))
        else:
            line = lines[index]
            at = draw(st.integers(min_value=0, max_value=len(line)))
            cut = draw(st.integers(min_value=0, max_value=3))
            lines[index] = line[:at] + draw(NOISE) + line[at + cut :]
    text = "\n".join(lines)
    if draw(st.booleans()):
        text = text[: draw(st.integers(min_value=0, max_value=len(text)))]
    return text


def check_contract(bulletin: ParsedBulletin, text: str) -> None:
    line_count = len(re.split(r"\r\n|\r|\n", text))
    assert bulletin.series_slug in {"weekly", "monthly"}
    assert bulletin.series_name and isinstance(bulletin.number, int) and bulletin.number >= 0
    assert bulletin.publication_date is not None
    assert bulletin.articles
    for article in bulletin.articles:
        assert article.title
        assert isinstance(article.position, int)
        assert article.link == "" or re.match(r"^https?://\S+$", article.link)
        assert isinstance(article.body, str)
        assert 1 <= article.line <= line_count
    for problem in bulletin.warnings:
        assert 0 <= problem.line <= line_count
        assert problem.message


def parse_or_reject(text: str) -> None:
    try:
        bulletin = parse_text(text)
    except BulletinParseError as error:
        assert error.problems
        assert all(not p.message.startswith("内部错误") for p in error.problems), error.problems
        return
    check_contract(bulletin, text)


@SETTINGS
@given(mangled())
def test_mangled_documents_parse_or_raise_the_parsers_error(text):
    parse_or_reject(text)


@SETTINGS
@given(mangled(), st.booleans())
def test_mangled_documents_in_either_layout(text, markdown):
    try:
        parse_text(text, markdown=markdown)
    except BulletinParseError as error:
        assert all(not p.message.startswith("内部错误") for p in error.problems)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400))
def test_arbitrary_text(text):
    parse_or_reject(text)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300), st.sampled_from(["a.txt", "a.md", "a.docx", "a.markdown"]))
def test_arbitrary_bytes(data, name):
    try:
        parse_document(name, data)
    except BulletinParseError as error:
        assert all(not p.message.startswith("内部错误") for p in error.problems)


_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_markdown.enable("table")
_LINE_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=40
)


@settings(max_examples=300, deadline=None)
@given(_LINE_TEXT)
def test_escaped_plain_text_renders_as_itself(text):
    # The importer strips every line (str.strip(): all Unicode spaces) before escaping it.
    text = text.strip()
    if not text:
        return
    rendered = _markdown.render(escape_markdown(text)).strip()
    assert rendered.startswith("<p>") and rendered.endswith("</p>"), rendered
    assert html.unescape(rendered[3:-4]) == text


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_removing_cjk_spaces_never_touches_other_characters(text):
    assert re.sub(r"\s", "", remove_cjk_spaces(text)) == re.sub(r"\s", "", text)
