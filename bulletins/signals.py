"""``content_changed``: a write that Django's model signals do not announce.

Saves, deletes and tag changes made through the ORM announce themselves (post_save,
post_delete, m2m_changed). Bulk paths do not: ``update()``, ``bulk_create``, raw SQL, a
restore of the whole archive. Code that writes that way sends ``content_changed`` once,
inside the transaction that wrote, naming the articles whose text changed (or ``None``:
any may have). The search index (search/index.py) and the content version
(caching/version.py) listen; nobody reindexes or bumps by hand.

Imports: nothing of the project.
"""

from django.dispatch import Signal

# Sent with ``article_ids``: the articles to index afresh (deleted ones are dropped; none
# when only an order changed), or None after a change to the whole archive (a restore:
# everything is indexed again).
content_changed = Signal()


def announce(sender, article_ids=()) -> None:
    """Send ``content_changed`` for ``article_ids`` (None: the whole archive)."""
    content_changed.send(
        sender=sender, article_ids=None if article_ids is None else list(article_ids)
    )
