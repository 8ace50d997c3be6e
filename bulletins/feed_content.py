"""The full text of an article or an issue as a feed item shows it, built in Python.

A feed of fifty issues holds some three hundred articles; building their HTML here with
format_html (every value escaped, the stored sanitised body_html as it is) costs a small
part of what a template per item would. Links are absolute, since a feed reader shows
the content away from the site. ``absolute`` turns a path into a full URL
(request.build_absolute_uri). Articles need their issue, series, source and tags loaded.
"""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from .formatting import chinese_date
from .rendering import external_link


def _original_link(article) -> SafeString:
    if article.original_url:
        return format_html("{}{}", gettext("原文链接："), external_link(article.original_url))
    return format_html("{}{}", gettext("原文链接："), gettext("无"))


def article_facts(article) -> SafeString:
    """Source, original date, original title and the link to the original."""
    facts = []
    if article.source_id:
        facts.append(format_html("{}{}", gettext("来源："), article.source.name))
    if article.original_date:
        facts.append(
            format_html("{}{}", gettext("原文日期："), chinese_date(article.original_date))
        )
    html = format_html("<p>{}</p>", mark_safe(" · ".join(facts))) if facts else ""
    if article.original_title:
        html += format_html("<p>{}{}</p>", gettext("来源标题："), article.original_title)
    return mark_safe(html + format_html("<p>{}</p>", _original_link(article)))


def article_html(article, absolute) -> str:
    """One article in full: its facts, its body and the issue it appeared in."""
    issue = article.issue
    appeared_in = format_html(
        '<p>{}<a href="{}">{}</a></p>',
        gettext("刊于："),
        absolute(article.location_in_issue),
        f"{issue.series.name}（{issue.label}）",
    )
    return article_facts(article) + mark_safe(article.body_html) + appeared_in


def issue_html(issue, absolute) -> str:
    """An issue laid out like the bulletin: 导语, 信息目录, then every article in full."""
    articles = issue.articles.all()
    issue_url = absolute(issue.get_absolute_url())
    html = format_html("<p>{}{}</p>", gettext("本期导语："), issue.display_intro)
    if issue.period_start and issue.period_end:
        html += format_html(
            "<p>{}</p>",
            gettext("监测时段：%(start)s至%(end)s")
            % {"start": chinese_date(issue.period_start), "end": chinese_date(issue.period_end)},
        )
    html += format_html("<h2>{}</h2>", gettext("一、信息目录"))
    html += format_html(
        "<ol>{}</ol>",
        format_html_join(
            "",
            '<li><a href="{}#{}">{}</a>{}</li>',
            (
                (
                    issue_url,
                    article.anchor,
                    article.title,
                    f"（{article.source.name}）" if article.source_id else "",
                )
                for article in articles
            ),
        ),
    )
    html += format_html("<h2>{}</h2>", gettext("二、具体内容"))
    for number, article in enumerate(articles, start=1):
        html += format_html(
            '<h3>{}. <a href="{}">{}</a></h3>',
            number,
            absolute(article.get_absolute_url()),
            article.title,
        )
        html += article_facts(article) + mark_safe(article.body_html)
    return html
