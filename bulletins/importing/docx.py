"""A Word (.docx) bulletin -> the line-oriented Markdown the text parser reads.

Headings become ``#`` lines, bold runs ``**…**``, italic runs ``*…*``, hyperlinks their URL
(or ``[text](url)`` when the text is not the address), caption-style paragraphs ``*…*``,
list paragraphs ``- …``. An image leaves an "image gap" (three blank lines) so that the
caption under it is recognised, as in text extracted from a PDF.
"""

import io
import re
from dataclasses import dataclass

from docx import Document
from docx.table import Table
from docx.text.hyperlink import Hyperlink
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from .parse import parse_text
from .result import BulletinParseError, ParsedBulletin, Problem

_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*(?P<level>[1-9])$", re.I)
_TITLE_STYLES = {"title", "标题"}
_CAPTION_STYLES = {"caption", "题注"}
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>])")
_IMAGE_GAP = ["", "", ""]


@dataclass
class _Piece:
    text: str
    bold: bool = False
    italic: bool = False
    url: str = ""


def _escape(text: str) -> str:
    return _INLINE_SPECIAL.sub(r"\\\1", text)


def _has_image(run: Run) -> bool:
    return bool(run._r.xpath(".//w:drawing | .//w:pict | .//w:object"))


def _pieces(paragraph: Paragraph) -> tuple[list[_Piece], bool]:
    """The paragraph's runs and hyperlinks in order, and whether it holds an image."""
    pieces: list[_Piece] = []
    image = False
    for item in paragraph.iter_inner_content():
        if isinstance(item, Hyperlink):
            url = item.url or ""
            pieces.append(_Piece(item.text or "", url=url))
        elif isinstance(item, Run):
            image = image or _has_image(item)
            if item.text:
                pieces.append(_Piece(item.text, bool(item.bold), bool(item.italic)))
    return pieces, image


def _render_piece(piece: _Piece) -> str:
    if piece.url:
        label = piece.text.strip()
        if not label or label == piece.url or re.match(r"^(?:https?://|www\.)", label, re.I):
            return piece.url
        return f"[{_escape(label)}]({piece.url})"
    text = _escape(piece.text)
    core = text.strip()
    if not core or not (piece.bold or piece.italic):
        return text
    mark = "***" if piece.bold and piece.italic else ("**" if piece.bold else "*")
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    return f"{lead}{mark}{core}{mark}{trail}"


def _merge(pieces: list[_Piece]) -> list[_Piece]:
    """Neighbouring runs of the same formatting -> one piece (Word splits runs freely)."""
    groups: list[list[_Piece]] = []
    for piece in pieces:
        last = groups[-1][-1] if groups else None
        if (
            last
            and not last.url
            and not piece.url
            and (last.bold, last.italic) == (piece.bold, piece.italic)
        ):
            groups[-1].append(piece)
        else:
            groups.append([piece])
    return [
        _Piece("".join(piece.text for piece in group), group[0].bold, group[0].italic, group[0].url)
        for group in groups
    ]


def _split_lines(pieces: list[_Piece]) -> list[list[_Piece]]:
    """Pieces -> lines of pieces, split at line breaks inside runs."""
    lines: list[list[_Piece]] = [[]]
    for piece in pieces:
        parts = piece.text.replace("\r", "\n").replace("\t", " ").split("\n")
        for index, part in enumerate(parts):
            if index:
                lines.append([])
            if part or piece.url:
                lines[-1].append(_Piece(part, piece.bold, piece.italic, piece.url))
    return lines


def _style_name(paragraph: Paragraph) -> str:
    try:
        return (paragraph.style.name or "").strip() if paragraph.style is not None else ""
    except (KeyError, AttributeError, ValueError):
        return ""


def paragraph_lines(paragraph: Paragraph) -> list[str]:
    """One Word paragraph -> Markdown lines (without the blank line that follows)."""
    pieces, image = _pieces(paragraph)
    style = _style_name(paragraph)
    lines = list(_IMAGE_GAP) if image else []
    plain = "".join(piece.text for piece in pieces).strip()
    if not plain:
        return lines
    heading = _HEADING_STYLE.match(style)
    if heading or style.lower() in _TITLE_STYLES:
        level = int(heading.group("level")) if heading else 1
        for text in plain.replace("\r", "\n").split("\n"):
            if text.strip():
                lines.append(f"{'#' * level} {_escape(text.strip())}")
        return lines
    if style.lower() in _CAPTION_STYLES:
        text = " ".join(part.strip() for part in plain.split("\n") if part.strip())
        return [*lines, f"*{_escape(text)}*"]
    prefix = ""
    lowered = style.lower()
    if lowered.startswith("list number") or "编号" in style:
        prefix = "1. "
    elif lowered.startswith("list") or "列表" in style or "项目符号" in style:
        prefix = "- "
    for number, pieces_of_line in enumerate(_split_lines(_merge(pieces))):
        text = "".join(_render_piece(piece) for piece in pieces_of_line).strip()
        if not text:
            continue
        if not prefix and re.match(r"^(?:#|>)", text):
            text = "\\" + text
        lines.append((prefix if number == 0 else "") + text)
    return lines


def _blocks(document):
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            yield block
        elif isinstance(block, Table):
            seen = set()
            for row in block.rows:
                for cell in row.cells:
                    if id(cell._tc) in seen:
                        continue
                    seen.add(id(cell._tc))
                    yield from cell.paragraphs


def docx_to_markdown(document) -> str:
    """A python-docx Document -> Markdown lines, paragraphs separated by one blank line."""
    out: list[str] = []
    for paragraph in _blocks(document):
        lines = paragraph_lines(paragraph)
        if not lines:
            continue
        if out and out[-1] != "":
            out.append("")
        out.extend(lines)
    return "\n".join(out) + "\n"


def _open(data) -> object:
    if isinstance(data, bytes | bytearray | memoryview):
        return Document(io.BytesIO(bytes(data)))
    if hasattr(data, "read"):
        content = data.read()
        if isinstance(content, str):
            raise TypeError("the .docx file was opened in text mode")
        return Document(io.BytesIO(content))
    raise TypeError(f"cannot read a .docx from {type(data).__name__}")


def parse_docx(data) -> ParsedBulletin:
    """Parse a .docx given as bytes or as a binary file object."""
    try:
        document = _open(data)
        text = docx_to_markdown(document)
    except Exception as exc:  # noqa: BLE001 - corrupt files fail in many ways; all are ours
        raise BulletinParseError(
            [Problem(0, f"无法读取Word文档（文件可能已损坏或不是 .docx）：{type(exc).__name__}")]
        ) from exc
    return parse_text(text, markdown=True)
