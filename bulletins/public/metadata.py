"""What a page tells search engines and link previews: canonical URL, OpenGraph, Twitter
card and schema.org JSON-LD (NewsArticle for an article, PublicationIssue for an issue).

Built in Python, every value escaped; JSON-LD goes through json_ld() so that no title can
close its <script> element. Only public content is described: preview pages get none.
"""

import json
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from ..models import PUBLISHER
from ..permalinks import permalink
from ..text.markdown import is_web_url

LANGUAGE = "zh-CN"
SCHEMA = "https://schema.org"
# In a <script> data block "</script>" or "<!--" would end or derail the element; JSON
# allows these characters escaped anywhere, so escape them all.
_JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def site_description() -> str:
    return gettext(
        "北京市卫生健康大数据与政策研究中心编发的卫生信息化舆情监测周报、月报的在线档案。"
    )


@dataclass
class PageMeta:
    title: str
    description: str
    url: str  # canonical, absolute
    kind: str = "website"  # og:type
    json_ld: dict | None = None
    article_properties: list = field(default_factory=list)  # (og property, value)


def json_ld(data: dict) -> SafeString:
    """A <script type="application/ld+json"> data block (no code: allowed by the CSP)."""
    text = json.dumps(data, ensure_ascii=False).translate(_JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


def render(meta: PageMeta) -> SafeString:
    properties = [
        ("og:site_name", settings.SITE_NAME),
        ("og:locale", LANGUAGE.replace("-", "_")),
        ("og:type", meta.kind),
        ("og:title", meta.title),
        ("og:description", meta.description),
        ("og:url", meta.url),
        *meta.article_properties,
    ]
    names = [
        ("twitter:card", "summary"),
        ("twitter:title", meta.title),
        ("twitter:description", meta.description),
    ]
    html = format_html('<link rel="canonical" href="{}">\n', meta.url)
    html += format_html_join("", '<meta property="{}" content="{}">\n', properties)
    html += format_html_join("", '<meta name="{}" content="{}">\n', names)
    if meta.json_ld:
        html += json_ld(meta.json_ld)
    return html


def canonical_url(request, view=None, page_obj=None) -> str:
    """The page's own URL without what does not choose its content.

    Tracking parameters, preview tokens and empty or unknown parameters go; the view
    names the ones that matter (``canonical_params``); ?page= is the page shown, not
    the page asked for (an out-of-range page shows the last one), and page 1 has none.
    """
    query = [
        (name, value)
        for name in sorted(getattr(view, "canonical_params", ()))
        for value in request.GET.getlist(name)
        if value
    ]
    if page_obj is not None and page_obj.number > 1:
        query.append(("page", page_obj.number))
    path = request.path + (f"?{urlencode(query)}" if query else "")
    return request.build_absolute_uri(path)


def organization(name: str, url: str = "") -> dict:
    data = {"@type": "Organization", "name": name}
    if is_web_url(url):
        data["url"] = url.strip()
    return data


def website(request) -> dict:
    return {
        "@type": "WebSite",
        "name": settings.SITE_NAME,
        "url": request.build_absolute_uri(permalink("bulletins:home", {})),
        "inLanguage": LANGUAGE,
        "publisher": organization(PUBLISHER),
    }


def for_page(request, *, title="", description="", view=None, page_obj=None) -> PageMeta:
    """Home and list pages: the site itself, or a collection page within it."""
    url = canonical_url(request, view, page_obj)
    title = title or settings.SITE_NAME
    description = description or site_description()
    if request.path == permalink("bulletins:home", {}):
        data = {"@context": SCHEMA, **website(request), "description": description}
    else:
        data = {
            "@context": SCHEMA,
            "@type": "CollectionPage",
            "name": title,
            "description": description,
            "url": url,
            "inLanguage": LANGUAGE,
            "isPartOf": website(request),
        }
    return PageMeta(title=title, description=description, url=url, json_ld=data)


def periodical(request, series) -> dict:
    return {
        "@type": "Periodical",
        "name": series.name,
        "url": request.build_absolute_uri(series.get_absolute_url()),
        "publisher": organization(series.publisher),
    }


def publication_issue(request, issue) -> dict:
    return {
        "@type": "PublicationIssue",
        "issueNumber": str(issue.number),
        "name": issue.title,
        "datePublished": issue.publication_date.isoformat(),
        "url": request.build_absolute_uri(issue.get_absolute_url()),
        "isPartOf": periodical(request, issue.series),
    }


def for_issue(request, issue) -> PageMeta:
    """An issue: a PublicationIssue of its series, listing its articles as parts."""
    url = request.build_absolute_uri(issue.get_absolute_url())
    data = {
        "@context": SCHEMA,
        **publication_issue(request, issue),
        "description": issue.display_intro,
        "inLanguage": LANGUAGE,
        "hasPart": [
            {
                "@type": "NewsArticle",
                "headline": article.title,
                "url": request.build_absolute_uri(article.get_absolute_url()),
            }
            for article in issue.articles.all()
        ],
    }
    published = issue.publication_time.isoformat()
    return PageMeta(
        title=issue.title,
        description=issue.meta_description,
        url=url,
        kind="article",
        json_ld=data,
        article_properties=[
            ("article:published_time", published),
            ("article:section", issue.series.name),
        ],
    )


def for_article(request, article) -> PageMeta:
    """An article: a NewsArticle based on its original, part of its issue."""
    issue = article.issue
    url = request.build_absolute_uri(article.get_absolute_url())
    published = issue.publication_time.isoformat()
    tags = [tag.name for tag in article.tags.all()]
    data = {
        "@context": SCHEMA,
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.meta_description,
        "url": url,
        "mainEntityOfPage": url,
        "datePublished": published,
        "inLanguage": LANGUAGE,
        "publisher": organization(issue.series.publisher),
        "isPartOf": publication_issue(request, issue),
    }
    if article.original_title:
        data["alternativeHeadline"] = article.original_title
    if is_web_url(article.original_url):
        data["isBasedOn"] = article.original_url.strip()
    if article.source_id:
        data["author"] = organization(article.source.name, article.source.homepage)
    if tags:
        data["keywords"] = tags
    return PageMeta(
        title=article.title,
        description=article.meta_description,
        url=url,
        kind="article",
        json_ld=data,
        article_properties=[
            ("article:published_time", published),
            ("article:section", issue.series.name),
            *(("article:tag", name) for name in tags),
        ],
    )
