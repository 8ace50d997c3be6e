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


def join_wrapped_all(pieces: list[str]) -> str:
    """``functools.reduce(join_wrapped, pieces)`` in one pass: joining a paragraph's lines one
    by one would copy all that was joined so far for every line."""
    if not pieces:
        return ""
    out = [pieces[0]]
    for piece in pieces[1:]:
        while out and not out[-1].rstrip():
            out.pop()
        if out:
            out[-1] = out[-1].rstrip()
        right = piece.lstrip()
        left = out[-1][-1] if out else ""
        if left and right and (is_latin(left) or left in ",;:!?)") and is_latin(right[0]):
            right = " " + right
        out.append(right)
    return "".join(out)


def comparison_key(text: str) -> str:
    """Loose key to compare titles and sources: width, spaces, quotes and punctuation ignored."""
    text = unicodedata.normalize("NFKC", text or "")
    text = re.sub(r"\\(.)", r"\1", text)
    return "".join(ch for ch in text.lower() if ch.isalnum())


# --- Markdown decorations on structural lines -------------------------------------------

_HEADING_MARK = re.compile(r"^#{1,6}(?:\s+|$)")
# Tried only where a run of spaces begins, so that a long run is not scanned once per space.
_CLOSING_HASHES = re.compile(r"(?<!\s)\s+#+\s*$")
_BULLET = re.compile(r"^(?:[-*+•·●○▪■◆]|\\-)\s+")
_QUOTE_MARK = re.compile(r"^>\s?")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
# A link's target stops at the next "[" and an autolink at the next "<": where many links
# are begun and never closed, each try ends where the next one starts (linear, not quadratic).
_MD_LINK = re.compile(r"!?\[([^\[\]]*)\]\(\s*+<?([^)\s>\[]*)>?\s*\)")
_AUTOLINK = re.compile(r"<((?:https?|ftp)://[^<>\s]*)>")
_EMPHASIS_OPEN = re.compile(r"(?<![\\\w])\*(?=\S)")
_EMPHASIS_CLOSE = re.compile(r"(?<=\S)\*(?!\w)")


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
    return _ESCAPE.sub(r"\1", drop_single_emphasis(text))


def drop_single_emphasis(text: str) -> str:
    """'*a* b' -> 'a b': a single '*' that opens (not after a letter or backslash, before a
    non-space) up to the next one that closes (after a non-space, not before a letter) on the
    same line. The one-pattern form, ``\\*(?=\\S)(.+?)(?<=\\S)\\*``, tries every unclosed '*'
    to the end of its line; this pairs them in one pass."""
    closers = [match.start() for match in _EMPHASIS_CLOSE.finditer(text)]
    if not closers:
        return text
    line_ends = [match.start() for match in re.finditer("\n", text)] + [len(text)]
    out: list[str] = []
    done = closer = line = 0
    for opener in _EMPHASIS_OPEN.finditer(text):
        start = opener.start()
        if start < done:
            continue
        while closer < len(closers) and closers[closer] < start + 2:
            closer += 1
        if closer == len(closers):
            break
        while line_ends[line] < start:
            line += 1
        if closers[closer] > line_ends[line]:
            continue  # no closing '*' on this line
        out += [text[done:start], text[start + 1 : closers[closer]]]
        done = closers[closer] + 1
    out.append(text[done:])
    return "".join(out)


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
