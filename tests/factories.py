"""Plain factory functions for tests: each makes one valid object, overrides by keyword."""

import datetime
import importlib
import itertools

from django.apps import apps
from django.utils import timezone

from bulletins.models import Article, Issue, Series, Source, Tag

_counter = itertools.count(1)


def series(slug="weekly"):
    """One of the two series the data migration creates."""
    return Series.objects.get(slug=slug)


def ensure_series():
    """The two series as the data migration makes them: a transactional test starts after
    other transactional tests have flushed the database, series included."""
    importlib.import_module("bulletins.migrations.0002_create_series").create_series(apps, None)


def issue(*, series_slug="weekly", number=None, status=Issue.Status.PUBLISHED, **fields):
    """A published issue (public since yesterday) unless told otherwise."""
    n = next(_counter)
    number = number if number is not None else 600 + n
    date = fields.pop(
        "publication_date", datetime.date(2025, 1, 3) + datetime.timedelta(days=7 * n)
    )
    defaults = {
        "publication_date": date,
        "period_start": date - datetime.timedelta(days=6),
        "period_end": date,
        "intro": f"本期导语第{number}号，测试用。",
        "published_at": timezone.now() - datetime.timedelta(days=1)
        if status == Issue.Status.PUBLISHED
        else None,
    }
    defaults.update(fields)
    return Issue.objects.create(
        series=series(series_slug), number=number, status=status, **defaults
    )


def draft_issue(**fields):
    return issue(status=Issue.Status.DRAFT, **fields)


def scheduled_issue(**fields):
    return issue(published_at=timezone.now() + datetime.timedelta(days=2), **fields)


def source(name=None, **fields):
    name = name or f"测试来源{next(_counter)}"
    return Source.objects.get_or_create(name=name, defaults=fields)[0]


def tag(name=None, **fields):
    name = name or f"测试标签{next(_counter)}"
    return Tag.objects.get_or_create(name=name, defaults=fields)[0]


def article(*, issue_obj=None, tags=(), **fields):
    issue_obj = issue_obj or issue()
    position = fields.pop("position", issue_obj.articles.count() + 1)
    defaults = {
        "title": f"测试文章{next(_counter)}",
        "source": fields.pop("source", None) or source(),
        "original_url": "https://example.cn/news/1.html",
        "original_date": issue_obj.publication_date,
        "body": "第一段正文，足够长的一段文字。\n\n第二段正文。",
    }
    defaults.update(fields)
    obj = Article.objects.create(issue=issue_obj, position=position, **defaults)
    if tags:
        obj.tags.set(tags)
    return obj
