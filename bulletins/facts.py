"""Facts about the public archive that every page needs, computed once per content version.

The navigation's series, the newest issue of each, an issue's previous and next, the
sources and tags with their public article counts (lists and filter choices alike) and
the years with public issues: each is a query over the archive, kept until content
changes (caching/memo.py). Every query starts from ``.published()``.

Imports: models and caching only.
"""

import bisect

from django.db.models import Count, Q
from django.db.models.functions import ExtractYear

from .caching import memo
from .models import Article, Issue, Series, Source, Tag


def series_list() -> list:
    return memo.remember("series", lambda: list(Series.objects.all()))


def latest_issue_ids() -> list:
    """The newest public issue of each series that has one, in the series' order."""

    def compute():
        newest = (
            Issue.objects.published().filter(series=series).values_list("pk", flat=True).first()
            for series in series_list()
        )
        return [pk for pk in newest if pk is not None]

    return memo.remember("latest-issues", compute)


def public_issue_numbers(series_id) -> list[tuple[int, int]]:
    """(number, pk) of a series' public issues, by number: previous and next links."""

    def compute():
        issues = Issue.objects.published().filter(series_id=series_id).order_by("number")
        return list(issues.values_list("number", "pk"))

    return memo.remember(f"numbers:{series_id}", compute)


def issue_neighbours(issue) -> tuple:
    """(previous, next) public issues of ``issue``'s series, by number, or None for each.

    Read from the series' public issue numbers, kept per content version: no query.
    """
    numbers = public_issue_numbers(issue.series_id)
    at = bisect.bisect_left(numbers, (issue.number,))
    after = at + 1 if at < len(numbers) and numbers[at][0] == issue.number else at
    previous = numbers[at - 1] if at > 0 else None
    following = numbers[after] if after < len(numbers) else None

    def neighbour(entry):  # the same series: no query to link to it
        return Issue(number=entry[0], pk=entry[1], series=issue.series) if entry else None

    return neighbour(previous), neighbour(following)


def latest_publication_time():
    """When the newest public issue came out (Issue.publication_time), or None."""

    def compute():
        latest = Issue.objects.published().filter(pk__in=latest_issue_ids())
        return max((issue.publication_time for issue in latest), default=None)

    return memo.remember("latest-publication", compute)


def _with_counts(model) -> list:
    """Sources or tags with public articles, most first, each with ``article_count``: one
    query (an aggregate over the archive, run once per content version)."""
    public = Q(articles__in=Article.objects.published())
    objects = model.objects.annotate(article_count=Count("articles", filter=public))
    return sorted(
        objects.filter(article_count__gt=0), key=lambda obj: (-obj.article_count, obj.name)
    )


def sources_with_counts() -> list:
    """Sources cited by public articles, most cited first, each with ``article_count``."""
    return memo.remember("sources", lambda: _with_counts(Source))


def tags_with_counts() -> list:
    """Tags on public articles, most used first, each with ``article_count``."""
    return memo.remember("tags", lambda: _with_counts(Tag))


def source_choices() -> list:
    """(slug, name) of the sources of public articles, by name: the filter's choices."""
    return memo.remember(
        "source-choices",
        lambda: sorted(((s.slug, s.name) for s in sources_with_counts()), key=lambda c: c[1]),
    )


def tag_choices() -> list:
    """(slug, name) of the tags on public articles, by name: the filter's choices."""
    return memo.remember(
        "tag-choices",
        lambda: sorted(((t.slug, t.name) for t in tags_with_counts()), key=lambda c: c[1]),
    )


def issue_years(series_id=None) -> list[int]:
    """Years with public issues (of one series, or of all), newest first."""

    def compute():
        issues = Issue.objects.published()
        if series_id is not None:
            issues = issues.filter(series_id=series_id)
        years = issues.annotate(year=ExtractYear("publication_date")).values_list("year")
        return [year for (year,) in years.distinct().order_by("-year")]

    return memo.remember(f"years:{series_id}", compute)
