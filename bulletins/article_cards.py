"""The cards of a list page, rendered once per content version and kept in each process.

Loading a page of twenty articles (with issue, series, source and tags) and building
their cards took most of a list page's time. A card shows its article alone, and nothing
about an article can change within a content version, so a page asks the fragment cache
for its cards by id and loads and renders only the ones missing.
"""

from dataclasses import dataclass

from django.core.cache import caches
from django.utils.safestring import SafeString, mark_safe

from . import versioned
from .models import Article
from .templatetags.cards import article_card

# Entries of old versions are never read again; the cache drops the oldest when full.
TIMEOUT = 60 * 60 * 24


@dataclass(frozen=True)
class Card:
    pk: int
    html: SafeString


def cards_by_pk(ids) -> list[Card]:
    """The cards of the public articles ``ids`` (in any order; the list sorts them)."""
    fragments = caches["fragments"]
    keys = {pk: versioned.fragment_key("card", pk) for pk in ids}
    found = fragments.get_many(keys.values())
    missing = [pk for pk, key in keys.items() if key not in found]
    if missing:
        articles = Article.objects.published().for_listing().filter(pk__in=missing)
        rendered = {keys[article.pk]: str(article_card(article)) for article in articles}
        fragments.set_many(rendered, TIMEOUT)
        found.update(rendered)
    # Built from escaped values only (see cards.article_card).
    return [Card(pk, mark_safe(found[key])) for pk, key in keys.items() if key in found]  # noqa: S308
