"""A bulletin file as bytes with a name -> ParsedBulletin: the one entry point for files.

The extension picks the reader: .docx goes to ``docx.parse_docx``; .txt, .md and
.markdown are decoded (UTF-8, UTF-16 with BOM, or GB18030) and read by ``parse.parse_text``,
Markdown assumed for the Markdown extensions and detected for .txt.
"""

from .docx import parse_docx
from .filetypes import TEXT_EXTENSIONS, extension
from .parse import parse_text
from .result import BulletinParseError, ParsedBulletin, Problem


def decode(data: bytes) -> str:
    """Bytes of a text file -> str: UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise BulletinParseError([Problem(0, "无法识别文件编码（应为 UTF-8 或 GB18030）")])


def parse_document(name: str, data: bytes) -> ParsedBulletin:
    """Parse an uploaded file, choosing the reader by its extension."""
    kind = extension(name)
    if kind == "docx":
        return parse_docx(data)
    if kind in TEXT_EXTENSIONS:
        if not isinstance(data, bytes | bytearray):
            raise BulletinParseError([Problem(0, "文件内容无法读取")])
        return parse_text(decode(bytes(data)), markdown=True if kind != "txt" else None)
    raise BulletinParseError(
        [Problem(0, f"不支持的文件类型“{name}”（应为 .txt、.md、.markdown 或 .docx）")]
    )
