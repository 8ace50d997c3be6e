"""The 链接 field: find the URL, mend it when extraction broke it, say what was mended."""

import re
import unicodedata

from .result import Report
from .text import CJK

# The target stops at the next "[" so that many unclosed "[a](" cost one pass, not one each.
_MD_LINK = re.compile(r"\[(?P<text>[^\[\]]*)\]\(\s*+<?(?P<target>[^)\s>\[]+)>?\s*\)")
_AUTOLINK = re.compile(r"<(?P<url>[^<>]+)>")
_URL_START = re.compile(r"(?:(?:https?|ftp)\s*:\s*/\s*/|www\s*\.)", re.I)
_URL_STOP = re.compile(rf"[{CJK}<>\"{{}}|\\^`]")
_URL_CHARS = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%\s]+$")
_EXTENSION = re.compile(
    r"\.(?:s?html?|php\d?|aspx?|jspx?|cgi|pdf|docx?|xlsx?|pptx?|do|action|txt|xml)$", re.I
)
_STRAY_EXTENSIONS = {"html", "htm", "shtml", "shtm", ".html", ".htm", ".shtml", ".shtm"}
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
_NO_LINK = {"无", "暂无", "没有", "none", "n/a", "-", "—", "/", "略"}


def looks_like_url_start(text: str) -> bool:
    """The line begins with a URL, a Markdown link or an autolink."""
    text = unicodedata.normalize("NFKC", text.strip())
    return bool(re.match(r"^(?:\[[^\]]*\]\(|<)?\s*(?:https?\s*:\s*//|ftp://|www\.)", text, re.I))


def looks_like_url_piece(text: str) -> bool:
    """Could be the tail of a URL broken over lines (ASCII URL characters only)."""
    text = _ESCAPED.sub(r"\1", unicodedata.normalize("NFKC", text.strip()))
    return bool(text) and bool(_URL_CHARS.match(text)) and not re.search(r"\s{2,}", text)


def is_no_link(text: str) -> bool:
    return text.strip().lower() in _NO_LINK


class _BrokenUrl:
    """A URL put together from the pieces of a line broken by extraction.

    Keeps its pieces and what ``_complete`` needs, so that a URL broken over many lines costs
    one pass over its pieces rather than a pass over the whole URL for each of them.
    """

    _EXTENSION_MAX = 8  # "." and the longest extension in _EXTENSION

    def __init__(self, start: str):
        self.parts = [start]
        self.length = len(start)
        self.has_query = "?" in start

    def __str__(self) -> str:
        return "".join(self.parts)

    def append(self, tail: str) -> None:
        self.parts.append(tail)
        self.length += len(tail)
        self.has_query = self.has_query or "?" in tail

    def shown(self, limit: int = 200) -> str:
        """The URL for a message: its first ``limit`` characters."""
        taken: list[str] = []
        count = limit
        for part in self.parts:
            if count <= 0:
                break
            taken.append(part[:count])
            count -= len(part)
        return "".join(taken) + ("……" if self.length > limit else "")

    def last(self, count: int) -> str:
        """The last ``count`` characters (fewer when the URL is shorter)."""
        taken: list[str] = []
        for part in reversed(self.parts):
            if count <= 0:
                break
            taken.append(part[-count:])
            count -= len(part)
        return "".join(reversed(taken))

    def endswith(self, tail: str) -> bool:
        return not tail or self.last(len(tail)) == tail

    def complete(self) -> bool:
        """Ends like a whole address: a page with a known extension, or a finished query."""
        end = self.last(self._EXTENSION_MAX)
        if self.has_query:
            return end[-1:].isalnum()  # a query after "?" that ends in a letter or digit
        return bool(_EXTENSION.search(end))


def _extract(text: str) -> tuple[str, str]:
    """First URL in a piece of text -> (url, text before it was found in)."""
    text = _ESCAPED.sub(r"\1", unicodedata.normalize("NFKC", text))
    md = _MD_LINK.search(text)
    if md:
        target, label = md.group("target").strip(), md.group("text").strip()
        if _URL_START.match(target):
            return target, "markdown"
        if _URL_START.match(label):
            return label, "markdown"
    auto = _AUTOLINK.search(text)
    if auto and _URL_START.match(auto.group("url").strip()):
        return auto.group("url").strip(), "autolink"
    start = _URL_START.search(text)
    if not start:
        return "", ""
    rest = text[start.start() :]
    stop = _URL_STOP.search(rest)
    if stop:
        rest = rest[: stop.start()]
    return rest.strip(), "bare"


def _tidy(url: str, line: int, report: Report) -> str:
    compact = re.sub(r"\s+", "", url)
    if compact != url:
        report.warn(line, f"链接中有多余的空格，已删除：{compact}")
    compact = compact.rstrip(".,;:!)>]。，；")
    if compact.lower().startswith("www."):
        report.warn(line, f"链接缺少“http://”，已补上：http://{compact}")
        compact = "http://" + compact
    return compact


def _leftover(url: _BrokenUrl, piece: str, tail: str) -> str:
    """Why a line after the URL is not part of it, or "" when it goes on with the URL."""
    if looks_like_url_start(piece):
        return f"多余的第二个链接“{piece[:80]}”已忽略"
    if url.complete() and tail.lower() in _STRAY_EXTENSIONS:
        return f"链接后多余的一行“{tail}”已删除"
    if url.endswith(tail):
        return f"链接后重复的片段“{tail[:80]}”已删除"
    if not url.complete() or tail[:1] in "?&#=":
        return ""
    return f"链接后多余的文字“{tail[:60]}”已忽略"


def assemble_link(pieces: list[tuple[int, str]], report: Report) -> str:
    """The 链接 value and the lines after it -> one http(s) URL, or "" (with a warning).

    A run of lines merged into the URL is reported once, at its first line.
    """
    url: _BrokenUrl | None = None
    url_line, merged_from = 0, 0

    def report_merge() -> None:
        nonlocal merged_from
        if merged_from:
            report.warn(merged_from, f"链接被断成多行，已合并为：{url.shown()}")
            merged_from = 0

    for line, raw in pieces:
        piece = raw.strip()
        if not piece or is_no_link(piece):
            continue
        if url is None:
            found, _kind = _extract(piece)
            if found:
                url, url_line = _BrokenUrl(_tidy(found, line, report)), line
            else:
                report.warn(line, f"无法识别的链接“{piece[:60]}”，已忽略")
            continue
        tail = re.sub(r"\s+", "", _ESCAPED.sub(r"\1", unicodedata.normalize("NFKC", piece)))
        leftover = _leftover(url, piece, tail)
        if leftover:
            report_merge()
            report.warn(line, leftover)
        else:
            url.append(tail)
            merged_from = merged_from or line
    report_merge()
    if url is None:
        return ""
    text = str(url)
    if not re.match(r"^https?://[^\s/?#]+\.[^\s/?#]+", text, re.I):
        report.warn(url_line, f"链接“{text[:80]}”不是有效的 http(s) 网址，已忽略")
        return ""
    return text
