"""The full text of an article or an issue as a feed item shows it, built in Python.

A feed of fifty issues holds a few hundred articles. Built with format_html, their
facts alone took most of the feed's time; here they are plain f-strings with every value
escaped (the stored, sanitised body_html goes in as it is) and the labels translated once
per language. Links are absolute, since a feed reader shows the content away from the site.
``absolute`` turns a path into a full URL (request.build_absolute_uri). Articles need
their issue, series, source and tags loaded.
"""

from html import escape

from django.utils.translation import gettext, gettext_noop

from ..text.formatting import chinese_date, escaped_translations
from ..text.markdown import external_link

LABELS = {
    "source": gettext_noop("来源："),
    "date": gettext_noop("原文日期："),
    "original_title": gettext_noop("来源标题："),
    "link": gettext_noop("原文链接："),
    "none": gettext_noop("无"),
    "appeared_in": gettext_noop("刊于："),
    "intro": gettext_noop("本期导语："),
    "contents": gettext_noop("一、信息目录"),
    "details": gettext_noop("二、具体内容"),
}


def article_facts(article, words: dict[str, str]) -> str:
    """Source, original date, original title and the link to the original."""
    facts = []
    if article.source_id:
        facts.append(words["source"] + escape(article.source.name))
    if article.original_date:
        facts.append(words["date"] + chinese_date(article.original_date))
    html = f"<p>{' · '.join(facts)}</p>" if facts else ""
    if article.original_title:
        html += f"<p>{words['original_title']}{escape(article.original_title)}</p>"
    link = external_link(article.original_url) if article.original_url else words["none"]
    return html + f"<p>{words['link']}{link}</p>"


def article_html(article, absolute) -> str:
    """One article in full: its facts, its body and the issue it appeared in."""
    words = escaped_translations(LABELS)
    issue = article.issue
    appeared_in = (
        f'<p>{words["appeared_in"]}<a href="{escape(absolute(article.location_in_issue))}">'
        f"{escape(issue.series.name)}（{escape(issue.label)}）</a></p>"
    )
    return article_facts(article, words) + article.body_html + appeared_in


def issue_html(issue, absolute) -> str:
    """An issue laid out like the bulletin: 导语, 信息目录, then every article in full."""
    words = escaped_translations(LABELS)
    articles = issue.articles.all()
    issue_url = escape(absolute(issue.get_absolute_url()))
    parts = [f"<p>{words['intro']}{escape(issue.display_intro)}</p>"]
    if issue.period_start and issue.period_end:
        period = gettext("监测时段：%(start)s至%(end)s") % {
            "start": chinese_date(issue.period_start),
            "end": chinese_date(issue.period_end),
        }
        parts.append(f"<p>{escape(period)}</p>")
    contents = "".join(
        f'<li><a href="{issue_url}#{article.anchor}">{escape(article.title)}</a>'
        + (f"（{escape(article.source.name)}）" if article.source_id else "")
        + "</li>"
        for article in articles
    )
    parts.append(f"<h2>{words['contents']}</h2><ol>{contents}</ol><h2>{words['details']}</h2>")
    for number, article in enumerate(articles, start=1):
        parts.append(
            f'<h3>{number}. <a href="{escape(absolute(article.get_absolute_url()))}">'
            f"{escape(article.title)}</a></h3>"
        )
        parts.append(article_facts(article, words) + article.body_html)
    return "".join(parts)
