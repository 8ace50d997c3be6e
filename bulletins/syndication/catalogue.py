"""Every feed the archive offers: its title, what it holds and where to find it.

One place names the feeds, so the feeds themselves, the autodiscovery links, the 订阅
links, the /feeds/ page and the OPML file agree. Only public content is listed: tags and
sources appear once they have a public article (their feeds are 404 until then).
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext

from .. import facts
from ..permalinks import permalink


@dataclass(frozen=True)
class FeedLink:
    title: str  # what the feed holds, e.g. 标签「医保」的文章
    description: str
    rss_url: str
    atom_url: str
    page_url: str  # the page that shows the same content

    @property
    def full_title(self) -> str:
        """The title feed readers show: what it holds — the site's name."""
        return f"{self.title} — {settings.SITE_NAME}"


@dataclass(frozen=True)
class FeedGroup:
    name: str
    feeds: list


def _link(title, description, name, page_url, **kwargs) -> FeedLink:
    return FeedLink(
        title=title,
        description=description,
        rss_url=permalink(f"bulletins:{name}", kwargs),
        atom_url=permalink(f"bulletins:{name}-atom", kwargs),
        page_url=page_url,
    )


def all_issues() -> FeedLink:
    return _link(
        gettext("全部简报"),
        gettext("周报和月报的每一期：导语、信息目录和每篇文章的全文。"),
        "issues-feed",
        permalink("bulletins:issue-archive", {}),
    )


def all_articles() -> FeedLink:
    return _link(
        gettext("全部文章"),
        gettext("各期简报转载的每一篇文章：全文、来源和原文链接。"),
        "articles-feed",
        permalink("bulletins:article-list", {}),
    )


def for_series(series) -> FeedLink:
    return _link(
        series.name,
        gettext("《%(name)s》的每一期：导语、信息目录和每篇文章的全文。") % {"name": series.name},
        "series-feed",
        series.get_absolute_url(),
        series=series.slug,
    )


def for_tag(tag) -> FeedLink:
    return _link(
        gettext("标签「%(name)s」的文章") % {"name": tag.name},
        gettext("标注为「%(name)s」的每一篇文章：全文、来源和原文链接。") % {"name": tag.name},
        "tag-feed",
        tag.get_absolute_url(),
        slug=tag.slug,
    )


def for_search(query_text: str, params) -> FeedLink:
    """A search's own feed; ``params`` the search's query string (QueryDict), whose page
    and sort are left out: the feed holds the newest matches."""
    params = params.copy()
    for name in ("page", "sort"):
        params.pop(name, None)
    suffix = "?" + params.urlencode()
    return FeedLink(
        title=gettext("含有“%(query)s”的文章") % {"query": query_text},
        description=gettext("含有“%(query)s”的最新文章：全文、来源和原文链接。")
        % {"query": query_text},
        rss_url=permalink("bulletins:search-feed", {}) + suffix,
        atom_url=permalink("bulletins:search-feed-atom", {}) + suffix,
        page_url=permalink("bulletins:search", {}) + suffix,
    )


def for_source(source) -> FeedLink:
    return _link(
        gettext("来源「%(name)s」的文章") % {"name": source.name},
        gettext("转载自%(name)s的每一篇文章：全文和原文链接。") % {"name": source.name},
        "source-feed",
        source.get_absolute_url(),
        slug=source.slug,
    )


def subject_groups() -> list[FeedGroup]:
    """The narrower feeds: each series, and each tag and source with public articles."""
    return [
        FeedGroup(gettext("系列"), [for_series(s) for s in facts.series_list()]),
        FeedGroup(gettext("标签"), [for_tag(t) for t in facts.tags_with_counts()]),
        FeedGroup(gettext("来源"), [for_source(s) for s in facts.sources_with_counts()]),
    ]


def catalogue() -> list[FeedGroup]:
    """Every feed, the whole archive's first."""
    return [FeedGroup(gettext("全站"), [all_issues(), all_articles()]), *subject_groups()]
