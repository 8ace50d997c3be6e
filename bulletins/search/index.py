"""Keeping the index in step with the content, in the same transaction as the change.

Every save, delete and tag change rewrites the entries it touches at once, inside the
transaction that made the change, so the index can never lag behind the content version
(caching/version.py starts a new one when that transaction commits): a cached search
page is never stale. Paths that send no model signals (``bulk_create``, ``update()``, raw
SQL, a restore) announce themselves with ``signals.content_changed``, which this module
listens to; ``loaddata`` (whose saves are "raw") needs ``manage.py rebuild_search_index``.
"""

from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from ..models import Article, Issue, SearchDocument, Source, Tag
from ..signals import content_changed
from . import backends, documents

BATCH = 500


def reindex(article_ids) -> None:
    """Write the entries of these articles afresh (ids of deleted articles are dropped)."""
    article_ids = sorted(set(article_ids))
    backend = backends.for_alias()
    for start in range(0, len(article_ids), BATCH):
        chunk = article_ids[start : start + BATCH]
        found = documents.load(chunk)
        with connection.cursor() as cursor:
            if found:
                backend.write(cursor, found)
            gone = set(chunk) - {document.article_id for document in found}
            if gone:
                backend.delete(cursor, gone)
                SearchDocument.objects.filter(article_id__in=gone).delete()


def rebuild(progress=None, batch: int = BATCH) -> int:
    """Index every article afresh in one transaction (if it fails, the old index stays;
    PostgreSQL holds searches back until it commits); progress(done, total) per batch."""
    backend = backends.for_alias()
    with transaction.atomic(), connection.cursor() as cursor:
        backend.rebuild_start(cursor)
        ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), batch):
            backend.write(cursor, documents.load(ids[start : start + batch]))
            if progress:
                progress(min(start + batch, len(ids)), len(ids))
        backend.rebuild_end(cursor)
    return len(ids)


# --- signals -------------------------------------------------------------------------


def _article_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        reindex([instance.pk])


def _article_deleted(sender, instance, **kwargs):
    with connection.cursor() as cursor:
        backends.for_alias().delete(cursor, [instance.pk])


def _tags_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not reverse:  # article.tags.add(...) and the like
        if action in ("post_add", "post_remove", "post_clear"):
            reindex([instance.pk])
    elif action == "pre_clear":  # tag.articles.clear(): remember whom it concerns
        instance._search_articles = list(instance.articles.values_list("pk", flat=True))
    elif action in ("post_add", "post_remove"):
        reindex(pk_set or ())
    elif action == "post_clear":
        reindex(getattr(instance, "_search_articles", ()))


def _remember_name(sender, instance, raw=False, **kwargs):
    """Before a tag or source is saved: note whether its name (which is indexed) changes."""
    if raw or instance.pk is None:
        instance._search_renamed = False
        return
    old = sender.objects.filter(pk=instance.pk).values_list("name", flat=True).first()
    instance._search_renamed = old is not None and old != instance.name


def _tag_saved(sender, instance, raw=False, **kwargs):
    if getattr(instance, "_search_renamed", False):
        reindex(instance.articles.values_list("pk", flat=True))


def _source_saved(sender, instance, raw=False, **kwargs):
    if getattr(instance, "_search_renamed", False):
        reindex(instance.articles.values_list("pk", flat=True))


def _tag_deleting(sender, instance, **kwargs):
    instance._search_articles = list(instance.articles.values_list("pk", flat=True))


def _tag_deleted(sender, instance, **kwargs):
    reindex(getattr(instance, "_search_articles", ()))


def _issue_saved(sender, instance, raw=False, **kwargs):
    """An issue's date and series are copied to its articles' entries."""
    if not raw:
        SearchDocument.objects.filter(issue_id=instance.pk).update(
            series_id=instance.series_id, publication_date=instance.publication_date
        )


def _content_changed(sender, article_ids, **kwargs):
    """A bulk write announced itself (signals.py): index what it names, or everything."""
    if article_ids is None:
        rebuild()
    else:
        reindex(article_ids)


def connect_signals():
    content_changed.connect(_content_changed, dispatch_uid="search-bulk")
    post_save.connect(_article_saved, sender=Article, dispatch_uid="search-article-save")
    post_delete.connect(_article_deleted, sender=Article, dispatch_uid="search-article-delete")
    m2m_changed.connect(_tags_changed, sender=Article.tags.through, dispatch_uid="search-tags")
    for model, saved in ((Tag, _tag_saved), (Source, _source_saved)):
        pre_save.connect(_remember_name, sender=model, dispatch_uid=f"search-name-{model}")
        post_save.connect(saved, sender=model, dispatch_uid=f"search-save-{model}")
    pre_delete.connect(_tag_deleting, sender=Tag, dispatch_uid="search-tag-deleting")
    post_delete.connect(_tag_deleted, sender=Tag, dispatch_uid="search-tag-deleted")
    post_save.connect(_issue_saved, sender=Issue, dispatch_uid="search-issue-save")
