"""What the importer hands back: plain dataclasses, and the one error type it raises."""

import datetime
from dataclasses import dataclass, field


@dataclass
class Problem:
    """A warning or an error, addressed to an editor (in Chinese)."""

    line: int  # 1-based line number in the input, 0 if not applicable
    message: str


@dataclass
class TocEntry:
    title: str
    source: str  # "" if none
    line: int


@dataclass
class ParsedArticle:
    position: int  # 1-based, as numbered in the document
    title: str
    original_title: str  # 来源标题 when given and different from the title, else ""
    source: str  # "" if missing
    link: str  # "" if missing; only http(s) URLs
    original_date: datetime.date | None
    body: str  # Markdown
    line: int  # line where the article starts


@dataclass
class ParsedBulletin:
    series_name: str
    series_slug: str  # "weekly" or "monthly"
    number: int
    publisher: str
    publication_date: datetime.date
    period_start: datetime.date | None
    period_end: datetime.date | None
    intro: str
    toc: list[TocEntry] = field(default_factory=list)
    articles: list[ParsedArticle] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


class BulletinParseError(ValueError):
    """The document's structure could not be found; ``problems`` says where and why."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(self._describe())

    def _describe(self) -> str:
        if not self.problems:
            return "无法解析文档"
        return "\n".join(problem.message for problem in self.problems)

    def __str__(self) -> str:
        return self._describe()


class Report:
    """Collects warnings and errors while a document is read."""

    def __init__(self):
        self.warnings: list[Problem] = []
        self.errors: list[Problem] = []

    @staticmethod
    def _problem(line: int, message: str) -> Problem:
        prefix = f"第{line}行：" if line else ""
        return Problem(line=line, message=prefix + message)

    def warn(self, line: int, message: str) -> None:
        self.warnings.append(self._problem(line, message))

    def error(self, line: int, message: str) -> None:
        self.errors.append(self._problem(line, message))

    def raise_if_errors(self) -> None:
        if self.errors:
            raise BulletinParseError(self.errors)
