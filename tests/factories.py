"""Plain factory functions for tests: each makes one valid object, overrides by keyword."""

import datetime
import importlib
import itertools
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
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
        # A week apart, within the years the archive accepts however long the suite runs.
        "publication_date",
        datetime.date(2025, 1, 3) + datetime.timedelta(days=7 * (n % 3000)),
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


def review_issue(**fields):
    return issue(status=Issue.Status.REVIEW, **fields)


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


def local_time(*args):
    """An aware datetime in the site's time zone: local_time(2025, 8, 8, 9, 30)."""
    return timezone.make_aware(datetime.datetime(*args))


@dataclass
class Archive:
    """A small public archive whose order and membership tests can state by hand."""

    issues: list  # newest first
    articles: list  # newest first (by issue, then position)
    tag: Tag  # 医保: on articles of both series
    source: Source  # 人民网
    other_tag: Tag
    other_source: Source


def public_archive() -> Archive:
    """Weekly 636 (Aug 1), monthly 540 (Aug 5), weekly 637 (Aug 8), five articles."""
    health, ai = tag("医保"), tag("人工智能")
    people = source("人民网", homepage="http://www.people.com.cn/")
    xinhua = source("新华社")
    w636 = issue(
        number=636,
        publication_date=datetime.date(2025, 8, 1),
        published_at=local_time(2025, 8, 1, 9, 30),
    )
    m540 = issue(
        series_slug="monthly",
        number=540,
        publication_date=datetime.date(2025, 8, 5),
        published_at=local_time(2025, 8, 5, 15, 0),
    )
    w637 = issue(
        number=637,
        publication_date=datetime.date(2025, 8, 8),
        published_at=local_time(2025, 8, 8, 10, 0),
    )
    a1 = article(issue_obj=w636, title="医保支付改革推进", source=people, tags=[health])
    a2 = article(issue_obj=w636, title="医院用上人工智能", source=xinhua, tags=[health, ai])
    a3 = article(
        issue_obj=m540,
        title="北京智慧医院建设",
        source=people,
        tags=[ai],
        original_url="https://example.cn/news/540-1.html",
    )
    a4 = article(issue_obj=w637, title="医保数据共享", source=xinhua, tags=[health])
    a5 = article(issue_obj=w637, title="健康档案上云", source=people)
    return Archive(
        issues=[w637, m540, w636],
        articles=[a4, a5, a3, a1, a2],
        tag=health,
        source=people,
        other_tag=ai,
        other_source=xinhua,
    )


UNPUBLISHED_TITLES = ("草稿中的文章", "待审核的文章", "定时发布的文章")


def unpublished_issues(*, tags=(), source_obj=None) -> list:
    """A draft, an in-review and a scheduled issue (newer than any public one).

    Each has an article titled from UNPUBLISHED_TITLES with ``tags`` and ``source_obj``
    (public ones: sharing them must leak nothing) and the tag 未公开标签, and a second
    article from the source 未公开来源. That tag and source are used nowhere else.
    """
    secret_tag, secret_source = tag("未公开标签"), source("未公开来源")
    made = []
    for make, number, title in zip(
        (draft_issue, review_issue, scheduled_issue),
        (900, 901, 902),
        UNPUBLISHED_TITLES,
        strict=True,
    ):
        hidden = make(number=number, publication_date=datetime.date(2025, 9, 1))
        article(issue_obj=hidden, title=title, source=source_obj, tags=[*tags, secret_tag])
        article(issue_obj=hidden, title=f"{title}（二）", source=secret_source)
        made.append(hidden)
    return made


STAFF_PASSWORD = "a-long-test-password-1"


def staff_user(username=None, *, group=None, permissions=(), **fields):
    """A staff account (not a superuser unless told), in the group 编辑 or 审核 (made by a
    migration) when given, holding extra permissions such as 'bulletins.add_issue'. Its
    password is STAFF_PASSWORD."""
    username = username or f"staff{next(_counter)}"
    user = get_user_model().objects.create_user(
        username, password=STAFF_PASSWORD, is_staff=True, **fields
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    for name in permissions:
        app_label, codename = name.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


def editor(username="editor", **fields):
    return staff_user(username, group="编辑", **fields)


def reviewer(username="reviewer", **fields):
    return staff_user(username, group="审核", **fields)
