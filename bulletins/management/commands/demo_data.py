"""Fill the archive with an invented but believable two-year archive (safe to run twice)."""

import datetime
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from bulletins.management.demo_content import BEIJING_PLACES, PLACES, SOURCES, STORIES, TAGS, fill
from bulletins.models import Article, Issue, Series, Source, Tag

WEEKLY_ISSUES = 26
MONTHLY_ISSUES = 24
INTRO = (
    "本期{word}共收集{count}篇卫生健康大数据与政策研究相关信息，时间从{start}到{end}，"
    "监测范围包括全国主流媒体及政府网站等。"
)


def chinese_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def last_day_of_month(day: datetime.date) -> datetime.date:
    following_month = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following_month - datetime.timedelta(days=1)


def last_friday(today: datetime.date) -> datetime.date:
    """Weekly issues come out on Fridays; the newest is the last Friday before today."""
    return today - datetime.timedelta(days=(today.weekday() - 4) % 7 or 7)


def weeks_back(today: datetime.date, count: int):
    """(end, start) of the ``count`` weeks before today, newest first, each ending on a Friday."""
    newest = last_friday(today)
    for back in range(count):
        end = newest - datetime.timedelta(weeks=back)
        yield end, end - datetime.timedelta(days=6)


def months_back(today: datetime.date, count: int):
    """(end, start) of the ``count`` months before this one, newest first: monthly issues
    come out on the last day of the month they cover."""
    month_end = today.replace(day=1) - datetime.timedelta(days=1)
    for _ in range(count):
        yield month_end, month_end.replace(day=1)
        month_end = month_end.replace(day=1) - datetime.timedelta(days=1)


class Command(BaseCommand):
    help = "填充演示数据：两个系列两年的期刊、文章、来源、标签，以及编辑和审核账号各一个。"

    def add_arguments(self, parser):
        parser.add_argument("--username", default="editor")
        parser.add_argument("--password", default="demo-editor-pass")
        parser.add_argument("--reviewer", default="reviewer")
        parser.add_argument("--reviewer-password", default="demo-reviewer-pass")

    @transaction.atomic
    def handle(self, *args, **options):
        # One seeded generator, drawn from in a fixed order, so that a second run writes
        # the same archive over the first.
        self.rng = random.Random(20251108)
        self.sources = [
            Source.objects.get_or_create(name=name, defaults={"kind": kind})[0]
            for name, kind in SOURCES
        ]
        self.tags = {
            name: Tag.objects.get_or_create(name=name, defaults={"description": text})[0]
            for name, text in TAGS
        }
        today, now = timezone.localdate(), timezone.now()
        weekly = Series.objects.get(slug="weekly")
        monthly = Series.objects.get(slug="monthly")
        self.make_back_issues(weekly, monthly, today, now)
        self.make_work_in_progress(weekly, monthly, today, now)
        user = self.make_staff(options["username"], options["password"], "编辑")
        reviewer = self.make_staff(options["reviewer"], options["reviewer_password"], "审核")
        self.report(user, reviewer, options)

    def make_back_issues(self, weekly, monthly, today, now):
        """Two years of published issues: the weeklies, then the monthlies."""
        plans = [
            (weekly, 655 - back, *period)
            for back, period in enumerate(weeks_back(today, WEEKLY_ISSUES))
        ]
        plans += [
            (monthly, 553 - back, *period)
            for back, period in enumerate(months_back(today, MONTHLY_ISSUES))
        ]
        for series, number, end, start in plans:
            self.make_issue(series, number, end, start, Issue.Status.PUBLISHED, now)

    def make_work_in_progress(self, weekly, monthly, today, now):
        """A scheduled weekly, two drafts and one issue awaiting review."""
        next_friday = last_friday(today) + datetime.timedelta(days=7)
        scheduled_at = now + datetime.timedelta(days=3)
        self.make_issue(
            weekly,
            656,
            next_friday,
            next_friday - datetime.timedelta(days=6),
            Issue.Status.PUBLISHED,
            scheduled_at,
        )
        self.make_issue(
            weekly,
            657,
            next_friday + datetime.timedelta(days=7),
            next_friday + datetime.timedelta(days=1),
            Issue.Status.DRAFT,
            None,
        )
        next_month_end = last_day_of_month(today)
        self.make_issue(
            monthly, 554, next_month_end, next_month_end.replace(day=1), Issue.Status.REVIEW, None
        )
        # The month after: started early, items collected as they come.
        month_after_end = last_day_of_month(next_month_end + datetime.timedelta(days=1))
        self.make_issue(
            monthly, 555, month_after_end, month_after_end.replace(day=1), Issue.Status.DRAFT, None
        )

    def report(self, user, reviewer, options):
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据就绪：{Issue.objects.count()} 期，{Article.objects.count()} 篇文章，"
                f"{Source.objects.count()} 个来源，{Tag.objects.count()} 个标签。"
            )
        )
        self.stdout.write(
            f"编辑后台 /admin/ 编辑账号：{user.username}  密码：{options['password']}"
        )
        self.stdout.write(
            f"审核账号（可发布）：{reviewer.username}  密码：{options['reviewer_password']}"
        )

    def make_issue(self, series, number, end, start, status, published_at):
        rng = self.rng
        count = rng.choice([3, 3, 4, 4, 5]) if series.slug == "weekly" else 4
        word = series.short_name
        issue, _ = Issue.objects.update_or_create(
            series=series,
            number=number,
            defaults={
                "publication_date": end,
                "period_start": start,
                "period_end": end,
                "intro": INTRO.format(
                    word=word, count=count, start=chinese_date(start), end=chinese_date(end)
                ),
                "status": status,
                "published_at": (
                    published_at
                    if published_at is None or published_at > timezone.now()
                    else timezone.make_aware(datetime.datetime.combine(end, datetime.time(9)))
                ),
            },
        )
        for position, story in enumerate(rng.sample(STORIES, count), start=1):
            content = fill(story, rng, BEIJING_PLACES if series.slug == "monthly" else PLACES)
            source = rng.choice(self.sources)
            day = start + datetime.timedelta(days=rng.randint(0, (end - start).days))
            # Some items in the real bulletins come with no link at all.
            url = f"https://news.example.cn/{day:%Y%m%d}/{number}-{position}.html"
            article, _ = Article.objects.update_or_create(
                issue=issue,
                position=position,
                defaults={
                    "title": content["title"],
                    "original_title": content["original_title"],
                    "source": source,
                    "original_date": day,
                    "original_url": "" if rng.random() < 0.1 else url,
                    "body": content["body"],
                },
            )
            article.tags.set([self.tags[name] for name in content["tags"]])
        issue.articles.filter(position__gt=count).delete()
        return issue

    def make_staff(self, username, password, group):
        """A staff account in one of the groups made by migration 0007 (编辑 or 审核)."""
        user, _ = get_user_model().objects.get_or_create(username=username)
        user.is_staff = True
        user.set_password(password)
        user.save()
        user.groups.set([Group.objects.get(name=group)])
        return user
