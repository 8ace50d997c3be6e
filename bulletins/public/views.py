"""Public pages. Every queryset here starts from ``.published()``."""

import hashlib

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.functional import cached_property
from django.views.generic import DetailView, ListView, TemplateView
from django_filters.views import FilterView

from .. import facts, permalinks, preview
from ..caching import memo
from ..editorial import history
from ..models import Article, Issue, Series, SlugRedirect, Source, Tag
from ..syndication import catalogue
from ..text.formatting import chinese_date
from . import cards, lists
from .citations import citations_for
from .filters import ArticleFilterSet

ARTICLES_PER_PAGE = 20
ISSUES_PER_PAGE = 40


class LenientPaginationMixin:
    """Out-of-range or malformed ?page= shows the nearest page instead of an error.

    Order and count are kept per content version, so deep pages cost what page 1 costs.
    """

    page_rows = None  # ids -> what the page shows of those objects (see lists.py)

    def get_paginator(self, queryset, per_page, **kwargs):
        key = lists.list_key(self.request)
        return lists.VersionedPaginator(queryset, per_page, key=key, rows=self.page_rows, **kwargs)

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()


def public_issues():
    return Issue.objects.published().select_related("series")


def issue_with_articles():
    """Prefetch an issue's articles in order, each with its source and tags."""
    return Prefetch(
        "articles",
        queryset=Article.objects.select_related("source").prefetch_related("tags"),
    )


class FeedLinksMixin:
    """A page with a feed of the same content names it: autodiscovery and a 订阅 link."""

    def get_feeds(self) -> list:
        return []

    def get_context_data(self, **kwargs):
        return super().get_context_data(feeds=self.get_feeds(), **kwargs)


class HomeView(FeedLinksMixin, TemplateView):
    template_name = "bulletins/home.html"

    def get_feeds(self):
        return [catalogue.all_issues(), catalogue.all_articles()]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The page is the same for every reader within a content version: it is rendered
        # once and kept (see the template), and these are read only when it is not.
        context["latest_issues"] = self.latest_issues
        context["recent_issues"] = public_issues().with_article_count().newest_first()[:10]
        return context

    def latest_issues(self) -> list:
        latest_ids = facts.latest_issue_ids()
        latest = public_issues().filter(pk__in=latest_ids)
        articles = Prefetch("articles", queryset=Article.objects.select_related("source"))
        by_pk = {issue.pk: issue for issue in latest.prefetch_related(articles)}
        return [by_pk[pk] for pk in latest_ids if pk in by_pk]


class IssueArchiveView(FeedLinksMixin, LenientPaginationMixin, ListView):
    """All public issues, newest first, grouped by year; ?year= narrows to one year."""

    template_name = "bulletins/issue_archive.html"
    paginate_by = ISSUES_PER_PAGE
    canonical_params = ("year",)
    series = None

    def get_feeds(self):
        if self.series:
            return [catalogue.for_series(self.series)]
        return [catalogue.all_issues()]

    def get_base_queryset(self):
        return public_issues()

    def get_queryset(self):
        issues = self.get_base_queryset().with_article_count().newest_first()
        if self.selected_year:
            issues = issues.filter(publication_date__year=self.selected_year)
        return issues

    @cached_property
    def selected_year(self):
        value = self.request.GET.get("year", "")
        return int(value) if value.isdigit() and len(value) == 4 else None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        years = facts.issue_years(self.series.pk if self.series else None)
        context.update(series=self.series, years=years, selected_year=self.selected_year)
        return context


class SeriesArchiveView(IssueArchiveView):
    def get(self, request, *args, **kwargs):
        self.series = get_object_or_404(Series, slug=kwargs["series"])
        return super().get(request, *args, **kwargs)

    def get_base_queryset(self):
        return public_issues().filter(series=self.series)


class PreviewMixin:
    """Public content for everyone; unpublished content only as a marked preview."""

    preview = False

    def get_object(self, queryset=None):
        obj = self.public_object()
        if obj is None:
            obj = preview.previewable(
                self.request, self.get_preview_queryset(), self.issue_of, **self.lookup_kwargs()
            )
            self.preview = True
        return obj

    def lookup(self, queryset):
        return get_object_or_404(queryset, **self.lookup_kwargs())

    def public_object(self):
        """The object if the public may see it, else None.

        Nothing about public content changes within a content version: each process keeps
        the objects it has read (with what get_queryset() loads along) for the version.
        """
        # Hashed: the URL's parts may be any text, of any length (a safe, short cache key).
        identity = hashlib.sha256(repr(sorted(self.kwargs.items())).encode()).hexdigest()[:32]
        found = memo.fragments_by_id(type(self).__name__, [identity], self.lookup_public)
        return found.get(identity)

    def lookup_public(self, identities) -> dict:
        try:
            return {identities[0]: self.lookup(self.get_queryset())}
        except Http404:
            return {}

    def get_context_data(self, **kwargs):
        return super().get_context_data(preview=self.preview, **kwargs)

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        return preview.mark_as_preview(response) if self.preview else response


class IssueDetailView(PreviewMixin, DetailView):
    template_name = "bulletins/issue_detail.html"
    context_object_name = "issue"

    def get_queryset(self):
        return public_issues().prefetch_related(issue_with_articles())

    def get_preview_queryset(self):
        return Issue.objects.select_related("series").prefetch_related(issue_with_articles())

    def lookup_kwargs(self) -> dict:
        return {"series__slug": self.kwargs["series"], "number": self.kwargs["number"]}

    def issue_of(self, issue):
        return issue

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["previous_issue"], context["next_issue"] = facts.issue_neighbours(self.object)
        context.update(citations_for(self.request, self.object))
        return context


class ArticleListView(FeedLinksMixin, LenientPaginationMixin, FilterView):
    """Every public article, filtered by series, source, tags, year, dates and text."""

    filterset_class = ArticleFilterSet
    template_name = "bulletins/article_filter.html"
    paginate_by = ARTICLES_PER_PAGE
    page_rows = staticmethod(cards.cards_by_pk)
    canonical_params = ("q", "series", "source", "tag", "year", "date_after", "date_before")

    def get_feeds(self):
        return [catalogue.all_articles()]

    def get_queryset(self):
        return Article.objects.published().for_listing().newest_first()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["active_filters"] = active_filters(self.filterset, self.request.GET)
        # The form's fields depend on the query (the page aside), the filter choices and
        # the language: the template keeps them per list and content version.
        context["list_key"] = lists.list_key(self.request)
        return context


def active_filters(filterset, query):
    """The filters in force, each with a link that drops it, for the results header."""
    form = filterset.form
    if not form.is_valid():
        return []
    items = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if value in (None, "", []):
            continue
        if name == "date":  # a slice of datetimes at the start and end of the days
            ends = (value.start, value.stop)
            shown = " – ".join(chinese_date(end.date()) if end else "…" for end in ends)
            keys = ["date_after", "date_before"]
        elif isinstance(value, list):  # tags: slugs, shown by name
            names = dict(field.choices)
            shown = "、".join(str(names.get(slug, slug)) for slug in value)
            keys = [name]
        elif hasattr(field, "choices"):  # series, source, year: shown by label
            shown = dict(field.choices).get(value, value)
            keys = [name]
        else:
            shown = str(value)
            keys = [name]
        remaining = query.copy()
        for key in keys + ["page"]:
            remaining.pop(key, None)
        items.append(
            {"label": field.label, "value": shown, "remove_url": "?" + remaining.urlencode()}
        )
    return items


class ArticleDetailView(PreviewMixin, DetailView):
    template_name = "bulletins/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        # Tags are read only to build the fragments the template keeps (see there).
        return Article.objects.published().select_related("issue__series", "source")

    def get_preview_queryset(self):
        return Article.objects.select_related("issue__series", "source")

    def lookup_kwargs(self) -> dict:
        return {"pk": self.kwargs["pk"]}

    def issue_of(self, article):
        return article.issue

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(citations_for(self.request, self.object.issue, self.object))
        return context

    def get(self, request, *args, **kwargs):
        """The article; 410 Gone if it was removed from a public issue; else 404."""
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            issue = removed_from(kwargs["pk"])
            if issue is None:
                raise
            return article_gone(request, issue)


def removed_from(article_id: int) -> Issue | None:
    """The public issue an article no longer stored was public in, as its history says."""
    issue_id = history.issue_of_removed_article(article_id)
    if issue_id is None:
        return None
    return public_issues().filter(pk=issue_id).first()


def article_gone(request, issue):
    """410 Gone: the article was removed from ``issue``, which the page names and links."""
    return render(request, "bulletins/article_gone.html", {"issue": issue}, status=410)


class SourceListView(ListView):
    template_name = "bulletins/source_list.html"
    context_object_name = "sources"

    def get_queryset(self):
        return facts.sources_with_counts()


class TagListView(ListView):
    template_name = "bulletins/tag_list.html"
    context_object_name = "tags"

    def get_queryset(self):
        return facts.tags_with_counts()


class ArticlesOfMixin(FeedLinksMixin, LenientPaginationMixin):
    """One source's or one tag's public articles, newest first; 404 if it has none.

    A slug it had before a rename or merge answers 301 to its current page.
    """

    model = None
    paginate_by = ARTICLES_PER_PAGE
    page_rows = staticmethod(cards.cards_by_pk)

    def get(self, request, *args, **kwargs):
        self.subject = self.model.objects.filter(slug=kwargs["slug"]).first()
        if self.subject is None:
            moved = SlugRedirect.objects.target(self.model, kwargs["slug"])
            return permalinks.moved_permanently(request, moved)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        articles = self.articles_of(Article.objects.published())
        return articles.for_listing().newest_first()

    def paginate_queryset(self, queryset, page_size):
        result = super().paginate_queryset(queryset, page_size)
        if result[0].count == 0:
            raise Http404("no public articles")
        return result

    def get_context_data(self, **kwargs):
        return super().get_context_data(subject=self.subject, **kwargs)


class SourceDetailView(ArticlesOfMixin, ListView):
    model = Source
    template_name = "bulletins/source_detail.html"

    def get_feeds(self):
        return [catalogue.for_source(self.subject)]

    def articles_of(self, articles):
        return articles.filter(source=self.subject)


class TagDetailView(ArticlesOfMixin, ListView):
    model = Tag
    template_name = "bulletins/tag_detail.html"

    def get_feeds(self):
        return [catalogue.for_tag(self.subject)]

    def articles_of(self, articles):
        return articles.filter(tags=self.subject)


class FeedListView(TemplateView):
    """/feeds/: every feed with its addresses to copy, and the OPML file of them."""

    template_name = "bulletins/feed_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(groups=catalogue.catalogue(), **kwargs)
