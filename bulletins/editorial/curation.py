"""Keeping sources and tags tidy: merge duplicates into one, rename without breaking links.

A merge moves every article to the kept object, leaves the merged names as aliases
(sources: future imports still find them), makes the merged addresses redirect to the
kept one and deletes the rest. A rename changes name and slug; the old slug redirects and
a source's old name becomes an alias (``models.Renamable``). Both start a new content
version, and the issues whose articles changed are recorded in the open history revision.
"""

from django.db import transaction

from .. import signals
from ..models import Article, Issue, SlugRedirect, Source, SourceAlias, Tag, unique_slug
from . import history


def _record_issues(issue_ids) -> None:
    history.add(*Issue.objects.filter(pk__in=set(issue_ids)))


def _fill_blanks(keep, others, fields) -> None:
    """Fields the kept object leaves blank take the first merged object's value."""
    changed = []
    for name in fields:
        if not getattr(keep, name):
            value = next((getattr(o, name) for o in others if getattr(o, name)), "")
            if value:
                setattr(keep, name, value)
                changed.append(name)
    if changed:
        keep.save(update_fields=changed)


@transaction.atomic
def merge_sources(keep: Source, others) -> int:
    """Merge ``others`` into ``keep``; returns how many articles moved."""
    others = [other for other in others if other.pk != keep.pk]
    other_pks = [other.pk for other in others]
    articles = Article.objects.filter(source_id__in=other_pks)
    article_ids, issue_ids = [], []
    for article_id, issue_id in articles.values_list("pk", "issue_id"):
        article_ids.append(article_id)
        issue_ids.append(issue_id)
    moved = articles.update(source=keep)
    SourceAlias.objects.filter(source_id__in=other_pks).update(source=keep)
    SlugRedirect.objects.move(Source, other_pks, keep)
    for other in others:
        SlugRedirect.objects.merged(keep, other)
    _fill_blanks(keep, others, ["homepage"])
    Source.objects.filter(pk__in=other_pks).delete()
    for other in others:  # after the delete: the names are free to become aliases
        SourceAlias.objects.get_or_create(name=other.name, defaults={"source": keep})
    signals.announce(Source, article_ids)  # update() sends no model signal
    _record_issues(issue_ids)
    return moved


@transaction.atomic
def merge_tags(keep: Tag, others) -> int:
    """Merge ``others`` into ``keep``; returns how many articles carry a merged tag."""
    others = [other for other in others if other.pk != keep.pk]
    other_pks = [other.pk for other in others]
    through = Article.tags.through
    article_ids = set(
        through.objects.filter(tag_id__in=other_pks).values_list("article_id", flat=True)
    )
    # An article that had both keeps one link (the through table is unique per pair).
    through.objects.bulk_create(
        [through(article_id=pk, tag_id=keep.pk) for pk in article_ids], ignore_conflicts=True
    )
    SlugRedirect.objects.move(Tag, other_pks, keep)
    for other in others:
        SlugRedirect.objects.merged(keep, other)
    _fill_blanks(keep, others, ["description"])
    Tag.objects.filter(pk__in=other_pks).delete()
    signals.announce(Tag, article_ids)  # bulk_create sends no m2m signal
    _record_issues(Article.objects.filter(pk__in=article_ids).values_list("issue_id", flat=True))
    return len(article_ids)


@transaction.atomic
def rename(obj, name: str, slug: str = ""):
    """New name and slug (made from the name when blank); the old slug keeps redirecting."""
    obj.name = name
    obj.slug = slug or unique_slug(type(obj), name, obj.pk)
    obj.save()
    return obj
