"""Filters for reading pages.

{{ article.body_html|headings_from:2 }}: an article body under the page's own headings.
{{ day|as_time }}: a date as <time>, e.g. to go inside a translated sentence.
"""

from django import template
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from ..text.markdown import with_headings_from

register = template.Library()


@register.filter
def headings_from(body_html, level):
    # body_html was rendered and sanitised on save (rendering.render_markdown); renumbering
    # heading tags adds no markup of its own.
    return mark_safe(with_headings_from(str(body_html), int(level)))  # noqa: S308


@register.filter
def as_time(day):
    """2025年8月8日 inside <time datetime="2025-08-08">, which the stylesheet keeps on one
    line: a date broken across two lines is hard to read."""
    if not day:
        return ""
    return format_html('<time datetime="{}">{}</time>', day.isoformat(), date_format(day))
