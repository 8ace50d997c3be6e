"""The importer's database-free checks: whole-document warnings, file types, source kinds."""

import io
import zipfile
from pathlib import Path

import pytest

from bulletins.importing import BulletinParseError, filetypes, parse_text
from bulletins.importing.checks import document_warnings, number_after_latest
from bulletins.importing.filetypes import check_file, size_label
from bulletins.importing.source_kinds import guess_kind
from tests.test_parse_docx import save, weekly_document

FIXTURES = Path(__file__).parent / "fixtures" / "bulletins"
WEEKLY = (FIXTURES / "weekly-701.txt").read_text(encoding="utf-8")
MONTHLY = (FIXTURES / "monthly-555.md").read_text(encoding="utf-8")


def warnings_for(text: str) -> str:
    return "\n".join(problem.message for problem in document_warnings(parse_text(text)))


def test_a_clean_document_raises_no_whole_document_warning():
    assert warnings_for(WEEKLY) == ""
    assert warnings_for(MONTHLY) == ""


def test_the_same_link_for_two_articles_is_a_warning_on_the_second():
    text = WEEKLY.replace(
        "https://www.example-evening.cn/content/2026-03/10/content_88123.htm?\nfrom=bulletin",
        "https://news.example.org/health/2026/0309/c1001-30112233.html",
    )
    bulletin = parse_text(text)
    [problem] = document_warnings(bulletin)
    assert problem.line == bulletin.articles[1].line
    assert problem.message.startswith(f"第{problem.line}行：第2篇文章的链接与第1篇相同")


def test_a_monthly_period_longer_than_a_month_is_a_warning():
    text = MONTHLY.replace("时间从2026年2月1日至2026年2月27日", "时间从2026年1月1日至2026年2月27日")
    assert "月报的时间范围有58天，超过一个月" in warnings_for(text)


def test_a_period_long_before_the_publication_date_suggests_a_wrong_year():
    text = WEEKLY.replace("时间从2026年3月7日到2026年3月13日", "时间从2025年3月7日到2025年3月13日")
    assert "比出版日期2026年3月13日早365天（年份或月份是否有误？）" in warnings_for(text)


def test_an_issue_older_than_the_latest_is_named():
    assert number_after_latest(636, None) == ""
    assert number_after_latest(636, 636) == ""
    assert number_after_latest(640, 636) == ""  # a gap: sequence.sequence_warnings says so
    assert number_after_latest(636, 650) == (
        "期号不接续：本系列最新一期是第六五〇期，本期第六三六期在它之前（补录旧刊时可忽略）"
    )


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("人民网", "central"),
        ("新华社", "central"),
        ("央广网", "central"),
        ("国家医保局", "government"),
        ("上海市静安区人民政府", "government"),
        ("北京市卫生健康委员会", "government"),
        ("健康报", "industry"),
        ("北京日报", "local"),
        ("新京报", "local"),
        ("北京青年报", "local"),
        ("北青网", "local"),
        ("中国城市网", "other"),
        ("示例晚报", "other"),
        ("", "other"),
    ],
)
def test_the_kind_of_a_new_source_is_guessed_or_left_other(name, kind):
    assert guess_kind(name) == kind


# --- file types --------------------------------------------------------------------------


def zipped(**members: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in members.items():
            package.writestr(name.replace("__", "/"), data)
    return buffer.getvalue()


def refusal(name: str, data: bytes, **options) -> str:
    with pytest.raises(BulletinParseError) as caught:
        check_file(name, data, **options)
    return str(caught.value)


def test_real_files_pass_the_type_check():
    check_file("weekly-701.txt", WEEKLY.encode())
    check_file("monthly-555.MD", MONTHLY.encode("gb18030"))
    check_file("weekly.txt", WEEKLY.encode("utf-16"))
    check_file("周报.docx", save(weekly_document()))


def test_files_that_are_not_what_their_extension_says_are_refused():
    assert "内容不是 Word 文档" in refusal("a.docx", b"plain text")
    assert "不含 Word 文档的正文" in refusal("a.docx", zipped(notes__a_txt=b"x"))
    assert "内容是PDF 文件" in refusal("a.txt", b"%PDF-1.4 ...")
    assert "内容是zip 压缩包或 Word（.docx）文件" in refusal("a.md", save(weekly_document()))
    assert "含有二进制数据" in refusal("a.txt", b"abc\x00def")
    assert "另存为” .docx" in refusal("a.doc", b"\xd0\xcf\x11\xe0")
    assert "不支持的文件类型“a.rtf”" in refusal("a.rtf", b"{\\rtf1}")
    assert "文件是空的" in refusal("a.txt", b"")


def test_a_word_file_that_unpacks_to_something_enormous_is_refused(monkeypatch):
    """A zip bomb: a small file that claims far more than the limit once unpacked."""
    monkeypatch.setattr(filetypes, "MAX_UNPACKED_BYTES", 1024 * 1024)
    bomb = zipped(**{"[Content_Types].xml": b"<Types/>", "word__document.xml": b"0" * 2_000_000})
    assert len(bomb) < 10 * 1024
    assert "解压后过大" in refusal("bomb.docx", bomb)


def test_the_size_limit_is_stated_in_readable_units():
    assert "文件过大：2.7 KB，每个文件不能超过 1 KB" in refusal(
        "weekly-701.txt", (FIXTURES / "weekly-701.txt").read_bytes(), max_bytes=1024
    )
    assert size_label(10 * 1024 * 1024) == "10 MB"
    assert size_label(5 * 1024 * 1024 + 512 * 1024) == "5.5 MB"
    assert size_label(300) == "300 字节"
