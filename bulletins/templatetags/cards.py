"""{% article_card article %} and {% article_fields article %}: built in public/cards.py."""

from django import template

from ..public import cards

register = template.Library()
register.simple_tag(cards.article_card, name="article_card")
register.simple_tag(cards.article_fields, name="article_fields")
