"""Build a synthetic archive of a given size fast, with bulk inserts.

The text comes from the demo stories (bulletins/demo_content.py), so pages look like the
real thing: Chinese titles and bodies, 2-3 tags per article, sources skewed towards the
big media. Both series run back in time from today, three to six articles an issue as in
the real bulletins. One scheduled and one draft issue sit on top, so that "published"
filtering has work to do.
"""

import datetime
import random

from django.db import connection, transaction
from django.utils import timezone

from bulletins import signals
from bulletins.management.demo_content import PLACES, SOURCES, STORIES, TAGS, fill
from bulletins.models import Article, Issue, Series, Source, SourceAlias, Tag
from bulletins.text.markdown import first_paragraph, render_markdown

BATCH = 2000
# One monthly issue for every four weekly ones.
MONTHLY_EVERY = 5


def wipe():
    """Remove all content (the two series stay: a data migration made them)."""
    with transaction.atomic():
        Article.tags.through.objects.all().delete()
        Article.objects.all().delete()
        Issue.objects.all().delete()
        SourceAlias.objects.all().delete()
        Source.objects.all().delete()
        Tag.objects.all().delete()


def make_sources():
    names = dict(SOURCES)
    for place in PLACES:
        names.setdefault(f"{place}卫生健康委员会", "government")
        names.setdefault(f"{place}融媒体中心", "local")
    Source.objects.bulk_create(
        [Source(name=name, slug=f"s{i}", kind=kind) for i, (name, kind) in enumerate(names.items())]
    )
    sources = list(Source.objects.order_by("pk"))
    # The big national media carry most stories; local outlets appear now and then.
    weights = [12 if s.kind == "central" else 6 if s.kind == "industry" else 1 for s in sources]
    return sources, weights


def make_tags():
    Tag.objects.bulk_create(
        [Tag(name=name, slug=f"t{i}", description=text) for i, (name, text) in enumerate(TAGS)]
    )
    return {tag.name: tag for tag in Tag.objects.all()}


def plan_issues(total_articles: int, rng: random.Random):
    """(series slug, publication date, article count), newest first, until the total."""
    today = timezone.localdate()
    friday = today - datetime.timedelta(days=(today.weekday() - 4) % 7 or 7)
    month_end = today.replace(day=1) - datetime.timedelta(days=1)
    plans, remaining, k = [], total_articles, 0
    while remaining > 0:
        monthly = k % MONTHLY_EVERY == MONTHLY_EVERY - 1
        count = min(remaining, rng.randint(4, 6) if monthly else rng.randint(3, 5))
        if monthly:
            plans.append(("monthly", month_end, month_end.replace(day=1), count))
            month_end = month_end.replace(day=1) - datetime.timedelta(days=1)
        else:
            plans.append(("weekly", friday, friday - datetime.timedelta(days=6), count))
            friday -= datetime.timedelta(days=7)
        remaining -= count
        k += 1
    return plans


def build(total_articles: int, seed: int = 20251108, log=print) -> None:
    """Replace the database's content with an archive of ``total_articles`` public articles."""
    rng = random.Random(seed)
    wipe()
    sources, weights = make_sources()
    tags = make_tags()
    series = {s.slug: s for s in Series.objects.all()}
    plans = plan_issues(total_articles, rng)
    numbers = {slug: sum(1 for p in plans if p[0] == slug) for slug in series}

    issues = []
    for slug, end, start, _count in plans:
        issues.append(
            Issue(
                series=series[slug],
                number=numbers[slug],
                publication_date=end,
                period_start=start,
                period_end=end,
                status=Issue.Status.PUBLISHED,
                published_at=timezone.make_aware(datetime.datetime.combine(end, datetime.time(9))),
            )
        )
        numbers[slug] -= 1
    # Work in progress, never public: a scheduled weekly and a draft monthly.
    top = {slug: sum(1 for p in plans if p[0] == slug) for slug in series}
    next_friday = plans[0][1] + datetime.timedelta(days=7)
    for slug, status, when in (
        ("weekly", Issue.Status.PUBLISHED, timezone.now() + datetime.timedelta(days=3)),
        ("monthly", Issue.Status.DRAFT, None),
    ):
        plans.append((slug, next_friday, next_friday - datetime.timedelta(days=6), 5))
        issues.append(
            Issue(
                series=series[slug],
                number=top[slug] + 1,
                publication_date=next_friday,
                period_start=next_friday - datetime.timedelta(days=6),
                period_end=next_friday,
                status=status,
                published_at=when,
            )
        )
    with transaction.atomic():
        Issue.objects.bulk_create(issues, batch_size=BATCH)
    issue_ids = {
        (slug, number): pk
        for pk, slug, number in Issue.objects.values_list("pk", "series__slug", "number")
    }
    log(f"  {len(issues)} issues")

    rendered = {}
    articles, article_tags = [], []
    for issue, (_slug, end, start, count) in zip(issues, plans, strict=True):
        issue_pk = issue_ids[(issue.series.slug, issue.number)]
        for position, story in enumerate(rng.sample(STORIES, min(count, len(STORIES))), 1):
            content = fill(story, rng)
            body = content["body"]
            if body not in rendered:
                rendered[body] = (render_markdown(body), first_paragraph(body))
            body_html, summary = rendered[body]
            day = start + datetime.timedelta(days=rng.randint(0, (end - start).days))
            articles.append(
                Article(
                    issue_id=issue_pk,
                    position=position,
                    title=content["title"],
                    original_title=content["title"] + "（原题）" if rng.random() < 0.2 else "",
                    source=rng.choices(sources, weights)[0],
                    original_url=f"https://news.example.cn/{day:%Y%m%d}/{issue_pk}-{position}.html",
                    original_date=day,
                    body=body,
                    body_html=body_html,
                    summary=summary,
                )
            )
            article_tags.append([tags[name].pk for name in content["tags"]])
    with transaction.atomic():
        for i in range(0, len(articles), BATCH):
            Article.objects.bulk_create(articles[i : i + BATCH])
        through = Article.tags.through
        links = [
            through(article_id=article.pk, tag_id=tag_id)
            for article, tag_ids in zip(articles, article_tags, strict=True)
            for tag_id in tag_ids
        ]
        through.objects.bulk_create(links, batch_size=BATCH * 5)
    log(f"  {len(articles)} articles ({total_articles} public), {len(links)} tag links")
    # Planner statistics, as PostgreSQL's autovacuum would gather after such a load.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    # Bulk inserts send no model signals: a new content version (the caller indexes).
    signals.announce(Article, ())
