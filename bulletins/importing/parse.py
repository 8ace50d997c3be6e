"""A bulletin as text (plain or Markdown) -> ParsedBulletin.

The document is read as a sequence of regions: the masthead (series name, issue number,
publisher, date), the 导语, the 信息目录 and the articles of 具体内容. Each article is a title
line, header fields (来源, 链接, 主要内容), a line repeating the title with the original date
and source, and the body. Whatever can be mended safely is mended and reported as a warning;
when the structure cannot be found at all, BulletinParseError lists every problem found.
"""

import datetime
import re
from dataclasses import dataclass, field

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
    remove_cjk_spaces,
    strip_decorations,
    visible_length,
)

_MARKDOWN_HINT = re.compile(
    r"^\s{0,3}#{1,6}\s+\S|\*\*\S|\[[^\[\]\n]*\]\(\s*<?https?://|<https?://[^>\s]+>", re.M
)
_BULLETED = re.compile(r"^\s*(?:[-*+•·●○▪■◆]|\\-)\s+")
_DATE_LINE = re.compile(rf"^(?:(?:发布)?(?:时间|日期)\s*[:：]\s*)?(?:{DATE.pattern})")
_SOURCE_LINE = re.compile(r"^来源\s*[:：]")
_PERIOD_JOINER = re.compile(r"^\s*(?:到|至|—+|–|-|~|～|起至|至今)?\s*$")
_COUNT = re.compile(
    r"共(?:收集|收录|选取|汇总|整理)\s*(?P<n>[\d〇零一二两三四五六七八九十百]+)\s*篇"
)
_INTRO_SERIES = re.compile(r"本期(?P<kind>周报|月报)")
_INTERNAL = "内部错误"


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


class _Parser:
    def __init__(self, text: str, markdown: bool | None):
        self.lines = clean_input(text)
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
        series_name, series_line = "", 0
        number, number_line = None, 0
        publication_date = None
        publisher_candidates: list[tuple[int, str]] = []
        issue_matches = []
        for index in self.front:
            text = self.plain[index]
            rest = text
            if not series_name:
                match = f.SERIES.search(text)
                if match and not text.startswith("本期"):
                    series_name = remove_cjk_spaces(
                        collapse_spaces(match.group("name")).strip("《》〈〉<>\"“”'")
                    )
                    series_line = index + 1
                    rest = rest.replace(match.group("name"), " ")
            for match in f.ISSUE.finditer(rest):
                issue_matches.append((index, match))
            rest = f.ISSUE.sub(" ", rest)
            dates = find_dates(rest)
            if dates and publication_date is None:
                match, publication_date = dates[0]
                rest = rest[: match.start()] + " " + rest[match.end() :]
            rest = collapse_spaces(re.sub(r"[()（）\[\]【】]", " ", rest))
            if rest and not f.INTRO.match(rest):
                publisher_candidates.append((index, rest))
        if issue_matches:
            index, match = next(
                ((i, m) for i, m in issue_matches if m.group("total")), issue_matches[0]
            )
            try:
                number = numerals.parse(match.group("n"))
                number_line = index + 1
            except numerals.NumeralError:
                self.report.error(index + 1, f"无法识别期号“{match.group(0)}”（应为“第六三六期”）")
        if not series_name:
            self.report.error(
                self.front[0] + 1 if self.front else 0,
                "未找到刊名（应在第一行，含“周报”或“月报”，如“全国卫生信息化舆情监测周报”）",
            )
        slug = ""
        if series_name:
            slug = "weekly" if "周报" in series_name else "monthly"
        if number is None and not issue_matches:
            self.report.error(series_line, "未找到期号（应在刊名下方，如“（第六三六期）”）")
        if publication_date is None:
            self.report.error(
                number_line or series_line,
                "未找到出版日期（应在期号下方，"
                "如“北京市卫生健康大数据与政策研究中心 2025年8月8日”）",
            )
        publisher = self._publisher(publisher_candidates)
        return series_name, slug, number, publisher, publication_date

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
        joined = ""
        for position, index in enumerate(self.intro):
            text = self.plain[index]
            if position == 0:
                match = f.INTRO.match(text)
                text = match.group("rest") if match else text
            joined = join_wrapped(joined, text)
        return remove_cjk_spaces(joined)

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
                previous.title = join_wrapped(previous.title, title)
                self.report.warn(index + 1, "目录标题被断成多行，已合并")
                continue
            entry = _TocDraft(collapse_spaces(title), index + 1, marker, collapse_spaces(source))
            trailing = f.TRAILING_PARENTHESIS.match(entry.title)
            if trailing and not entry.source:
                entry.inline_source = trailing.group("text").strip()
            entries.append(entry)
        return entries

    def resolve_toc(self, drafts: list[_TocDraft], articles: list[ParsedArticle]) -> list[TocEntry]:
        sources = {comparison_key(a.source) for a in articles if a.source}
        result = []
        for position, entry in enumerate(drafts):
            title, source = entry.title, entry.source
            if entry.inline_source and not source:
                trailing = f.TRAILING_PARENTHESIS.match(title)
                article = articles[position] if position < len(articles) else None
                same_title = article and comparison_key(article.title) == comparison_key(
                    trailing.group("title")
                )
                if comparison_key(entry.inline_source) in sources or same_title:
                    title, source = trailing.group("title").strip(), entry.inline_source
            result.append(TocEntry(title=title, source=source, line=entry.line))
        return result

    # -- articles ----------------------------------------------------------------------
    def article(self, draft: _ArticleDraft, expected: int, gap: int) -> ParsedArticle:
        report = self.report
        start = draft.line + 1
        position = draft.position if draft.position is not None else expected
        if draft.position is not None and draft.position != expected:
            report.warn(start, f"文章编号为{draft.position}，按顺序应为{expected}")
        lead, inline = f.split_fields(draft.title)
        title = lead
        source, original_title, link_pieces = "", "", []
        main_found, main_rest, main_line = False, "", 0
        in_link = False
        fields_seen = bool(inline)

        def take(fields, index, raw):
            nonlocal source, original_title, in_link, main_found, main_rest, main_line
            for name, value in fields:
                if name == "来源":
                    in_link = False
                    if value and not source:
                        source = collapse_spaces(value)
                elif name == "链接":
                    in_link = True
                    raw_value = f.raw_field_value(raw, "链接") if raw is not None else None
                    value = raw_value if raw_value is not None else value
                    if value:
                        link_pieces.append((index + 1, value))
                elif name == "来源标题":
                    in_link = False
                    original_title = collapse_spaces(value)
                elif name == "主要内容":
                    in_link = False
                    main_found, main_rest, main_line = True, value, index + 1

        take(inline, draft.line, self.lines[draft.line])
        indices = draft.indices
        cursor = 0
        while cursor < len(indices) and not main_found:
            index = indices[cursor]
            text, raw = self.plain[index], self.lines[index]
            if not text:
                cursor += 1
                continue
            fields = f.field_line(text)
            if fields:
                fields_seen = True
                take(fields, index, raw)
                cursor += 1
                continue
            if looks_like_url_start(raw) or (in_link and looks_like_url_piece(text)):
                in_link = True
                link_pieces.append((index + 1, raw))
                cursor += 1
                continue
            if not fields_seen and not title:
                title = text
                cursor += 1
                continue
            if not fields_seen and self._fields_follow(index, 2) and not ends_sentence(text):
                title = join_wrapped(title, text)
                report.warn(index + 1, "标题被断成多行，已合并")
                cursor += 1
                continue
            break
        title = collapse_spaces(title)
        if not title:
            report.error(start, f"文章缺少标题（应为“{position}.标题：……”）")
        if not main_found:
            first_body = next((indices[i] + 1 for i in range(cursor, len(indices))), start)
            report.warn(first_body, "未找到“主要内容：”，其后的文字按正文处理")

        body_lines: list[tuple[int, str]] = []
        if main_rest:
            body_lines.append((main_line, main_rest))
        body_lines += [(index + 1, self.lines[index]) for index in indices[cursor:]]
        original_date, meta_source, original_title, body_lines = self.meta(
            body_lines, title, original_title, source, strict=not main_found
        )
        if meta_source and not source:
            source = meta_source
        elif meta_source and comparison_key(meta_source) != comparison_key(source):
            report.warn(start, f"第{position}篇：主要内容中的来源“{meta_source}”与“{source}”不一致")
        if comparison_key(original_title) == comparison_key(title):
            original_title = ""

        pieces = [(n, v) for n, v in link_pieces if not is_no_link(v)]
        link = assemble_link(pieces, report)
        if not link:
            report.warn(start, f"第{position}篇文章缺少链接")
        if not source:
            report.warn(start, f"第{position}篇文章缺少来源（应为“来源：……”）")
        if original_date is None:
            report.warn(start, f"第{position}篇文章缺少原文日期（应为“2025-08-04 来源：……”）")
        body = body_markdown(body_lines, markdown=self.markdown, gap=gap, report=report)
        if not body:
            report.warn(start, f"第{position}篇文章正文为空")
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

    def meta(self, lines, title, original_title, source, strict):
        """After 主要内容: the repeated title, '2025-08-04 来源：……', maybe 来源标题.

        Returns (original date, source named there, original title, remaining body lines).
        """
        lines = list(lines)
        for i in reversed([i for i, (_, raw) in enumerate(lines) if raw.strip()][:4]):
            fields = f.field_line(strip_decorations(lines[i][1], self.markdown)) or []
            named = [value for name, value in fields if name == "来源标题"]
            if named:
                original_title = collapse_spaces(named[0])
                del lines[i]
                if i < len(lines) and not lines[i][1].strip():
                    del lines[i]
        nonblank = [i for i, (_, raw) in enumerate(lines) if raw.strip()]
        if not nonblank:
            return None, "", original_title, lines
        known = {comparison_key(title), comparison_key(original_title)} - {""}

        def plain(i):
            return strip_decorations(lines[i][1], self.markdown)

        first = nonblank[0]
        text = plain(first)
        found = None  # (index of the date line, its text, the date match, repeated title)
        if _DATE_LINE.match(text):
            found = first, text, DATE.search(text), ""
        elif not strict and (
            match := next(
                (m for m in DATE.finditer(text) if re.match(r"\s*来源", text[m.end() :])), None
            )
        ):
            found = first, text, match, text[: match.start()].strip()
        elif len(nonblank) > 1 and _DATE_LINE.match(plain(nonblank[1])):
            if not strict or comparison_key(text) in known:
                second = plain(nonblank[1])
                found = nonblank[1], second, DATE.search(second), text
        elif comparison_key(text) in known or _SOURCE_LINE.match(text):
            # The title, a 来源 line, or both, but no date.
            rest = lines[first + 1 :]
            if _SOURCE_LINE.match(text):
                source_index, rest = first, lines[first + 1 :]
            else:
                source_index = next(
                    (i for i in nonblank[1:2] if _SOURCE_LINE.match(plain(i))), None
                )
                if source_index is not None:
                    rest = lines[source_index + 1 :]
            named = (
                self._source_and_rest(plain(source_index), source)
                if source_index is not None
                else ("", "")
            )
            if named[1]:
                rest = [(lines[source_index][0], named[1]), *rest]
            return None, named[0], original_title, rest
        if found is None:
            return None, "", original_title, lines
        date_index, line_text, match, repeated = found
        if repeated and comparison_key(repeated) not in known:
            self.report.warn(lines[first][0], f"主要内容中的标题“{repeated}”与文章标题不一致")
        number = lines[date_index][0]
        original_date = date_from_match(match)
        if original_date is None:
            self.report.warn(number, f"无法识别原文日期“{match.group(0)}”")
        after = line_text[match.end() :].strip()
        meta_source, body_start = self._source_and_rest(after, source)
        rest_lines = lines[date_index + 1 :]
        if body_start:
            rest_lines = [(number, body_start), *rest_lines]
        return original_date, meta_source, original_title, rest_lines

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
        report = self.report
        articles = bulletin.articles
        positions = [a.position for a in articles]
        if positions != list(range(1, len(articles) + 1)) and len(set(positions)) != len(positions):
            report.warn(0, "文章编号有重复")
        if bulletin.toc:
            if len(bulletin.toc) != len(articles):
                report.warn(
                    bulletin.toc[0].line,
                    f"目录有{len(bulletin.toc)}条，正文有{len(articles)}篇文章",
                )
            for entry, article in zip(bulletin.toc, articles, strict=False):
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
        else:
            report.warn(0, "未找到信息目录")
        intro = bulletin.intro
        count = _COUNT.search(intro)
        if count:
            try:
                said = numerals.parse(count.group("n"))
            except numerals.NumeralError:
                said = None
            if said is not None and said != len(articles):
                report.warn(intro_line, f"导语说共收集{said}篇，正文有{len(articles)}篇文章")
        kind = _INTRO_SERIES.search(intro)
        if kind and bulletin.series_slug:
            expected = "周报" if bulletin.series_slug == "weekly" else "月报"
            if kind.group("kind") != expected:
                report.warn(
                    intro_line, f"导语中写的是“本期{kind.group('kind')}”，但本刊是{expected}"
                )
        start, end = bulletin.period_start, bulletin.period_end
        if intro and start is None:
            report.warn(
                intro_line, "导语中未找到时间范围（应为“时间从2025年8月2日到2025年8月8日”）"
            )
        if start and end:
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
            for article in articles:
                day = article.original_date
                if day and not (start <= day <= end):
                    report.warn(
                        article.line,
                        f"第{article.position}篇文章的日期{day:%Y-%m-%d}不在本期时间范围内",
                    )

    def period(self, intro: str) -> tuple[datetime.date | None, datetime.date | None]:
        dates = find_dates(intro)
        for (first, start), (second, end) in zip(dates, dates[1:], strict=False):
            if _PERIOD_JOINER.match(intro[first.end() : second.start()]):
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


def parse_text(text: str, *, markdown: bool | None = None) -> ParsedBulletin:
    """Parse a bulletin from plain text or Markdown (detected unless ``markdown`` is given)."""
    try:
        return _Parser(text, markdown).parse()
    except BulletinParseError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure must reach the caller as our error
        raise BulletinParseError(
            [Problem(0, f"{_INTERNAL}：解析时出现意外问题（{type(exc).__name__}: {exc}）")]
        ) from exc


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
    extension = (name or "").lower().rsplit(".", 1)[-1] if "." in (name or "") else ""
    if extension == "docx":
        from .docx import parse_docx

        return parse_docx(data)
    if extension in ("txt", "md", "markdown"):
        if not isinstance(data, bytes | bytearray):
            raise BulletinParseError([Problem(0, "文件内容无法读取")])
        text = decode(bytes(data))
        return parse_text(text, markdown=True if extension != "txt" else None)
    raise BulletinParseError(
        [Problem(0, f"不支持的文件类型“{name}”（应为 .txt、.md、.markdown 或 .docx）")]
    )
