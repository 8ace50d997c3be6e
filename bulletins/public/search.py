"""/search/ and /search/feed/: full-text search for readers, and a feed per search.

Both read the article list's filters (ArticleFilterSet) from the query string, so a search
narrows by series, source, tag, year and dates exactly as /articles/ does, and both go
through engine.search() only. Nothing a reader can type makes them fail: an empty or
unreadable query shows help, invalid filters are shown and left out.
"""

import functools

from django.http import Http404
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from .. import facts
from ..models import Article
from ..search.engine import ORDERS, Filters, Search, search
from ..search.query import parse
from ..syndication import catalogue
from ..syndication.feeds import FEED_ITEMS, ArticleFeed
from . import lists
from .filters import ArticleFilterSet
from .views import ARTICLES_PER_PAGE, active_filters

FACETS = (("series", _("系列")), ("source", _("来源")), ("tag", _("标签")), ("year", _("年份")))


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
            context["popular_tags"] = facts.tags_with_counts()[:24]
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
            # Built only when the sidebar is not kept yet for this search and version.
            facets=functools.partial(self.facets, page.paginator.search),
            list_key=lists.list_key(self.request),
            active_filters=[
                item
                for item in active_filters(data.filterset, self.request.GET)
                if item["label"] != data.form.fields["q"].label  # the query has its own box
            ],
            feeds=[catalogue.for_search(data.query.display, self.request.GET)],
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


class SearchFeed(ArticleFeed):
    """The newest articles matching a search, in full, so that a reader can follow a topic.

    Unlike the other feeds it may be empty: a topic can be followed before it is written on.
    """

    def get_object(self, request):
        data = SearchRequest(request.GET)
        if not data.query:
            raise Http404("no query")
        return data

    def catalogue_entry(self, data):
        return catalogue.for_search(data.query.display, self.request.GET)

    def item_ids(self, data):
        return [pk for pk, _rank in Search(data.query, data.filters).top("date", FEED_ITEMS)]
