"""Is this file what its name says it is? Checked before a file is stored or parsed.

A .docx must be a zip package holding a Word document (and must not unpack to something
enormous); a .txt or .md must be text, not a Word, PDF or other binary file renamed.
"""

import io
import zipfile

from .result import BulletinParseError, Problem

TEXT_EXTENSIONS = ("txt", "md", "markdown")
EXTENSIONS = (*TEXT_EXTENSIONS, "docx")
# Word files are mostly compressed XML and pictures; far more than this unpacked is a bomb.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
_WORD_PARTS = ("[Content_Types].xml", "word/document.xml")
_SIGNATURES = {
    b"PK\x03\x04": "zip 压缩包或 Word（.docx）文件",
    b"%PDF": "PDF 文件",
    b"\xd0\xcf\x11\xe0": "旧版 Word（.doc）或 Excel 文件",
    b"{\\rtf": "RTF 文件",
    b"\x89PNG": "图片",
    b"\xff\xd8\xff": "图片",
}
_HINTS = {
    "doc": "旧版 Word（.doc）文件无法直接导入，请在 Word 中“另存为” .docx 后上传",
    "pdf": "PDF 无法直接导入，请先转为 Word（.docx）或文本文件",
    "wps": "WPS 文件无法直接导入，请另存为 .docx 后上传",
}


def extension(name: str) -> str:
    return name.lower().rsplit(".", 1)[-1] if "." in (name or "") else ""


def size_label(size: int) -> str:
    """5242880 -> '5 MB', 1536 -> '1.5 KB'."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} 字节"


def too_large(size: int, limit: int) -> str:
    return f"文件过大：{size_label(size)}，每个文件不能超过 {size_label(limit)}"


def _fail(message: str):
    raise BulletinParseError([Problem(0, message)])


def check_file(name: str, data: bytes, *, max_bytes: int | None = None) -> None:
    """Raise BulletinParseError when the file is too large or not of the type its name says."""
    kind = extension(name)
    if kind not in EXTENSIONS:
        _fail(_HINTS.get(kind) or f"不支持的文件类型“{name}”（应为 .txt、.md、.markdown 或 .docx）")
    if max_bytes is not None and len(data) > max_bytes:
        _fail(too_large(len(data), max_bytes))
    if not data:
        _fail("文件是空的")
    if kind == "docx":
        _check_word(data)
    else:
        _check_text(data)


def _check_word(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            entries = package.infolist()
            names = {entry.filename for entry in entries}
            unpacked = sum(entry.file_size for entry in entries)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        _fail("文件扩展名是 .docx，但内容不是 Word 文档（文件可能已损坏，或由其他格式改名而来）")
    if not all(part in names for part in _WORD_PARTS):
        _fail("文件是压缩包，但不含 Word 文档的正文（word/document.xml）")
    if unpacked > MAX_UNPACKED_BYTES:
        _fail("Word 文档解压后过大，无法导入")


def _check_text(data: bytes) -> None:
    for signature, what in _SIGNATURES.items():
        if data.startswith(signature):
            _fail(f"文件扩展名表示文本，但内容是{what}；请检查文件或改用正确的扩展名")
    utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
    if not utf16 and b"\x00" in data[:8192]:
        _fail("文件内容不是文本（含有二进制数据）")
