"""Line-level helpers: input clean-up, CJK spacing, Markdown decorations, dates, punctuation."""

import datetime
import re
import unicodedata

from ..text import numerals

# Ideographs (CJK, extension A, compatibility, supplementary planes) and 〇.
IDEOGRAPH = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# CJK symbols and punctuation, full-width forms, curly quotes, dashes, ellipsis, middle dots.
CJK_PUNCT = "\u3000-\u3006\u3008-\u303f\uff00-\uffef\u2018-\u201f\u2014\u2015\u2026\u00b7\u30fb"
CJK = IDEOGRAPH + CJK_PUNCT

_SPACE = "[ \t\u00a0\u3000]"
_CJK_GAP = re.compile(rf"(?<=[{CJK}]){_SPACE}+(?=[{CJK}])")
# 。 "对于  /  " 。 : CJK punctuation next to other (non-alphanumeric) punctuation.
_PUNCT_GAP_AFTER = re.compile(rf"(?<=[{CJK_PUNCT}]){_SPACE}+(?=[^\sA-Za-z0-9{IDEOGRAPH}])")
_PUNCT_GAP_BEFORE = re.compile(rf"(?<=[^\sA-Za-z0-9{IDEOGRAPH}]){_SPACE}+(?=[{CJK_PUNCT}])")
# 日, 监测 : ASCII punctuation used inside Chinese text.
_ASCII_PUNCT_GAP = re.compile(rf"(?<=[{CJK}][,;:!?]){_SPACE}+(?=[{CJK}])")
_MULTI_SPACE = re.compile(rf"{_SPACE}+")

# Characters that mean nothing in a text and only confuse matching.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\ufffe\uffff"))
_SEPARATORS = {ord(ch): " " for ch in "\v\x1c\x1d\x1e\x85\u2028\u2029"}
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\ud800-\udfff]")


def clean_input(text: str) -> list[str]:
    """Text -> lines as an editor counts them (\\n, \\r\\n or \\r), without invisible junk."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\f", "").translate(_INVISIBLE).translate(_SEPARATORS)
    text = _CONTROL.sub("", text)
    return [line.rstrip() for line in text.split("\n")]


def collapse_spaces(text: str) -> str:
    """Runs of spaces -> one space, trimmed (titles, headings, captions keep their spaces)."""
    return _MULTI_SPACE.sub(" ", text).strip()


def remove_cjk_spaces(text: str) -> str:
    """Drop stray spaces between Chinese characters; keep those between Latin words/numbers."""
    text = _CJK_GAP.sub("", text)
    text = _PUNCT_GAP_AFTER.sub("", text)
    text = _PUNCT_GAP_BEFORE.sub("", text)
    text = _ASCII_PUNCT_GAP.sub("", text)
    return collapse_spaces(text)


def tidy_punctuation_spaces(text: str) -> str:
    """Collapse spaces, and drop those next to Chinese punctuation (captions, titles)."""
    text = _PUNCT_GAP_AFTER.sub("", collapse_spaces(text))
    text = re.sub(rf"(?<=[{CJK_PUNCT}]){_SPACE}+(?=[{IDEOGRAPH}])", "", text)
    text = re.sub(rf"(?<=[{IDEOGRAPH}]){_SPACE}+(?=[{CJK_PUNCT}])", "", text)
    return _PUNCT_GAP_BEFORE.sub("", text)


def is_latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def join_wrapped(left: str, right: str) -> str:
    """Join two pieces of a line broken by extraction: no space inside Chinese text."""
    left, right = left.rstrip(), right.lstrip()
    if not left or not right:
        return left + right
    if (is_latin(left[-1]) or left[-1] in ",;:!?)") and is_latin(right[0]):
        return f"{left} {right}"
    return left + right


def comparison_key(text: str) -> str:
    """Loose key to compare titles and sources: width, spaces, quotes and punctuation ignored."""
    text = unicodedata.normalize("NFKC", text or "")
    text = re.sub(r"\\(.)", r"\1", text)
    return "".join(ch for ch in text.lower() if ch.isalnum())


# --- Markdown decorations on structural lines -------------------------------------------

_HEADING_MARK = re.compile(r"^#{1,6}(?:\s+|$)")
_CLOSING_HASHES = re.compile(r"\s+#+\s*$")
_BULLET = re.compile(r"^(?:[-*+•·●○▪■◆]|\\-)\s+")
_QUOTE_MARK = re.compile(r"^>\s?")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_MD_LINK = re.compile(r"!?\[([^\[\]]*)\]\(\s*<?([^)\s>]*)>?\s*\)")
_AUTOLINK = re.compile(r"<((?:https?|ftp)://[^>\s]*)>")


def heading_level(line: str) -> int:
    """Level of an ATX Markdown heading, 0 for any other line."""
    match = re.match(r"^\s{0,3}(#{1,6})(?:\s|$)", line)
    return len(match.group(1)) if match else 0


def strip_decorations(line: str, markdown: bool) -> str:
    """A line without its Markdown dressing: heading marks, bullets, quote marks, bold, escapes."""
    text = line.strip()
    for _ in range(3):
        before = text
        text = _QUOTE_MARK.sub("", text)
        if _HEADING_MARK.match(text):
            text = _CLOSING_HASHES.sub("", _HEADING_MARK.sub("", text))
        text = _BULLET.sub("", text).strip()
        if text == before:
            break
    return inline_plain(text, markdown).strip()


def inline_plain(text: str, markdown: bool) -> str:
    """Inline Markdown -> its text: bold/italic markers dropped, links -> text, escapes resolved."""
    text = text.replace("**", "").replace("__", "")
    if not markdown:
        return text
    text = _MD_LINK.sub(lambda m: m.group(1) or m.group(2), text)
    text = _AUTOLINK.sub(r"\1", text)
    text = re.sub(r"(?<![\\\w])\*(?=\S)(.+?)(?<=\S)\*(?!\w)", r"\1", text)
    return _ESCAPE.sub(r"\1", text)


# --- Punctuation ----------------------------------------------------------------------

TERMINAL = set("。！？!?…；;：:．.·")
CLOSERS = set("”’\"'」』）)】]》〉*")
OPEN_ENDS = set("，,、“‘（(《【〈—-/～~")


def _trailing_core(text: str) -> str:
    """The text without trailing closing quotes/brackets/emphasis and footnote digits."""
    core = text.rstrip()
    core = re.sub(r"(?<=[。！？!?…])\d{1,2}$", "", core)
    return core.rstrip("".join(CLOSERS)).rstrip()


def ends_sentence(text: str) -> bool:
    """Ends with sentence punctuation, possibly followed by a closing quote or bracket."""
    text = text.rstrip()
    if not text:
        return False
    if text[-1] in "）)】]》〉」』":
        return True
    core = _trailing_core(text)
    return bool(core) and core[-1] in TERMINAL


def ends_open(text: str) -> bool:
    """Ends on a comma, an opening bracket or a dash: the sentence goes on."""
    text = text.rstrip()
    return bool(text) and text[-1] in OPEN_ENDS


def visible_length(text: str) -> int:
    return len(re.sub(r"\s+", "", text))


# --- Dates ----------------------------------------------------------------------------

_CN_DIGITS = "〇零一二两三四五六七八九十"
DATE_PATTERN = (
    r"(?<!\d)(?P<y>\d{4})\s*(?:年\s*(?P<m1>\d{1,2})\s*月\s*(?P<d1>\d{1,2})\s*日"
    r"|[-./／]\s*(?P<m2>\d{1,2})\s*[-./／]\s*(?P<d2>\d{1,2})(?!\d))"
    rf"|(?P<cy>[{_CN_DIGITS}]{{4}})\s*年\s*(?P<cm>[{_CN_DIGITS}]{{1,3}})\s*月"
    rf"\s*(?P<cd>[{_CN_DIGITS}]{{1,3}})\s*日"
)
DATE = re.compile(DATE_PATTERN)


def date_from_match(match: re.Match) -> datetime.date | None:
    """A DATE match -> date, or None when it names no real day (2025年2月30日)."""
    try:
        if match.group("y"):
            year = int(match.group("y"))
            month = int(match.group("m1") or match.group("m2"))
            day = int(match.group("d1") or match.group("d2"))
        else:
            year = numerals.parse(match.group("cy"))
            month = numerals.parse(match.group("cm"))
            day = numerals.parse(match.group("cd"))
        return datetime.date(year, month, day)
    except (ValueError, TypeError, OverflowError):
        return None


def find_dates(text: str) -> list[tuple[re.Match, datetime.date]]:
    found = []
    for match in DATE.finditer(text):
        day = date_from_match(match)
        if day is not None:
            found.append((match, day))
    return found


def chinese_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
