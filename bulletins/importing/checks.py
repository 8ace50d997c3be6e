"""Cross-checks on a parsed bulletin that need no database, and the wording of those that do.

The parser already compares the table of contents with the articles and the 导语 with the
data while it reads (``parse._Parser.check``). These are the checks that look at the
finished result as a whole, plus the sentence for an issue number that does not follow the
series' latest issue; the loader supplies that number from the database.
"""

from ..text import numerals
from .result import ParsedBulletin, Problem
from .text import chinese_date

# A period that ends this long before the issue came out is probably a wrong year or month.
STALE_PERIOD_DAYS = {"weekly": 14, "monthly": 45}
LONGEST_MONTHLY_PERIOD = 31  # days


def _problem(line: int, message: str) -> Problem:
    return Problem(line=line, message=(f"第{line}行：" if line else "") + message)


def repeated_links(bulletin: ParsedBulletin) -> list[Problem]:
    """The same original link given for two articles of one document."""
    first_use: dict[str, int] = {}
    problems = []
    for article in bulletin.articles:
        if not article.link:
            continue
        if article.link in first_use:
            problems.append(
                _problem(
                    article.line,
                    f"第{article.position}篇文章的链接与第{first_use[article.link]}篇相同："
                    f"{article.link}",
                )
            )
        else:
            first_use[article.link] = article.position
    return problems


def period_against_dates(bulletin: ParsedBulletin) -> list[Problem]:
    """A monthly period longer than a month, or a period long before the publication date."""
    start, end, published = bulletin.period_start, bulletin.period_end, bulletin.publication_date
    if not (start and end and published) or start > end:
        return []
    problems = []
    if bulletin.series_slug == "monthly" and (end - start).days + 1 > LONGEST_MONTHLY_PERIOD:
        problems.append(_problem(0, f"月报的时间范围有{(end - start).days + 1}天，超过一个月"))
    stale = STALE_PERIOD_DAYS.get(bulletin.series_slug)
    if stale and (published - end).days > stale:
        problems.append(
            _problem(
                0,
                f"时间范围结束于{chinese_date(end)}，比出版日期{chinese_date(published)}"
                f"早{(published - end).days}天（年份或月份是否有误？）",
            )
        )
    return problems


def document_warnings(bulletin: ParsedBulletin) -> list[Problem]:
    """Every database-free check on a whole parsed bulletin."""
    return repeated_links(bulletin) + period_against_dates(bulletin)


def number_after_latest(number: int, latest: int | None) -> str:
    """A warning when ``number`` is older than the series' latest issue, else "".

    A number beyond ``latest + 1`` leaves a gap; ``sequence.sequence_warnings`` names that.
    """
    if latest is None or number >= latest:
        return ""
    return (
        f"期号不接续：本系列最新一期是{numerals.issue_label(latest)}，"
        f"本期{numerals.issue_label(number)}在它之前（补录旧刊时可忽略）"
    )
