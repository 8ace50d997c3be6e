"""/search/ and /search/feed/: full-text search for readers, and a feed per search.

Both read the article list's filters (ArticleFilterSet) from the query string, so a search
narrows by series, source, tag, year and dates exactly as /articles/ does, and both go
through engine.search() only. Nothing a reader can type makes them fail: an empty or
unreadable query shows help, invalid filters are shown and left out.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Rss201rev2Feed
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from .. import derived
from ..filters import ArticleFilterSet
from ..models import Article
from ..views import ARTICLES_PER_PAGE, active_filters
from .engine import ORDERS, Filters, Search, search
from .query import parse

FACETS = (("series", _("系列")), ("source", _("来源")), ("tag", _("标签")), ("year", _("年份")))
FEED_ITEMS = 30


class SearchRequest:
    """A search as the query string asks for it: the query, the filters and the order."""

    def __init__(self, params):
        self.params = params
        self.text = params.get("q", "")
        self.query = parse(self.text)
        self.filterset = ArticleFilterSet(params, queryset=Article.objects.none())
        self.form = self.filterset.form
        # Valid filters apply, invalid ones are reported on the page and left out.
        self.form.is_valid()
        self.filters = Filters.from_form(self.form.cleaned_data)
        sort = params.get("sort", "")
        self.order = sort if sort in ORDERS else "relevance"


class SearchView(TemplateView):
    template_name = "bulletins/search.html"

    @cached_property
    def request_data(self) -> SearchRequest:
        return SearchRequest(self.request.GET)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        data = self.request_data
        context.update(
            q=data.text,
            query=data.query,
            form=data.form,
            order=data.order,
            kept_filters=self.kept_filters(),
        )
        if not data.query:
            context["popular_tags"] = derived.tags_with_counts()[:24]
            return context
        page = search(
            data.query,
            filters=data.filters,
            order=data.order,
            page=self.request.GET.get("page"),
            per_page=ARTICLES_PER_PAGE,
        )
        context.update(
            page_obj=page,
            hits=page.object_list,
            count=page.paginator.count,
            facets=self.facets(page.paginator.search),
            active_filters=[
                item
                for item in active_filters(data.filterset, self.request.GET)
                if item["label"] != data.form.fields["q"].label  # the query has its own box
            ],
            feed_url=reverse("bulletins:search-feed") + "?" + self.feed_query(),
        )
        return context

    def kept_filters(self) -> list[tuple[str, str]]:
        """(name, value) of the filters a new query from this page keeps (hidden fields)."""
        return [
            (name, value)
            for name, values in self.request.GET.lists()
            if name not in ("q", "page")
            for value in values
        ]

    def facets(self, found: Search) -> list[dict]:
        """Each facet with its values, each with a link that narrows to it (or, when it is
        chosen already, drops it)."""
        facets = []
        for name, label in FACETS:
            values = []
            for value in found.facets.get(name, []):
                params = self.request.GET.copy()
                params.pop("page", None)
                if value.selected:
                    params.setlist(name, [v for v in params.getlist(name) if v != value.value])
                else:
                    params.setlist(name, [value.value])
                values.append(
                    {
                        "label": value.label,
                        "count": value.count,
                        "selected": value.selected,
                        "url": "?" + params.urlencode(),
                    }
                )
            if values:
                facets.append({"name": name, "label": label, "values": values})
        return facets

    def feed_query(self) -> str:
        params = self.request.GET.copy()
        for name in ("page", "sort"):
            params.pop(name, None)
        return params.urlencode()


class SearchFeed(Feed):
    """The newest articles matching a search, so that a reader can follow a topic."""

    feed_type = Rss201rev2Feed

    def get_object(self, request):
        data = SearchRequest(request.GET)
        if not data.query:
            raise Http404("no query")
        data.site_name = settings.SITE_NAME
        data.page_url = reverse("bulletins:search") + "?" + request.GET.urlencode()
        return data

    def title(self, data):
        return gettext("“%(query)s”的检索结果 · %(site)s") % {
            "query": data.query.display,
            "site": data.site_name,
        }

    def link(self, data):
        return data.page_url

    def description(self, data):
        return gettext("%(site)s中含有“%(query)s”的最新文章。") % {
            "site": data.site_name,
            "query": data.query.display,
        }

    def items(self, data):
        found = Search(data.query, data.filters)
        return found.hits(found.top("date", FEED_ITEMS))

    def item_title(self, hit):
        return hit.article.title

    def item_description(self, hit):
        article = hit.article
        source = f"{escape(article.source.name)} · " if article.source_id else ""
        issue = article.issue
        return (
            f"<p>{source}{escape(issue.series.short_name)}{escape(issue.label)}</p>"
            f"<p>{hit.snippet_html}</p>"
        )

    def item_link(self, hit):
        return hit.article.get_absolute_url()

    def item_guid(self, hit):
        return hit.article.get_absolute_url()

    def item_pubdate(self, hit):
        return hit.article.issue.published_at

    def item_categories(self, hit):
        return [tag.name for tag in hit.article.tags.all()]
