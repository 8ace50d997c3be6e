"""Recognising the structural lines of a bulletin: section heads, numbered titles, fields."""

import re

FIELD_NAMES = ("来源标题", "原标题", "原文链接", "链接", "网址", "来源", "主要内容")
_FIELD_MARK = re.compile(r"(来源标题|原标题|原文链接|链接|网址|来源|主要内容)\s*[:：]")
_SOURCE_NO_COLON = re.compile(r"^来源[ \t\u3000]+(?P<value>\S.*)$")
_MAIN_NO_COLON = re.compile(r"^主要内容\s*$")
_LINK_NO_COLON = re.compile(r"^(?:原文)?链接\s*$")

INTRO = re.compile(r"^(?:本期)?导\s*语\s*[:：]?\s*(?P<rest>.*)$")
INTRO_SENTENCE = re.compile(r"^本期\S{0,4}?共收集")
_SECTION_NUMBER = r"(?:[一二三四五六七八九十]{1,3}\s*[、.．]\s*)?"
TOC_HEAD = re.compile(rf"^{_SECTION_NUMBER}(?:信息)?目\s*录\s*[:：]?$")
CONTENT_HEAD = re.compile(rf"^{_SECTION_NUMBER}(?:具体内容|详细内容|信息内容|正\s*文)\s*[:：]?$")
NUMBERED = re.compile(
    r"^(?:(?P<n>\d{1,3})\s*[.．、]|[(（](?P<n2>\d{1,3})[)）]|(?P<n3>\d{1,3})\s*[)）])\s*(?P<rest>.*)$"
)
TITLE_LABEL = re.compile(r"^标\s*题\s*[:：]?\s*(?P<title>.*)$")
TITLE_LABEL_STRICT = re.compile(r"^标\s*题\s*[:：]\s*(?P<title>.*)$")
# The text runs from its first to its last non-space character, so that no stretch of spaces is
# tried once for every character before it.
PARENTHESISED = re.compile(r"^[(（]\s*(?P<text>[^()（）\s](?:[^()（）]*[^()（）\s])?)\s*[)）]$")
_LAST_PARENTHESIS = re.compile(r"[(（](?P<text>[^()（）]*)[)）]$")
TRAILING_TEXT_MAX = 30
# A name starts after a space (or at the start): one try per word, not one per character.
SERIES = re.compile(r"(?<!\S)(?P<name>\S*?(?:周报|月报))")
ISSUE = re.compile(
    r"(?P<total>总\s*)?第\s*+(?P<n>[^期号()（）\[\]]{1,12}?)\s*(?:期|号|(?=[)）\]]|$))"
)
ORG_SUFFIX = re.compile(
    r"(?:中心|研究院|研究所|委员会|办公室|大学|学院|协会|学会|局|厅|公司|院|部|处)$"
)


def numbered(text: str) -> tuple[int, str] | None:
    """'1. 标题：……' / '(1)……' -> (1, '标题：……')."""
    match = NUMBERED.match(text)
    if not match:
        return None
    number = match.group("n") or match.group("n2") or match.group("n3")
    return int(number), match.group("rest").strip()


def trailing_parenthesis(text: str) -> tuple[str, str] | None:
    """'标题（人民网）' -> ('标题', '人民网'): a short text in brackets closing the line."""
    match = _LAST_PARENTHESIS.search(text)
    if not match or match.start() == 0:
        return None
    inner = match.group("text").strip()
    if not 1 <= len(inner) <= TRAILING_TEXT_MAX:
        return None
    head = text[: match.start()]
    return head.rstrip() or head[:1], inner


def split_fields(text: str) -> tuple[str, list[tuple[str, str]]]:
    """'标题 来源：人民网 链接：http://…' -> ('标题', [('来源', '人民网'), ('链接', 'http://…')])."""
    marks = list(_FIELD_MARK.finditer(text))
    # A URL may contain 'http:' but never a Chinese field name, so plain splitting is safe.
    if not marks:
        return text.strip(), []
    lead = text[: marks[0].start()].strip()
    fields = []
    for index, mark in enumerate(marks):
        end = marks[index + 1].start() if index + 1 < len(marks) else len(text)
        fields.append((_canonical(mark.group(1)), text[mark.end() : end].strip()))
    return lead, fields


def _canonical(name: str) -> str:
    return {"原标题": "来源标题", "原文链接": "链接", "网址": "链接"}.get(name, name)


def field_line(text: str) -> list[tuple[str, str]] | None:
    """Fields when the line starts with one (来源：…, 链接 …, 主要内容), else None."""
    lead, fields = split_fields(text)
    if fields and not lead:
        return fields
    no_colon = _SOURCE_NO_COLON.match(text)
    if no_colon:
        rest_lead, rest_fields = split_fields(no_colon.group("value"))
        return [("来源", rest_lead), *rest_fields]
    if _MAIN_NO_COLON.match(text):
        return [("主要内容", "")]
    if _LINK_NO_COLON.match(text):
        return [("链接", "")]
    return None


def is_field(text: str) -> bool:
    return field_line(text) is not None


def section_head(text: str) -> bool:
    return bool(TOC_HEAD.match(text) or CONTENT_HEAD.match(text) or INTRO.match(text))


def raw_field_value(raw: str, name: str) -> str | None:
    """The text after '链接：' in the raw line (Markdown links and autolinks kept intact)."""
    pattern = {"链接": r"(?:原文链接|链接|网址)"}.get(name, re.escape(name))
    match = re.search(rf"{pattern}\s*(?:\*\*|__)?\s*[:：]?\s*(?:\*\*|__)?", raw)
    if not match:
        return None
    rest = raw[match.end() :]
    following = _FIELD_MARK.search(rest)
    return (rest[: following.start()] if following else rest).strip()
