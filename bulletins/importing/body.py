"""An article's body lines -> Markdown in the site's conventions.

Paragraphs are separated by a blank line, sub-headings are ``### text``, photo captions are
paragraphs of their own wrapped in single asterisks, bold runs stay ``**text**``. Lines broken
by PDF extraction are rejoined (without spaces inside Chinese text) and stray spaces between
Chinese characters are removed. In plain-text input, characters that Markdown would read as
markup are escaped so that the text survives rendering.
"""

import re
from collections import deque
from dataclasses import dataclass, field

from .result import Report
from .text import (
    IDEOGRAPH,
    collapse_spaces,
    ends_open,
    ends_sentence,
    heading_level,
    inline_plain,
    join_wrapped_all,
    remove_cjk_spaces,
    strip_decorations,
    tidy_punctuation_spaces,
    visible_length,
)

HEADING_MAX = 30  # a stand-alone line this short without final punctuation is a sub-heading
CAPTION_MAX = 100
GAP_CAPTION_MAX = 60  # a short sentence right after an image (blank lines) is its caption
# Captions split off one line, each leaving the rest of the line to be read again; past this
# many the rest is read as ordinary text (a real line holds one or two).
CAPTIONS_PER_LINE = 10

_LIST_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,9}[.)])\s+\S")
_IMAGE = re.compile(r"^!\[(?P<alt>[^\]]*)\]\([^)]*\)$")
_PAGE_NUMBER = re.compile(
    r"^(?:[-—–]\s*\d{1,3}\s*[-—–]|第\s*\d{1,3}\s*页(?:\s*[,，/]?\s*共\s*\d{1,3}\s*页)?"
    r"|\d{1,3}\s*/\s*\d{1,3})$"
)
_CN_ORDINAL = "[一二三四五六七八九十]{1,3}"
_NUMBERED_HEADING = re.compile(rf"^(?:{_CN_ORDINAL}、|[（(]{_CN_ORDINAL}[)）])\S")
_PICTURE_PREFIX = re.compile(r"^(?:图|图片|图为|照片)\s*[|｜丨/／:：]\s*\S")
_PICTURE_SOURCE = re.compile(r"^[（(]?图片来源\s*[:：]")
_CREDIT = re.compile(r"摄(?![像影制取入录氏])|供图")
_EMPHASIS_ONLY = re.compile(r"^([*_])(?!\1)\S(?:.*\S)?(?<![*_])\1$")
_SENTENCE_SPLIT = re.compile(r"[。．.！!？?，,、；;：:]")


@dataclass
class Element:
    kind: str  # "p" paragraph, "h" heading, "cap" caption, "li" list item
    text: str  # paragraphs and list items: the source's inline text; others: plain text
    line: int
    block_start: bool = False
    block_end: bool = False
    # Lines that go on with ``text``: joined once, by finish(), not copied again for every line.
    wrapped: list[str] = field(default_factory=list)

    def finish(self) -> None:
        if self.wrapped:
            self.text = join_wrapped_all([self.text, *self.wrapped])
            self.wrapped = []


def heading_like(text: str) -> bool:
    """Short, alone, without final punctuation: reads as a sub-heading."""
    text = text.strip()
    if not text or visible_length(text) > HEADING_MAX:
        return False
    if ends_sentence(text) or ends_open(text):
        return False
    if text[0] in "（(" and text[-1] in "）)" and not _NUMBERED_HEADING.match(text):
        return False
    return bool(re.search(rf"[{IDEOGRAPH}A-Za-z]", text))


def numbered_heading(text: str) -> bool:
    """一、…… or （一）…… : a short section heading inside an article."""
    text = text.strip()
    if not _NUMBERED_HEADING.match(text) or visible_length(text) > 40:
        return False
    return not re.search(r"[。！？!?；;]", text.rstrip("。"))


class _VisibleCounter:
    """Visible (non-space) characters of ``text`` before a position that only moves forward."""

    def __init__(self, text: str):
        self.text, self.position, self.count = text, 0, 0

    def upto(self, position: int) -> int:
        self.count += visible_length(self.text[self.position : position])
        self.position = position
        return self.count


_NON_SPACE = re.compile(r"\S")
CREDIT_MAX = 20  # the name before 摄 / 供图


def split_caption(text: str) -> tuple[str, str] | None:
    """'…… 本报记者 某某 摄' (possibly followed by a heading) -> (caption, rest).

    One pass over the text: the visible length of the caption, of the credit and of what
    follows are counted as the credits are found, not measured again for each of them.
    """
    text = text.strip()
    if visible_length(text) <= CAPTION_MAX and (
        _PICTURE_PREFIX.match(text) or _PICTURE_SOURCE.match(text)
    ):
        return text, ""
    counter = _VisibleCounter(text)
    total = visible_length(text)
    clause_visible = 0  # visible characters before the clause that holds the credit
    for match in _CREDIT.finditer(text):
        for mark in _SENTENCE_SPLIT.finditer(text, counter.position, match.start()):
            clause_visible = counter.upto(mark.end())
        credit = counter.upto(match.start()) - clause_visible
        caption = counter.upto(match.end())
        if caption > CAPTION_MAX:
            break
        if not credit or credit > CREDIT_MAX:
            continue
        if caption < total and not _caption_ends_here(text, match.end(), total - caption):
            continue
        return text[: match.end()].strip(), text[match.end() :].strip()
    return None


def _caption_ends_here(text: str, end: int, visible_after: int) -> bool:
    """The text after a credit lets the caption end there: it does not open with punctuation
    that carries the sentence on, and it is set off by a space or is a heading."""
    following = _NON_SPACE.search(text, end)
    if _SENTENCE_SPLIT.match(following.group()):
        return False
    return text[end].isspace() or (visible_after <= HEADING_MAX and heading_like(text[end:]))


def gap_caption(text: str) -> bool:
    """A single short sentence (ending with 。) that follows an image gap."""
    text = text.strip()
    if visible_length(text) > GAP_CAPTION_MAX or not text.endswith(("。", ".")):
        return False
    return len(re.findall(r"[。！？!?]", text)) <= 1


def image_gap(lines: list[str]) -> int:
    """How many blank lines in a row mean 'an image was here' in this document."""
    runs: dict[int, int] = {}
    count = 0
    for line in lines:
        if line.strip():
            if count:
                runs[count] = runs.get(count, 0) + 1
            count = 0
        else:
            count += 1
    usual = max(runs, key=lambda n: (runs[n], -n)) if runs else 1
    return max(2, usual + 1)


def _blocks(lines: list[tuple[int, str]]):
    """(line number, text) lines -> [(blank lines before, [(line, text), ...]), ...]."""
    blocks, current, blanks = [], [], 0
    for number, text in lines:
        if text.strip():
            if not current:
                blocks.append((blanks, current))
            current.append((number, text))
            blanks = 0
        else:
            if current:
                current = []
            blanks += 1
    return blocks


class BodyBuilder:
    def __init__(self, markdown: bool, gap: int, report: Report):
        self.markdown = markdown
        self.gap = gap
        self.report = report
        self.elements: list[Element] = []

    def plain(self, text: str) -> str:
        return inline_plain(text, self.markdown).strip()

    # -- reading -------------------------------------------------------------------
    def read(self, lines: list[tuple[int, str]]) -> None:
        for number, (blanks, block) in enumerate(_blocks(lines)):
            start = len(self.elements)
            # Blank lines before the first paragraph separate it from the header, not an image.
            self._block(block, after_image=number > 0 and blanks >= self.gap)
            if len(self.elements) > start:
                self.elements[start].block_start = True
                self.elements[-1].block_end = True
        for element in self.elements:
            element.finish()

    def _block(self, block, after_image: bool) -> None:
        run: list[tuple[int, str]] = []
        item: Element | None = None  # the list item the next plain line continues
        for number, raw in block:
            text = raw.strip()
            if _PAGE_NUMBER.match(text):
                self.report.warn(number, f"删除了疑似页码的一行“{text}”")
                continue
            if self.markdown and heading_level(text):
                self._text_run(run, after_image)
                run, after_image, item = [], False, None
                heading = collapse_spaces(strip_decorations(text, True))
                if heading:
                    self.elements.append(Element("h", heading, number))
                continue
            image = _IMAGE.match(text) if self.markdown else None
            if image:
                self._text_run(run, after_image)
                run, after_image, item = [], True, None
                alt = image.group("alt").strip()
                if re.search(rf"[{IDEOGRAPH}]", alt):
                    self.elements.append(Element("cap", alt, number))
                continue
            if self.markdown and _LIST_ITEM.match(text):
                self._text_run(run, after_image)
                run, after_image = [], False
                item = Element("li", text, number)
                self.elements.append(item)
                continue
            if item is not None:
                item.wrapped.append(text)
                continue
            run.append((number, raw))
        self._text_run(run, after_image)

    def _text_run(self, run: list[tuple[int, str]], after_image: bool) -> None:
        """Consecutive text lines -> paragraphs, headings and captions."""
        if not run:
            return
        widest, one_per_line = self._run_shape(run)
        queue = deque(run)
        paragraph: Element | None = None
        first = True
        captions: dict[int, int] = {}  # line number -> captions split off it
        while queue:
            number, raw = queue.popleft()
            plain = self.plain(raw)
            following = self.plain(queue[0][1]) if queue else None
            if paragraph is None:
                split = captions.get(number, 0) < CAPTIONS_PER_LINE
                element, rest = self._opening(number, raw, following, first and after_image, split)
                first = False
                self.elements.append(element)
                if rest:
                    captions[number] = captions.get(number, 0) + 1
                    shown = rest if len(rest) <= 30 else rest[:30] + "……"
                    self.report.warn(number, f"图片说明后紧跟的文字“{shown}”已另起一段")
                    queue.appendleft((number, rest))
                if element.kind != "p":
                    continue
                paragraph = element
            else:
                paragraph.wrapped.append(raw.strip())
            if self._paragraph_ends(plain, following, widest, one_per_line):
                paragraph = None

    def _run_shape(self, run: list[tuple[int, str]]) -> tuple[int, bool]:
        """The widest line, and whether most lines end a sentence (one paragraph per line)."""
        widest = max(visible_length(self.plain(raw)) for _, raw in run) or 1
        inner = run[:-1]
        terminal = sum(ends_sentence(self.plain(raw)) for _, raw in inner)
        return widest, bool(inner) and terminal / len(inner) >= 0.5

    def _opening(
        self, number: int, raw: str, following: str | None, just_after_image: bool, split: bool
    ) -> tuple[Element, str]:
        """A line outside any paragraph: a caption, a sub-heading or a paragraph's first line.

        Also returns the text after a caption on the same line, to be read as a line of its own
        (unless ``split`` is false: then no caption with text after it is looked for).
        """
        plain = self.plain(raw)
        caption = split_caption(plain) if split else None
        if caption:
            text, rest = caption
            return Element("cap", text, number), rest
        if self.markdown and _EMPHASIS_ONLY.match(raw.strip()):
            return Element("cap", plain, number), ""
        if (
            just_after_image
            and gap_caption(plain)
            and (following is None or visible_length(following) > GAP_CAPTION_MAX)
        ):
            return Element("cap", plain, number), ""
        if heading_like(plain) or numbered_heading(plain):
            return Element("h", collapse_spaces(plain), number), ""
        return Element("p", raw.strip(), number), ""

    def _paragraph_ends(self, plain: str, following, widest: int, one_per_line: bool) -> bool:
        """A sentence end closes the paragraph unless the line is full width (so wrapped)."""
        return ends_sentence(plain) and (
            one_per_line
            or following is None
            or visible_length(plain) < 0.85 * widest
            or heading_like(following)
            or split_caption(following) is not None
        )

    # -- mending across blank lines ------------------------------------------------
    def join_broken_paragraphs(self) -> None:
        """Join a paragraph to the one before when that one stops mid-sentence.

        Whether it does is read from the last paragraph joined into it, not from the whole
        text joined so far (which would be read again for every paragraph joined).
        """
        merged: list[Element] = []
        for element in self.elements:
            previous = merged[-1] if merged else None
            if (
                previous is not None
                and previous.kind == "p"
                and element.kind == "p"
                and previous.block_end
                and element.block_start
                and not ends_sentence(self.plain((previous.wrapped or [previous.text])[-1]))
                and not self.plain(element.text).startswith(("“", '"', "「", "（", "("))
            ):
                self.report.warn(element.line, "段落被空行断开，已与上一段合并")
                previous.wrapped.append(element.text)
                previous.block_end = element.block_end
                continue
            merged.append(element)
        for element in merged:
            element.finish()
        self.elements = merged

    # -- writing ---------------------------------------------------------------------
    def markdown_text(self) -> str:
        parts: list[list[str]] = []  # the lines of each block; a list's items share one block
        for element in self.elements:
            if element.kind == "h":
                text = escape_markdown(element.text)
                parts.append([f"### {text}"])
            elif element.kind == "cap":
                text = escape_markdown(tidy_punctuation_spaces(element.text))
                parts.append([f"*{text}*"])
            elif element.kind == "li":
                item = remove_cjk_spaces(element.text)
                if (
                    parts
                    and parts[-1][0].startswith(("- ", "* ", "+ "))
                    or (parts and re.match(r"^\d{1,9}[.)] ", parts[-1][0]))
                ):
                    parts[-1].append(item)
                else:
                    parts.append([item])
            else:
                text = remove_cjk_spaces(element.text)
                if not self.markdown:
                    text = escape_markdown(text)
                if text:
                    parts.append([text])
        blocks = ("\n".join(lines) for lines in parts)
        return "\n\n".join(block for block in blocks if block.strip())


def escape_markdown(text: str) -> str:
    """Plain text -> Markdown that renders as exactly this text."""
    text = re.sub(r"([\\`*_\[\]<>])", r"\\\1", text)
    text = re.sub(r"&(?=#?\w+;)", r"\\&", text)
    # A closing '#' would end an ATX heading; a lone leading '#' is escaped below.
    if len(text) > 1 and text.endswith("#"):
        text = text[:-1] + "\\#"
    numbered = re.match(r"^(\d{1,9})([.)])(\s|$)", text)
    if numbered:
        text = f"{numbered.group(1)}\\{text[numbered.end(1) :]}"
    elif re.match(r"^(?:#|>|[-+](?:\s|$)|=+\s*$|~~~|\|)", text):
        text = "\\" + text
    return text


def body_markdown(lines: list[tuple[int, str]], *, markdown: bool, gap: int, report: Report) -> str:
    """Body lines (with their line numbers, blank lines included) -> Markdown text."""
    builder = BodyBuilder(markdown, gap, report)
    builder.read(lines)
    builder.join_broken_paragraphs()
    return builder.markdown_text()
