"""RSS 2.0 and Atom 1.0 feeds: all issues, all articles, and per series, tag and source.

Every feed starts from ``.published()``, carries its newest items in full text (fifty
articles, or twelve issues: about as much text, an issue holding some four articles).
Titles and descriptions come from catalogue.py, shared with the pages that link here.

Nothing about an item changes within a content version, so a feed asks only for the ids
of its items and takes each item's XML from the fragment cache; the items missing are
loaded (with issue, series, source and tags, in a few queries), built through Django's
syndication framework (their HTML made in items.py) and kept for the next request.
"""

import copy
import io

from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.http import Http404
from django.utils import feedgenerator, timezone
from django.utils.html import escape
from django.utils.xmlutils import SimplerXMLGenerator

from .. import facts, permalinks
from ..caching import memo
from ..models import PUBLISHER, Article, Issue, Series, SlugRedirect, Source, Tag
from ..text.cleaning import clean_text
from ..text.markdown import is_web_url
from . import catalogue
from .items import article_html, issue_html

FEED_ITEMS = 50
FEED_ISSUES = 12


def web_url_or_empty(url: str) -> str:
    return url.strip() if is_web_url(url) else ""


def writable(value):
    """``value`` (a feed's or an item's data) with every text in it fit for XML 1.0.

    Stored text is clean already (models.py); this keeps a feed answering whatever reached
    the database another way, where the XML writer would raise on a control character.
    """
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {key: writable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(writable(item) for item in value)
    return value


class DatedByTheArchive:
    """A feed with no items (a search that finds nothing yet) is dated by the archive's
    newest issue, not by the moment it is built: the same content, the same bytes."""

    def latest_post_date(self):
        if self.items:
            return super().latest_post_date()
        return facts.latest_publication_time() or super().latest_post_date()


class PrerenderedItems:
    """Items written as XML made beforehand (prerendered()), and the feed in one piece.

    The XML writer adds every tag and text as a chunk of its own, thousands of them; into
    a string buffer, they cost little, and the response gets one chunk.
    """

    item_element = "item"

    def prerendered(self, item) -> dict:
        """What the feed keeps of an item: its dates (for the feed's own) and its XML."""
        item = writable(item)
        xml = io.StringIO()
        handler = SimplerXMLGenerator(xml, "utf-8", short_empty_elements=True)
        handler.startElement(self.item_element, self.item_attributes(item))
        self.add_item_elements(handler, item)
        handler.endElement(self.item_element)
        dates = {"pubdate": item["pubdate"], "updateddate": item["updateddate"]}
        return {**dates, "xml": xml.getvalue()}

    def write_items(self, handler):
        for item in self.items:
            handler.ignorableWhitespace(item["xml"])  # written as it is: already XML

    def write(self, outfile, encoding):
        self.feed = writable(self.feed)
        whole = io.StringIO()
        super().write(whole, encoding)
        outfile.write(whole.getvalue())


class RssWithContent(PrerenderedItems, DatedByTheArchive, feedgenerator.Rss201rev2Feed):
    """RSS 2.0 with the full text in <content:encoded>; <description> holds the summary."""

    def rss_attributes(self):
        content = "http://purl.org/rss/1.0/modules/content/"
        return {**super().rss_attributes(), "xmlns:content": content}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content:encoded", item["content_html"])


class AtomWithContent(PrerenderedItems, DatedByTheArchive, feedgenerator.Atom1Feed):
    """Atom 1.0 with the full text in <content> and the original as a related link."""

    item_element = "entry"

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content", item["content_html"], {"type": "html"})
        if item["original_url"]:
            handler.addQuickElement("link", "", {"rel": "related", "href": item["original_url"]})


class BulletinFeed(Feed):
    """What all our feeds share; subclasses say which items and which catalogue entry."""

    feed_type = RssWithContent
    language = "zh-CN"
    item_guid_is_permalink = True

    def __init__(self, *, atom=False):
        if atom:
            self.feed_type = AtomWithContent

    def __call__(self, request, *args, **kwargs):
        # One instance serves every request (and thread): give each request its own copy.
        feed = copy.copy(self)
        feed.request = request
        return Feed.__call__(feed, request, *args, **kwargs)

    def get_feed(self, obj, request):
        """The feed with its items' XML from the fragment cache, building those absent."""
        place = (self.feed_type.__name__, request.scheme, request.get_host())
        items = memo.fragments_by_id(
            f"feed-{self.item_kind}:" + ":".join(place),
            self.item_ids(obj),
            lambda missing: self.build_items(obj, request, missing),
        )
        self.to_build = []
        feed = super().get_feed(obj, request)
        feed.items = list(items.values())
        return feed

    def build_items(self, obj, request, ids) -> dict:
        self.to_build = self.load(ids)
        feed = super().get_feed(obj, request)
        return {
            built.pk: feed.prerendered(item)
            for built, item in zip(self.to_build, feed.items, strict=True)
        }

    def items(self, obj):
        return self.to_build  # see get_feed()

    def item_ids(self, obj) -> list[int]:
        """The ids of the feed's items, newest first."""
        raise NotImplementedError

    def load(self, ids) -> list:
        """The public items ``ids``, with what their content needs."""
        raise NotImplementedError

    def catalogue_entry(self, obj) -> catalogue.FeedLink:
        raise NotImplementedError

    def title(self, obj):
        return self.catalogue_entry(obj).full_title

    def description(self, obj):
        # RSS readers take the channel's description as HTML, Atom's subtitle as text.
        description = self.catalogue_entry(obj).description
        return description if self.feed_type is AtomWithContent else escape(description)

    subtitle = description  # Atom's name for it

    def link(self, obj):
        return self.catalogue_entry(obj).page_url

    def author_name(self, obj):
        return getattr(obj, "publisher", PUBLISHER)  # a series' own, or the centre

    def absolute(self, path: str) -> str:
        return self.request.build_absolute_uri(path)

    def item_title(self, item):
        # RSS readers take titles as HTML, Atom readers (type="text") as text.
        return item.title if self.feed_type is AtomWithContent else escape(item.title)

    def item_extra_kwargs(self, item):
        return {
            "content_html": self.item_content(item),
            "original_url": web_url_or_empty(getattr(item, "original_url", "")),
        }


class IssueFeed(BulletinFeed):
    """One item per issue: the 导语, the table of contents and every article in full."""

    item_kind = "issue"

    def issues(self):
        return Issue.objects.published().newest_first().values_list("pk", flat=True)

    def load(self, ids):
        articles = Article.objects.select_related("source").prefetch_related("tags")
        return list(
            Issue.objects.published()
            .filter(pk__in=ids)
            .select_related("series")
            .prefetch_related(Prefetch("articles", queryset=articles))
        )

    def item_description(self, issue):
        return escape(issue.meta_description)

    def item_content(self, issue):
        return issue_html(issue, self.absolute)

    def item_author_name(self, issue):
        return issue.series.publisher

    def item_pubdate(self, issue):
        return issue.publication_time

    def item_updateddate(self, issue):
        changes = [issue.updated_at, *(article.updated_at for article in issue.articles.all())]
        return max(issue.publication_time, timezone.localtime(max(changes)))

    def item_categories(self, issue):
        names = (tag.name for article in issue.articles.all() for tag in article.tags.all())
        return list(dict.fromkeys(names))


class IssuesFeed(IssueFeed):
    def catalogue_entry(self, obj):
        return catalogue.all_issues()

    def item_ids(self, obj):
        return list(self.issues()[:FEED_ISSUES])


class SeriesFeed(IssueFeed):
    def get_object(self, request, series):
        for candidate in facts.series_list():  # kept per content version: no query
            if candidate.slug == series:
                return candidate
        raise Series.DoesNotExist(series)

    def catalogue_entry(self, series):
        return catalogue.for_series(series)

    def item_ids(self, series):
        return list(self.issues().filter(series=series)[:FEED_ISSUES])


class ArticleFeed(BulletinFeed):
    """One item per article, in full, with its source as author and its tags."""

    item_kind = "article"

    def articles(self):
        return Article.objects.published().newest_first().values_list("pk", flat=True)

    def load(self, ids):
        return list(Article.objects.published().for_listing().filter(pk__in=ids))

    def item_description(self, article):
        return escape(article.meta_description)

    def item_content(self, article):
        return article_html(article, self.absolute)

    def item_author_name(self, article):
        return article.source.name if article.source_id else None

    def item_pubdate(self, article):
        return article.issue.publication_time

    def item_updateddate(self, article):
        latest = max(article.updated_at, article.issue.updated_at)
        return max(article.issue.publication_time, timezone.localtime(latest))

    def item_categories(self, article):
        return [tag.name for tag in article.tags.all()]


class ArticlesFeed(ArticleFeed):
    def catalogue_entry(self, obj):
        return catalogue.all_articles()

    def item_ids(self, obj):
        return list(self.articles()[:FEED_ITEMS])


class ArticlesOfFeed(ArticleFeed):
    """One tag's or one source's articles; 404 while it has no public article.

    A slug it had before a rename or merge answers 301 to its feed under the current one.
    """

    model = None

    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except Http404:
            moved = SlugRedirect.objects.target(self.model, kwargs["slug"])
            return permalinks.moved_permanently(request, moved, url_of=self.feed_url)

    def feed_url(self, subject) -> str:
        entry = self.catalogue_entry(subject)
        return entry.atom_url if self.feed_type is AtomWithContent else entry.rss_url

    def get_object(self, request, slug):
        return self.model.objects.get(slug=slug)

    def item_ids(self, subject):
        ids = list(self.articles_of(subject)[:FEED_ITEMS])
        if not ids:
            raise Http404("no public articles")
        return ids


class TagFeed(ArticlesOfFeed):
    model = Tag

    def catalogue_entry(self, tag):
        return catalogue.for_tag(tag)

    def articles_of(self, tag):
        return self.articles().filter(tags=tag)


class SourceFeed(ArticlesOfFeed):
    model = Source

    def catalogue_entry(self, source):
        return catalogue.for_source(source)

    def articles_of(self, source):
        return self.articles().filter(source=source)
