"""Where an issue sits in its series: the next issue's dates, gaps, overlaps, repeated links.

Used by the admin ('create next issue', warnings after saving) and by the importer.
"""

import calendar
import datetime

from django.utils.translation import gettext as _

from ..models import Article, Issue, Series
from ..text.formatting import chinese_date


def next_issue_initial(series: Series) -> dict:
    """Field values for the issue after the series' latest one (number, dates, period)."""
    latest = Issue.objects.filter(series=series).order_by("-number").first()
    today = datetime.date.today()
    if latest is None:
        return {"series": series.pk, "publication_date": today}
    end = latest.period_end or latest.publication_date
    if end.year >= 2100 or latest.publication_date.year >= 2100:  # beyond any sane date:
        return {"series": series.pk, "number": latest.number + 1, "publication_date": today}
    if series.frequency == Series.Frequency.MONTHLY:
        start = end + datetime.timedelta(days=1)
        start = start.replace(day=1)
        last_day = calendar.monthrange(start.year, start.month)[1]
        new_end = start.replace(day=last_day)
        publication = new_end
    else:
        start = end + datetime.timedelta(days=1)
        new_end = start + datetime.timedelta(days=6)
        publication = latest.publication_date + datetime.timedelta(days=7)
    return {
        "series": series.pk,
        "number": latest.number + 1,
        "publication_date": publication,
        "period_start": start,
        "period_end": new_end,
    }


def sequence_warnings(issue: Issue) -> list[str]:
    """A gap or an overlap with the neighbouring issues of the same series."""
    warnings = []
    siblings = Issue.objects.filter(series_id=issue.series_id).exclude(pk=issue.pk)
    previous = siblings.filter(number__lt=issue.number).order_by("-number").first()
    following = siblings.filter(number__gt=issue.number).order_by("number").first()
    if previous and previous.number != issue.number - 1:
        warnings.append(
            _("期号不连续：上一期是%(prev)s，本期是%(this)s，中间缺少 %(missing)s 期。")
            % {
                "prev": previous.label,
                "this": issue.label,
                "missing": issue.number - previous.number - 1,
            }
        )
    for neighbour in (previous, following):
        if not neighbour or not all(
            [issue.period_start, issue.period_end, neighbour.period_start, neighbour.period_end]
        ):
            continue
        if (
            issue.period_start <= neighbour.period_end
            and neighbour.period_start <= issue.period_end
        ):
            warnings.append(
                _("监测时段与%(other)s（%(start)s至%(end)s）重叠。")
                % {
                    "other": neighbour.label,
                    "start": chinese_date(neighbour.period_start),
                    "end": chinese_date(neighbour.period_end),
                }
            )
    if previous and previous.period_end and issue.period_start:
        gap = (issue.period_start - previous.period_end).days - 1
        if gap > 0:
            warnings.append(
                _("监测时段与上一期之间空了 %(days)s 天（%(start)s至%(end)s 未覆盖）。")
                % {
                    "days": gap,
                    "start": chinese_date(previous.period_end + datetime.timedelta(days=1)),
                    "end": chinese_date(issue.period_start - datetime.timedelta(days=1)),
                }
            )
    return warnings


def earlier_uses_of_links(urls, exclude_issue=None) -> dict[str, Issue]:
    """For each original link already in another issue, the (earliest) issue it is in."""
    urls = [url for url in urls if url]
    found = {}
    articles = (
        Article.objects.filter(original_url__in=urls)
        .select_related("issue__series")
        .order_by("issue__publication_date")
    )
    if exclude_issue is not None and exclude_issue.pk:
        articles = articles.exclude(issue=exclude_issue)
    for article in articles:
        found.setdefault(article.original_url, article.issue)
    return found


def duplicate_link_warnings(issue: Issue) -> list[str]:
    urls = list(issue.articles.values_list("original_url", flat=True))
    return [
        _("原文链接 %(url)s 已出现在%(issue)s中。") % {"url": url, "issue": str(earlier)}
        for url, earlier in earlier_uses_of_links(urls, exclude_issue=issue).items()
    ]
