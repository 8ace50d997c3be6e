"""{% article_card article %} and {% article_fields article %}, built in Python.

A list page shows twenty cards and an issue page a field list per article. Through a
template include each cost some 0.15 ms of variable lookups, filters and translations,
more than all of the page's queries; built here with plain string formatting (every value
escaped), twenty cost a fraction of one. The article needs its issue, series, source and
tags loaded, as Article.objects.for_listing() does.
"""

from html import escape

from django import template
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_noop

from ..text.formatting import escaped_translations
from ..text.markdown import external_link

register = template.Library()


LABELS = {
    "tags": gettext_noop("标签"),
    "source": gettext_noop("来源"),
    "date": gettext_noop("日期"),
    "original_title": gettext_noop("来源标题"),
    "link": gettext_noop("链接"),
    "none": gettext_noop("无"),
}


@register.simple_tag
def article_card(article):
    issue = article.issue
    meta = ""
    if article.source_id:
        source = article.source
        meta += f'<a href="{escape(source.get_absolute_url())}">{escape(source.name)}</a> · '
    if article.original_date:
        day = article.original_date
        meta += f'<time datetime="{day.isoformat()}">{escape(date_format(day))}</time> · '
    meta += (
        f'<a href="{escape(issue.get_absolute_url())}">'
        f"{escape(issue.series.short_name)}{escape(issue.label)}</a>"
    )
    html = (
        '<article class="card">\n'
        f'  <h2 class="card__title"><a href="{escape(article.get_absolute_url())}">'
        f"{escape(article.title)}</a></h2>\n"
        f'  <p class="card__meta">{meta}</p>\n'
    )
    if article.summary:
        html += f'  <p class="card__summary">{escape(article.summary)}</p>\n'
    tags = article.tags.all()
    if tags:
        items = "".join(
            f'<li><a href="{escape(tag.get_absolute_url())}">{escape(tag.name)}</a></li>'
            for tag in tags
        )
        label = escaped_translations(LABELS)["tags"]
        html += f'  <ul class="tag-list" aria-label="{label}">{items}</ul>\n'
    return mark_safe(html + "</article>")  # noqa: S308 - every value above is escaped


@register.simple_tag
def article_fields(article):
    """Source, date, original title, link and tags of an article, as a <dl>."""
    words = escaped_translations(LABELS)
    rows = []
    if article.source_id:
        source = article.source
        rows.append(
            (
                words["source"],
                f'<a href="{escape(source.get_absolute_url())}">{escape(source.name)}</a>',
            )
        )
    if article.original_date:
        day = article.original_date
        rows.append(
            (
                words["date"],
                f'<time datetime="{day.isoformat()}">{escape(date_format(day))}</time>',
            )
        )
    if article.original_title:
        rows.append((words["original_title"], escape(article.original_title)))
    if article.original_url:
        link = external_link(article.original_url, css_class="original-link")
    else:
        link = f'<span class="muted">{words["none"]}</span>'
    rows.append((words["link"], link))
    tags = article.tags.all()
    if tags:
        items = "".join(
            f'<li><a href="{escape(tag.get_absolute_url())}">{escape(tag.name)}</a></li>'
            for tag in tags
        )
        rows.append((words["tags"], f'<ul class="tag-list">{items}</ul>'))
    body = "".join(f"<div><dt>{term}</dt><dd>{value}</dd></div>" for term, value in rows)
    return mark_safe(f'<dl class="article-fields">{body}</dl>')  # noqa: S308 - escaped above
