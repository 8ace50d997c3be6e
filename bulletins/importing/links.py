"""The 链接 field: find the URL, mend it when extraction broke it, say what was mended."""

import re
import unicodedata

from .result import Report
from .text import CJK

_MD_LINK = re.compile(r"\[(?P<text>[^\[\]]*)\]\(\s*<?(?P<target>[^)\s>]+)>?\s*\)")
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


def _complete(url: str) -> bool:
    """Ends like a whole address: a page with a known extension, or a finished query."""
    path, _, query = url.partition("?")
    if "?" in url:
        return bool(query) and query[-1].isalnum()
    return bool(_EXTENSION.search(path))


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


def assemble_link(pieces: list[tuple[int, str]], report: Report) -> str:
    """The 链接 value and the lines after it -> one http(s) URL, or "" (with a warning)."""
    url, url_line = "", 0
    for line, raw in pieces:
        piece = raw.strip()
        if not piece or is_no_link(piece):
            continue
        if not url:
            found, _kind = _extract(piece)
            if found:
                url, url_line = _tidy(found, line, report), line
            else:
                report.warn(line, f"无法识别的链接“{piece[:60]}”，已忽略")
            continue
        if looks_like_url_start(piece):
            report.warn(line, f"多余的第二个链接“{piece[:80]}”已忽略")
            continue
        tail = re.sub(r"\s+", "", _ESCAPED.sub(r"\1", unicodedata.normalize("NFKC", piece)))
        if _complete(url) and tail.lower() in _STRAY_EXTENSIONS:
            report.warn(line, f"链接后多余的一行“{tail}”已删除")
        elif url.endswith(tail):
            report.warn(line, f"链接后重复的片段“{tail}”已删除")
        elif not _complete(url) or tail[:1] in "?&#=":
            url += tail
            report.warn(line, f"链接被断成多行，已合并为：{url}")
        else:
            report.warn(line, f"链接后多余的文字“{tail[:60]}”已忽略")
    if url and not re.match(r"^https?://[^\s/?#]+\.[^\s/?#]+", url, re.I):
        report.warn(url_line, f"链接“{url[:80]}”不是有效的 http(s) 网址，已忽略")
        return ""
    return url
