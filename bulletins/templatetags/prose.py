"""{{ article.body_html|headings_from:2 }}: an article body under the page's own headings."""

from django import template
from django.utils.safestring import mark_safe

from ..rendering import with_headings_from

register = template.Library()


@register.filter
def headings_from(body_html, level):
    # body_html was rendered and sanitised on save (rendering.render_markdown); renumbering
    # heading tags adds no markup of its own.
    return mark_safe(with_headings_from(str(body_html), int(level)))  # noqa: S308
