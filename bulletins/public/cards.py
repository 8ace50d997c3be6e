"""The cards of a list page, rendered once per content version and kept in each process.

Loading a page of twenty articles (with issue, series, source and tags) and building
their cards took most of a list page's time. A card shows its article alone, and nothing
about an article can change within a content version, so a page asks the fragment cache
for its cards by id and loads and renders only the ones missing.
"""

from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe

from ..caching import memo
from ..models import Article
from ..templatetags.cards import article_card


@dataclass(frozen=True)
class Card:
    pk: int
    html: SafeString


def build_cards(ids) -> dict[int, str]:
    articles = Article.objects.published().for_listing().filter(pk__in=ids)
    return {article.pk: str(article_card(article)) for article in articles}


def cards_by_pk(ids) -> list[Card]:
    """The cards of the public articles ``ids`` (in any order; the list sorts them)."""
    found = memo.fragments_by_id("card", ids, build_cards)
    # Built from escaped values only (see cards.article_card).
    return [Card(pk, mark_safe(html)) for pk, html in found.items()]  # noqa: S308
