"""A bulletin as text (plain or Markdown) -> ParsedBulletin.

The document is read as a sequence of regions: the masthead (series name, issue number,
publisher, date), the 导语, the 信息目录 and the articles of 具体内容. Each article is a title
line, header fields (来源, 链接, 主要内容), a line repeating the title with the original date
and source, and the body. Whatever can be mended safely is mended and reported as a warning;
when the structure cannot be found at all, BulletinParseError lists every problem found.

Reading takes time in proportion to the length of the text (``bench/import_scaling.py``
measures it): no pattern retries a stretch of a line once for each of its characters and no
text is rebuilt once for each of its lines. A line longer than ``MAX_LINE_CHARS`` is refused
before anything else is read: no real bulletin has one, and it would make every warning that
quotes a line enormous.
"""

import datetime
import re
from dataclasses import dataclass, field
from typing import NamedTuple

from ..text import numerals
from . import fields as f
from .body import body_markdown, image_gap
from .links import assemble_link, is_no_link, looks_like_url_piece, looks_like_url_start
from .result import BulletinParseError, ParsedArticle, ParsedBulletin, Problem, Report, TocEntry
from .text import (
    DATE,
    chinese_date,
    clean_input,
    collapse_spaces,
    comparison_key,
    date_from_match,
    ends_sentence,
    find_dates,
    join_wrapped,
    join_wrapped_all,
    remove_cjk_spaces,
    strip_decorations,
    visible_length,
)

_MARKDOWN_HINT = re.compile(
    r"^\s{0,3}#{1,6}\s+\S|\*\*\S|\[[^\[\]\n]*\]\(\s*<?https?://|<https?://[^<>\s]+>", re.M
)
_BULLETED = re.compile(r"^\s*(?:[-*+•·●○▪■◆]|\\-)\s+")
_DATE_LINE = re.compile(rf"^(?:(?:发布)?(?:时间|日期)\s*[:：]\s*)?(?:{DATE.pattern})")
_SOURCE_LINE = re.compile(r"^来源\s*[:：]")
# Matched against the text between two dates with its spaces stripped: "\s*(?:…)?\s*$" would try
# a long run of spaces once for each of its characters.
_PERIOD_JOINER = re.compile(r"(?:到|至|—+|–|-|~|～|起至|至今)?")
# "共收集3篇": a count of at most nine digits (a longer run of digits is no count at all).
_COUNT = re.compile(
    r"共(?:收集|收录|选取|汇总|整理)\s*(?P<n>[\d〇零一二两三四五六七八九十百]{1,9})\s*篇"
)
_SOURCE_AFTER_DATE = re.compile(r"\s*来源")
_INTRO_SERIES = re.compile(r"本期(?P<kind>周报|月报)")
_INTERNAL = "内部错误"
# The longest line accepted. An article's paragraph is one line in Word and often in text
# files too; a long one has a few thousand characters (the sample bulletins' longest line
# has under 300). Far longer means a file that is not a bulletin, or has lost its line breaks.
MAX_LINE_CHARS = 20_000
_LONG_LINES_NAMED = 5


def looks_like_markdown(text: str) -> bool:
    return bool(_MARKDOWN_HINT.search(text))


@dataclass
class _ArticleDraft:
    line: int  # 0-based index of the title line
    position: int | None
    title: str
    indices: list[int] = field(default_factory=list)  # following lines, blank ones included


@dataclass
class _TocDraft:
    title: str
    line: int
    marker: str  # "number", "bullet" or ""
    source: str = ""
    inline_source: str = ""  # a trailing (……) that may be the source
    wrapped: list[str] = field(default_factory=list)  # the title's next lines, joined at the end


@dataclass
class _Front:
    """What the lines before 导语 say: the masthead's pieces."""

    series_name: str = ""
    series_line: int = 0
    issue_matches: list[tuple[int, re.Match]] = field(default_factory=list)  # (index, 第…期)
    publication_date: datetime.date | None = None
    publisher_candidates: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class _ArticleHeader:
    """What an article's title line and the field lines under it say, up to 主要内容."""

    title: str
    fields_seen: bool = False
    source: str = ""
    original_title: str = ""
    link_pieces: list[tuple[int, str]] = field(default_factory=list)  # (line number, text)
    in_link: bool = False  # the last field was 链接: a URL may go on over the next lines
    main_found: bool = False
    main_rest: str = ""  # the text after 主要内容： on its line, where the body starts
    main_line: int = 0
    body_from: int = 0  # how many of the draft's following lines the header took

    def take(self, fields: list[tuple[str, str]], index: int, raw: str | None) -> None:
        """Record the fields found on line ``index`` (0-based); ``raw`` keeps a link intact."""
        for name, value in fields:
            if name == "来源":
                self.in_link = False
                if value and not self.source:
                    self.source = collapse_spaces(value)
            elif name == "链接":
                self.in_link = True
                raw_value = f.raw_field_value(raw, "链接") if raw is not None else None
                value = raw_value if raw_value is not None else value
                if value:
                    self.link_pieces.append((index + 1, value))
            elif name == "来源标题":
                self.in_link = False
                self.original_title = collapse_spaces(value)
            elif name == "主要内容":
                self.in_link = False
                self.main_found, self.main_rest, self.main_line = True, value, index + 1


class _DateLine(NamedTuple):
    """The line after 主要内容 that gives the original date."""

    index: int  # in the article's body lines
    text: str
    match: re.Match
    repeated: str  # the title repeated before the date on the same line, if any


def _refuse_long_lines(lines: list[str], limit: int | None) -> None:
    """Raise BulletinParseError naming the lines longer than ``limit`` characters."""
    if limit is None:
        return
    numbers = [number for number, line in enumerate(lines, start=1) if len(line) > limit]
    if not numbers:
        return
    problems = [
        Problem(number, f"第{number}行过长（超过 {limit} 个字符），请检查文件是否为简报正文")
        for number in numbers[:_LONG_LINES_NAMED]
    ]
    if len(numbers) > _LONG_LINES_NAMED:
        problems.append(Problem(0, f"另有 {len(numbers) - _LONG_LINES_NAMED} 行也过长"))
    raise BulletinParseError(problems)


class _Parser:
    def __init__(self, text: str, markdown: bool | None, max_line_chars: int | None):
        self.lines = clean_input(text)
        _refuse_long_lines(self.lines, max_line_chars)
        self.markdown = looks_like_markdown(text) if markdown is None else markdown
        self.plain = [strip_decorations(line, self.markdown) for line in self.lines]
        self.report = Report()
        self.front: list[int] = []
        self.intro: list[int] = []
        self.intro_start = -1
        self.toc: list[int] = []
        self.toc_head = -1
        self.content_head = -1
        self.drafts: list[_ArticleDraft] = []
        self.stray: list[int] = []

    # -- regions ---------------------------------------------------------------------
    def split_regions(self) -> None:
        state = "front"
        for index, text in enumerate(self.plain):
            if state == "content":
                start = self.article_start(index, in_content=True)
                if start:
                    self.drafts.append(_ArticleDraft(index, *start))
                elif self.drafts:
                    self.drafts[-1].indices.append(index)
                elif text and not (f.CONTENT_HEAD.match(text) or f.TOC_HEAD.match(text)):
                    self.stray.append(index)
                continue
            if not text:
                continue
            start = self.article_start(index, in_content=False)
            if start:
                state = "content"
                self.drafts.append(_ArticleDraft(index, *start))
            elif f.CONTENT_HEAD.match(text):
                state, self.content_head = "content", index
            elif f.TOC_HEAD.match(text) and self.toc_head < 0:
                state, self.toc_head = "toc", index
            elif state == "front" and (f.INTRO.match(text) or f.INTRO_SENTENCE.match(text)):
                state, self.intro_start = "intro", index
                self.intro.append(index)
            else:
                {"front": self.front, "intro": self.intro, "toc": self.toc}[state].append(index)
        if self.toc_head < 0 and self.intro:
            # No 信息目录 heading: the list of titles starts at the first numbered line.
            for position, index in enumerate(self.intro[1:], start=1):
                if self._toc_like(index):
                    self.toc = self.intro[position:] + self.toc
                    self.intro = self.intro[:position]
                    break
        for index in self.stray:
            self.report.warn(index + 1, f"文章之前多余的文字“{self.plain[index][:30]}”已忽略")

    def _toc_like(self, index: int) -> bool:
        text = self.plain[index]
        return bool(
            f.numbered(text) or _BULLETED.match(self.lines[index]) or f.PARENTHESISED.match(text)
        )

    def _next_nonblank(self, index: int, limit: int) -> list[int]:
        found = []
        for other in range(index + 1, len(self.plain)):
            if self.plain[other]:
                found.append(other)
                if len(found) >= limit:
                    break
        return found

    def _fields_follow(self, index: int, limit: int = 3) -> bool:
        """A 来源/链接/主要内容 line follows within a few lines (a wrapped title may intervene)."""
        for other in self._next_nonblank(index, limit):
            text = self.plain[other]
            if f.is_field(text):
                return True
            if f.numbered(text) or f.PARENTHESISED.match(text) or f.section_head(text):
                return False
        return False

    def article_start(self, index: int, in_content: bool) -> tuple[int | None, str] | None:
        """(number, rest of the title line) when an article starts on this line."""
        text = self.plain[index]
        if not text or f.is_field(text):
            return None
        number = f.numbered(text)
        if number:
            position, rest = number
            label = f.TITLE_LABEL.match(rest)
            if label and (rest.startswith("标题") or rest.startswith("标 题")):
                return position, label.group("title")
            lead, inline = f.split_fields(rest)
            if inline and lead:
                return position, rest
            if self._fields_follow(index):
                return position, rest
            return None
        label = f.TITLE_LABEL_STRICT.match(text)
        if label:
            return None, label.group("title")
        if in_content:
            following = self._next_nonblank(index, 3)
            kinds = [self._field_names(other) for other in following]
            if kinds and "来源" in kinds[0] and any("链接" in kind for kind in kinds[:3]):
                return None, text
            if kinds and "链接" in kinds[0] and any("来源" in kind for kind in kinds[:3]):
                return None, text
        return None

    def _field_names(self, index: int) -> set[str]:
        return {name for name, _ in f.field_line(self.plain[index]) or []}

    # -- masthead --------------------------------------------------------------------
    def masthead(self):
        front = self._scan_front()
        number, number_line = self._issue_number(front.issue_matches)
        self._report_missing_masthead(front, number, number_line)
        slug = ""
        if front.series_name:
            slug = "weekly" if "周报" in front.series_name else "monthly"
        publisher = self._publisher(front.publisher_candidates)
        return front.series_name, slug, number, publisher, front.publication_date

    def _scan_front(self) -> _Front:
        """Take the series name, 第…期 marks and the first date out of the lines before 导语.

        What remains of a line, brackets aside, may be the publisher.
        """
        front = _Front()
        for index in self.front:
            text = self.plain[index]
            rest = text
            if not front.series_name:
                match = f.SERIES.search(text)
                if match and not text.startswith("本期"):
                    front.series_name = remove_cjk_spaces(
                        collapse_spaces(match.group("name")).strip("《》〈〉<>\"“”'")
                    )
                    front.series_line = index + 1
                    rest = rest.replace(match.group("name"), " ")
            for match in f.ISSUE.finditer(rest):
                front.issue_matches.append((index, match))
            rest = f.ISSUE.sub(" ", rest)
            dates = find_dates(rest)
            if dates and front.publication_date is None:
                match, front.publication_date = dates[0]
                rest = rest[: match.start()] + " " + rest[match.end() :]
            rest = collapse_spaces(re.sub(r"[()（）\[\]【】]", " ", rest))
            if rest and not f.INTRO.match(rest):
                front.publisher_candidates.append((index, rest))
        return front

    def _issue_number(self, matches: list[tuple[int, re.Match]]) -> tuple[int | None, int]:
        """(number, line number) of the issue mark, preferring one that gives a total."""
        if not matches:
            return None, 0
        index, match = next(((i, m) for i, m in matches if m.group("total")), matches[0])
        try:
            return numerals.parse(match.group("n")), index + 1
        except numerals.NumeralError:
            self.report.error(index + 1, f"无法识别期号“{match.group(0)}”（应为“第六三六期”）")
            return None, 0

    def _report_missing_masthead(self, front: _Front, number: int | None, number_line: int):
        if not front.series_name:
            self.report.error(
                self.front[0] + 1 if self.front else 0,
                "未找到刊名（应在第一行，含“周报”或“月报”，如“全国卫生信息化舆情监测周报”）",
            )
        # An unreadable 第…期 was reported already.
        if number is None and not front.issue_matches:
            self.report.error(front.series_line, "未找到期号（应在刊名下方，如“（第六三六期）”）")
        if front.publication_date is None:
            self.report.error(
                number_line or front.series_line,
                "未找到出版日期（应在期号下方，"
                "如“北京市卫生健康大数据与政策研究中心 2025年8月8日”）",
            )

    @staticmethod
    def _publisher(candidates: list[tuple[int, str]]) -> str:
        for _, text in candidates:
            if f.ORG_SUFFIX.search(text) and visible_length(text) <= 40:
                return remove_cjk_spaces(text)
        return ""

    # -- 导语 -------------------------------------------------------------------------
    def intro_text(self) -> str:
        if not self.intro:
            self.report.warn(0, "未找到“本期导语”")
            return ""
        texts = [self.plain[index] for index in self.intro]
        match = f.INTRO.match(texts[0])
        if match:
            texts[0] = match.group("rest")
        return remove_cjk_spaces(join_wrapped_all(["", *texts]))

    # -- 信息目录 ---------------------------------------------------------------------
    def toc_entries(self) -> list[_TocDraft]:
        entries: list[_TocDraft] = []
        for index in self.toc:
            text = self.plain[index]
            paren = f.PARENTHESISED.match(text)
            if paren:
                if entries and not entries[-1].source:
                    entries[-1].source = collapse_spaces(paren.group("text"))
                else:
                    self.report.warn(index + 1, f"目录中多余的来源“{text}”已忽略")
                continue
            number = f.numbered(text)
            bulleted = _BULLETED.match(self.lines[index])
            marker = "number" if number else ("bullet" if bulleted else "")
            title = number[1] if number else text
            label = f.TITLE_LABEL_STRICT.match(title)
            if label:
                title = label.group("title")
            lead, inline = f.split_fields(title)
            source = ""
            if inline:
                title = lead
                source = next((value for name, value in inline if name == "来源"), "")
            previous = entries[-1] if entries else None
            if previous and not previous.source and previous.marker and not marker and not source:
                previous.wrapped.append(title)
                self.report.warn(index + 1, "目录标题被断成多行，已合并")
                continue
            entry = _TocDraft(collapse_spaces(title), index + 1, marker, collapse_spaces(source))
            trailing = f.trailing_parenthesis(entry.title)
            if trailing and not entry.source:
                entry.inline_source = trailing[1]
            entries.append(entry)
        for entry in entries:
            entry.title = join_wrapped_all([entry.title, *entry.wrapped])
        return entries

    def resolve_toc(self, drafts: list[_TocDraft], articles: list[ParsedArticle]) -> list[TocEntry]:
        sources = {comparison_key(a.source) for a in articles if a.source}
        result = []
        for position, entry in enumerate(drafts):
            title, source = entry.title, entry.source
            # A title wrapped onto more lines may no longer end with the brackets.
            trailing = f.trailing_parenthesis(title) if entry.inline_source and not source else None
            if trailing:
                article = articles[position] if position < len(articles) else None
                same_title = article and comparison_key(article.title) == comparison_key(
                    trailing[0]
                )
                if comparison_key(entry.inline_source) in sources or same_title:
                    title, source = trailing[0].strip(), entry.inline_source
            result.append(TocEntry(title=title, source=source, line=entry.line))
        return result

    # -- articles ----------------------------------------------------------------------
    def article(self, draft: _ArticleDraft, expected: int, gap: int) -> ParsedArticle:
        start = draft.line + 1
        position = self._position(draft, expected)
        header = self.article_header(draft)
        title = collapse_spaces(header.title)
        self._check_header(header, title, draft, position)
        original_date, meta_source, original_title, body_lines = self.meta(
            self._body_lines(header, draft),
            title,
            header.original_title,
            header.source,
            strict=not header.main_found,
        )
        source = self._agreed_source(header.source, meta_source, start, position)
        if comparison_key(original_title) == comparison_key(title):
            original_title = ""
        pieces = [(n, v) for n, v in header.link_pieces if not is_no_link(v)]
        link = assemble_link(pieces, self.report)
        self._report_missing_fields(start, position, link, source, original_date)
        body = body_markdown(body_lines, markdown=self.markdown, gap=gap, report=self.report)
        if not body:
            self.report.warn(start, f"第{position}篇文章正文为空")
        return ParsedArticle(
            position=position,
            title=title,
            original_title=original_title,
            source=source,
            link=link,
            original_date=original_date,
            body=body,
            line=start,
        )

    def _position(self, draft: _ArticleDraft, expected: int) -> int:
        """The article's number as written, else its place in the document."""
        if draft.position is None:
            return expected
        if draft.position != expected:
            self.report.warn(draft.line + 1, f"文章编号为{draft.position}，按顺序应为{expected}")
        return draft.position

    def article_header(self, draft: _ArticleDraft) -> _ArticleHeader:
        """Read the title line and the lines under it up to 主要内容 (or the first body line)."""
        lead, inline = f.split_fields(draft.title)
        header = _ArticleHeader(title=lead, fields_seen=bool(inline))
        header.take(inline, draft.line, self.lines[draft.line])
        indices = draft.indices
        while header.body_from < len(indices) and not header.main_found:
            index = indices[header.body_from]
            if not self._header_line(header, index):
                break
            header.body_from += 1
        return header

    def _header_line(self, header: _ArticleHeader, index: int) -> bool:
        """Take one line into the header; False when it is the body's first line."""
        text, raw = self.plain[index], self.lines[index]
        if not text:
            return True
        fields = f.field_line(text)
        if fields:
            header.fields_seen = True
            header.take(fields, index, raw)
            return True
        if looks_like_url_start(raw) or (header.in_link and looks_like_url_piece(text)):
            # A link broken over lines, or given without its 链接 label.
            header.in_link = True
            header.link_pieces.append((index + 1, raw))
            return True
        if not header.fields_seen and not header.title:
            header.title = text
            return True
        if not header.fields_seen and self._fields_follow(index, 2) and not ends_sentence(text):
            header.title = join_wrapped(header.title, text)
            self.report.warn(index + 1, "标题被断成多行，已合并")
            return True
        return False

    def _check_header(self, header: _ArticleHeader, title: str, draft: _ArticleDraft, position):
        start = draft.line + 1
        if not title:
            self.report.error(start, f"文章缺少标题（应为“{position}.标题：……”）")
        if not header.main_found:
            rest = draft.indices[header.body_from :]
            first_body = rest[0] + 1 if rest else start
            self.report.warn(first_body, "未找到“主要内容：”，其后的文字按正文处理")

    def _body_lines(self, header: _ArticleHeader, draft: _ArticleDraft) -> list[tuple[int, str]]:
        """(line number, raw text) from the text after 主要内容： on, blank lines included."""
        lines = [(header.main_line, header.main_rest)] if header.main_rest else []
        return lines + [
            (index + 1, self.lines[index]) for index in draft.indices[header.body_from :]
        ]

    def _agreed_source(self, source: str, meta_source: str, start: int, position: int) -> str:
        """The header's 来源, else the one after the original date; a warning if they differ."""
        if meta_source and not source:
            return meta_source
        if meta_source and comparison_key(meta_source) != comparison_key(source):
            self.report.warn(
                start, f"第{position}篇：主要内容中的来源“{meta_source}”与“{source}”不一致"
            )
        return source

    def _report_missing_fields(self, start, position, link, source, original_date) -> None:
        if not link:
            self.report.warn(start, f"第{position}篇文章缺少链接")
        if not source:
            self.report.warn(start, f"第{position}篇文章缺少来源（应为“来源：……”）")
        if original_date is None:
            self.report.warn(start, f"第{position}篇文章缺少原文日期（应为“2025-08-04 来源：……”）")

    def meta(self, lines, title, original_title, source, strict):
        """After 主要内容: the repeated title, '2025-08-04 来源：……', maybe 来源标题.

        Returns (original date, source named there, original title, remaining body lines).
        """
        lines, original_title = self._take_original_title(list(lines), original_title)
        nonblank = [i for i, (_, raw) in enumerate(lines) if raw.strip()]
        if not nonblank:
            return None, "", original_title, lines
        known = {comparison_key(title), comparison_key(original_title)} - {""}
        texts = [strip_decorations(lines[i][1], self.markdown) for i in nonblank[:2]]
        found = self._date_line(nonblank, texts, known, strict)
        if found is not None:
            original_date, meta_source, rest = self._read_date_line(
                lines, nonblank[0], found, known, source
            )
            return original_date, meta_source, original_title, rest
        date_second = len(texts) > 1 and _DATE_LINE.match(texts[1])
        if not date_second and (comparison_key(texts[0]) in known or _SOURCE_LINE.match(texts[0])):
            # The title, a 来源 line, or both, but no date.
            meta_source, rest = self._undated_source(lines, nonblank, texts, source)
            return None, meta_source, original_title, rest
        return None, "", original_title, lines

    def _take_original_title(self, lines, original_title):
        """A 来源标题 line among the first four: its value, and the lines without it."""
        for i in reversed([i for i, (_, raw) in enumerate(lines) if raw.strip()][:4]):
            fields = f.field_line(strip_decorations(lines[i][1], self.markdown)) or []
            named = [value for name, value in fields if name == "来源标题"]
            if named:
                original_title = collapse_spaces(named[0])
                del lines[i]
                if i < len(lines) and not lines[i][1].strip():
                    del lines[i]
        return lines, original_title

    @staticmethod
    def _date_line(nonblank, texts, known, strict) -> _DateLine | None:
        """Where the original date is: opening the first line, after the title repeated on
        it (not when ``strict``), or opening the second line after the repeated title."""
        first, text = nonblank[0], texts[0]
        if _DATE_LINE.match(text):
            return _DateLine(first, text, DATE.search(text), "")
        if not strict:
            after_title = (
                m for m in DATE.finditer(text) if _SOURCE_AFTER_DATE.match(text, m.end())
            )
            match = next(after_title, None)
            if match:
                return _DateLine(first, text, match, text[: match.start()].strip())
        if len(texts) > 1 and _DATE_LINE.match(texts[1]):
            if not strict or comparison_key(text) in known:
                return _DateLine(nonblank[1], texts[1], DATE.search(texts[1]), text)
        return None

    def _read_date_line(self, lines, first: int, found: _DateLine, known: set[str], source: str):
        """(original date, source named after it, the body lines that follow)."""
        if found.repeated and comparison_key(found.repeated) not in known:
            self.report.warn(lines[first][0], f"主要内容中的标题“{found.repeated}”与文章标题不一致")
        number = lines[found.index][0]
        original_date = date_from_match(found.match)
        if original_date is None:
            self.report.warn(number, f"无法识别原文日期“{found.match.group(0)}”")
        after = found.text[found.match.end() :].strip()
        meta_source, body_start = self._source_and_rest(after, source)
        rest = lines[found.index + 1 :]
        if body_start:
            rest = [(number, body_start), *rest]
        return original_date, meta_source, rest

    def _undated_source(self, lines, nonblank, texts, source) -> tuple[str, list]:
        """The 来源 on the first or second line when there is no date, and the lines after it."""
        for index, text in zip(nonblank[:2], texts, strict=False):
            if _SOURCE_LINE.match(text):
                named, body_start = self._source_and_rest(text, source)
                rest = lines[index + 1 :]
                if body_start:
                    rest = [(lines[index][0], body_start), *rest]
                return named, rest
        return "", lines[nonblank[0] + 1 :]

    @staticmethod
    def _source_and_rest(after: str, known: str) -> tuple[str, str]:
        label = re.match(r"^来源\s*[:：]?\s*", after)
        if not label:
            if after and visible_length(after) <= 20 and not ends_sentence(after):
                return collapse_spaces(after), ""
            return "", after
        value = after[label.end() :].strip()
        if known and value.startswith(known):
            return known, value[len(known) :].strip()
        head, _, tail = value.partition(" ")
        if tail and (visible_length(tail) > 15 or ends_sentence(tail)):
            return head, tail.strip()
        return collapse_spaces(value), ""

    # -- cross-checks --------------------------------------------------------------------
    def check(self, bulletin: ParsedBulletin, intro_line: int) -> None:
        positions = [a.position for a in bulletin.articles]
        if positions != list(range(1, len(positions) + 1)) and len(set(positions)) != len(
            positions
        ):
            self.report.warn(0, "文章编号有重复")
        if bulletin.toc:
            self._check_toc(bulletin.toc, bulletin.articles)
        else:
            self.report.warn(0, "未找到信息目录")
        self._check_intro(bulletin, intro_line)
        self._check_period(bulletin, intro_line)

    def _check_toc(self, toc: list[TocEntry], articles: list[ParsedArticle]) -> None:
        """The 信息目录 lists the articles: as many, with the same titles and sources."""
        report = self.report
        if len(toc) != len(articles):
            report.warn(toc[0].line, f"目录有{len(toc)}条，正文有{len(articles)}篇文章")
        for entry, article in zip(toc, articles, strict=False):
            if comparison_key(entry.title) != comparison_key(article.title):
                report.warn(
                    entry.line,
                    f"目录标题“{entry.title}”与第{article.position}篇文章标题“{article.title}”不一致",
                )
            if (
                entry.source
                and article.source
                and (comparison_key(entry.source) != comparison_key(article.source))
            ):
                report.warn(
                    entry.line,
                    f"目录来源“{entry.source}”与第{article.position}篇文章来源“{article.source}”不一致",
                )

    def _check_intro(self, bulletin: ParsedBulletin, intro_line: int) -> None:
        """What the 导语 says about the issue: how many articles, 周报 or 月报."""
        intro, count = bulletin.intro, len(bulletin.articles)
        said = _COUNT.search(intro)
        if said:
            try:
                number = numerals.parse(said.group("n"))
            except numerals.NumeralError:
                number = None
            if number is not None and number != count:
                self.report.warn(intro_line, f"导语说共收集{number}篇，正文有{count}篇文章")
        kind = _INTRO_SERIES.search(intro)
        if kind and bulletin.series_slug:
            expected = "周报" if bulletin.series_slug == "weekly" else "月报"
            if kind.group("kind") != expected:
                self.report.warn(
                    intro_line, f"导语中写的是“本期{kind.group('kind')}”，但本刊是{expected}"
                )

    def _check_period(self, bulletin: ParsedBulletin, intro_line: int) -> None:
        """The period the 导语 names: found, in order, before publication, holding the articles."""
        report = self.report
        start, end = bulletin.period_start, bulletin.period_end
        if bulletin.intro and start is None:
            report.warn(
                intro_line, "导语中未找到时间范围（应为“时间从2025年8月2日到2025年8月8日”）"
            )
        if not (start and end):
            return
        if start > end:
            report.warn(intro_line, "导语中的时间范围起止颠倒")
        if bulletin.publication_date and end > bulletin.publication_date:
            report.warn(
                intro_line,
                f"时间范围结束于{chinese_date(end)}，晚于出版日期"
                f"{chinese_date(bulletin.publication_date)}",
            )
        if bulletin.series_slug == "weekly" and (end - start).days > 14:
            report.warn(intro_line, "周报的时间范围超过两周")
        for article in bulletin.articles:
            day = article.original_date
            if day and not (start <= day <= end):
                report.warn(
                    article.line,
                    f"第{article.position}篇文章的日期{day:%Y-%m-%d}不在本期时间范围内",
                )

    def period(self, intro: str) -> tuple[datetime.date | None, datetime.date | None]:
        dates = find_dates(intro)
        for (first, start), (second, end) in zip(dates, dates[1:], strict=False):
            if _PERIOD_JOINER.fullmatch(intro[first.end() : second.start()].strip()):
                return start, end
        return None, None

    # -- the whole document --------------------------------------------------------------
    def parse(self) -> ParsedBulletin:
        if not any(self.plain):
            raise BulletinParseError([Problem(0, "文档是空的")])
        self.split_regions()
        series_name, slug, number, publisher, publication_date = self.masthead()
        intro = self.intro_text()
        toc_drafts = self.toc_entries()
        if not self.drafts:
            line = self.content_head + 1 if self.content_head >= 0 else 0
            self.report.error(
                line, "未找到任何文章（应在“二、具体内容”之后，每篇以“1.标题：……”开头）"
            )
        gap = image_gap(self.lines)
        articles = [
            self.article(draft, expected, gap)
            for expected, draft in enumerate(self.drafts, start=1)
        ]
        self.report.raise_if_errors()
        start, end = self.period(intro)
        bulletin = ParsedBulletin(
            series_name=series_name,
            series_slug=slug,
            number=number,
            publisher=publisher,
            publication_date=publication_date,
            period_start=start,
            period_end=end,
            intro=intro,
            toc=self.resolve_toc(toc_drafts, articles),
            articles=articles,
            warnings=self.report.warnings,
        )
        self.check(bulletin, self.intro_start + 1 if self.intro_start >= 0 else 0)
        return bulletin


def parse_text(
    text: str, *, markdown: bool | None = None, max_line_chars: int | None = MAX_LINE_CHARS
) -> ParsedBulletin:
    """Parse a bulletin from plain text or Markdown (detected unless ``markdown`` is given).

    A line longer than ``max_line_chars`` is refused (None: no limit, for measuring).
    """
    try:
        return _Parser(text, markdown, max_line_chars).parse()
    except BulletinParseError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure must reach the caller as our error
        raise BulletinParseError(
            [Problem(0, f"{_INTERNAL}：解析时出现意外问题（{type(exc).__name__}: {exc}）")]
        ) from exc
