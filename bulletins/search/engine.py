"""Searching: the one interface views, feeds and the admin use, whatever the database.

``Search(query, filters)`` matches through the index of the database in use
(backends.py) and only ever sees public articles unless told otherwise (``public=False``
is for the editors' admin). Ranking is simple and explainable:

1. every required term in the title (or the original title),
2. every required term in the title, tags and source together,
3. the rest (a term found only in the body),

and newer before older within each rank (the order of the article list).

One pass over all matches gives the count, the facets and the order of every page; it
is kept in the shared cache per content version, so paging, sorting and narrowing by
facets cost no further search. ``top()`` answers a first page without that pass (feeds,
and pages whose count is not needed), rank by rank, each newest first.
"""

import datetime
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from itertools import chain, compress

from django.core.paginator import Paginator
from django.db import router
from django.utils.functional import cached_property

from .. import facts
from ..caching import memo
from ..models import Article, Issue, SearchDocument
from . import backends
from .documents import plain_text
from .highlight import mark, snippet
from .query import ParsedQuery, parse

ORDERS = ("relevance", "date")
NEWEST = ("-publication_date", "-issue_id", "position")
CACHE_TIMEOUT = 60 * 60 * 6
FACET_LIMIT = 12


@dataclass(frozen=True)
class Filters:
    """How a search is narrowed: the article list's filters (bulletins/filters.py)."""

    series: str = ""  # slug
    source: str = ""  # slug
    tags: tuple = ()  # slugs; an article with any of them
    year: int | None = None
    date_after: datetime.date | None = None
    date_before: datetime.date | None = None

    @classmethod
    def from_form(cls, cleaned: dict) -> "Filters":
        """From ArticleFilterSet's cleaned form data."""
        dates = cleaned.get("date")
        year = cleaned.get("year")
        return cls(
            series=cleaned.get("series") or "",
            source=cleaned.get("source") or "",
            tags=tuple(sorted(cleaned.get("tag") or ())),
            year=int(year) if year else None,
            date_after=dates.start if dates else None,
            date_before=dates.stop if dates else None,
        )

    def key(self) -> str:
        return repr(self)


@dataclass
class Hit:
    """One result: the article (issue, series, source and tags loaded), its rank, its
    title and a snippet with the matched terms in <mark>."""

    article: Article
    rank: int
    title_html: str
    snippet_html: str


@dataclass
class FacetValue:
    param: str  # query parameter that selects it
    value: str  # its value (a slug or a year)
    label: str
    count: int
    selected: bool = False


@dataclass
class Summary:
    """What one pass over every match tells: count, facets and both orders of the ids."""

    count: int
    facets: dict = field(default_factory=dict)
    ids: dict = field(default_factory=dict)  # order -> [article id]
    rank_sizes: tuple = (0, 0)  # how many rank 2 and rank 1 results lead the relevance order
    date_ranks: bytes = b""  # the rank of each result in date order


class Matches:
    """Every match of a search, newest first, as columns (compact to cache, quick to count)."""

    def __init__(self, ids, ranks, series, sources, years, tags):
        self.ids, self.ranks = ids, ranks
        self.columns = {"series": series, "source": sources, "year": years, "tag": tags}

    @classmethod
    def from_rows(cls, rows) -> "Matches":
        """From (id, rank, series, source, year or date, tag ids, …) rows, newest first."""
        rows = list(rows)
        if not rows:
            return cls((), (), (), (), (), ())
        ids, ranks, series, sources, dates, tags = list(zip(*rows, strict=True))[:6]
        years = {}  # year, date or ISO date string (SQLite) -> year
        for day in set(dates):
            years[day] = day if isinstance(day, int) else getattr(day, "year", None) or int(day[:4])
        return cls(ids, ranks, series, sources, tuple(map(years.__getitem__, dates)), tags)

    def __len__(self) -> int:
        return len(self.ids)

    def _passing(self, facet: str, wanted: set) -> list[bool]:
        column = self.columns[facet]
        if facet == "tag":  # " 3 7 12 ": any of the wanted tags
            return [not wanted.isdisjoint(tags.split()) for tags in column]
        return [value in wanted for value in column]

    def kept(self, selection: dict, skip: str | None = None) -> list[bool] | None:
        """Which matches pass every facet filter but ``skip``'s (None: all of them)."""
        masks = [
            self._passing(facet, wanted) for facet, wanted in selection.items() if facet != skip
        ]
        if not masks:
            return None
        return masks[0] if len(masks) == 1 else [all(row) for row in zip(*masks, strict=True)]

    def counts(self, facet: str, selection: dict) -> Counter:
        kept = self.kept(selection, skip=facet)
        column = self.columns[facet]
        values = column if kept is None else compress(column, kept)
        if facet == "tag":
            return Counter(chain.from_iterable(tags.split() for tags in values))
        return Counter(values)


class Search:
    def __init__(
        self, query, filters: Filters | None = None, *, public: bool = True, cached: bool = True
    ):
        self.query = query if isinstance(query, ParsedQuery) else parse(query)
        self.filters = filters or Filters()
        self.public = public
        self.cached = cached  # False: always search afresh (benchmarks)
        self.db = router.db_for_read(SearchDocument)
        self.backend = backends.for_alias(self.db)

    # --- SQL pieces ---

    def scope(self):
        """Index entries of the articles this search may show, within the date range.

        Public entries are those of public issues: the rule of Article.objects.published()
        (an article is public when its issue is), applied to the issue id each entry keeps.
        """
        entries = SearchDocument.objects.using(self.db)
        if self.public:
            entries = entries.filter(issue_id__in=Issue.objects.published().values("pk"))
        if self.filters.date_after:
            entries = entries.filter(publication_date__gte=self.filters.date_after)
        if self.filters.date_before:
            entries = entries.filter(publication_date__lte=self.filters.date_before)
        return entries

    def _narrowed_in_sql(self, entries):
        f = self.filters
        if f.series:
            entries = entries.filter(series__slug=f.series)
        if f.source:
            entries = entries.filter(source__slug=f.source)
        if f.tags:
            tagged = Article.tags.through.objects.filter(tag__slug__in=f.tags)
            entries = entries.filter(article_id__in=tagged.values("article_id"))
        if f.year:
            entries = entries.filter(publication_date__year=f.year)
        return entries

    # --- one pass over every match, kept per content version ---

    def matches(self) -> "Matches":
        """Every match (before facet filters), newest first, kept per content version."""

        def compute():
            return Matches.from_rows(self.backend.rows(self.scope(), self.query))

        return self._remember(compute, "matches", self.filters.date_after, self.filters.date_before)

    @cached_property
    def summary(self) -> Summary:
        return self._remember(self._summarise, "summary", self.filters.key())

    def _remember(self, compute, *parts):
        """compute(), kept in the shared cache for this content version (not in each
        process's memory: a long result list is not worth a place there)."""
        if not self.cached:
            return compute()
        raw = "|".join([self.query.key, str(self.public), *map(str, parts)])
        name = "search:" + hashlib.sha256(raw.encode()).hexdigest()[:32]
        return memo.remember(name, compute, CACHE_TIMEOUT, keep_here=False)

    def _selection(self) -> dict:
        """The facet filters in force, as the values they keep (facet -> set)."""
        f = self.filters
        selection = {}
        if f.series:
            selection["series"] = {s.pk for s in facts.series_list() if s.slug == f.series}
        if f.source:
            selection["source"] = {s.pk for s in facts.sources_with_counts() if s.slug == f.source}
        if f.tags:
            selection["tag"] = {str(t.pk) for t in facts.tags_with_counts() if t.slug in f.tags}
        if f.year:
            selection["year"] = {f.year}
        return selection

    def _summarise(self) -> Summary:
        matches = self.matches()
        selection = self._selection()
        kept = matches.kept(selection)
        ids, ranks = matches.ids, matches.ranks
        if kept is not None:
            ids = list(compress(ids, kept))
            ranks = list(compress(ranks, kept))
        by_rank = {2: [], 1: [], 0: []}
        for pk, rank in zip(ids, ranks, strict=True):
            by_rank[rank].append(pk)
        summary = Summary(
            count=len(ids),
            ids={"date": list(ids), "relevance": by_rank[2] + by_rank[1] + by_rank[0]},
            rank_sizes=(len(by_rank[2]), len(by_rank[1])),
            date_ranks=bytes(ranks),
        )
        if self.public:
            summary.facets = self._facets(matches, selection)
        return summary

    def _facets(self, matches, selection) -> dict:
        """Counts for each facet among the matches that pass the *other* facets' filters,
        so that choosing a value (which replaces that facet's filter) shows that many."""
        f = self.filters
        series = matches.counts("series", selection)
        sources = matches.counts("source", selection)
        tags = matches.counts("tag", selection)
        years = matches.counts("year", selection)
        return {
            "series": [
                FacetValue("series", s.slug, s.name, series[s.pk], s.slug == f.series)
                for s in facts.series_list()
                if series[s.pk]
            ],
            "source": self._top(
                "source", facts.sources_with_counts(), sources, {f.source} if f.source else ()
            ),
            "tag": self._top(
                "tag", facts.tags_with_counts(), tags, set(f.tags), key=lambda t: str(t.pk)
            ),
            "year": [
                FacetValue("year", str(year), f"{year}年", n, year == f.year)
                for year, n in sorted(years.items(), reverse=True)
            ],
        }

    @staticmethod
    def _top(param, objects, counter, selected, key=lambda obj: obj.pk) -> list:
        by_pk = {key(obj): obj for obj in objects}
        ranked = sorted(
            ((n, by_pk[pk].name, by_pk[pk].slug) for pk, n in counter.items() if pk in by_pk),
            key=lambda item: (-item[0], item[1]),
        )
        shown = ranked[:FACET_LIMIT] + [
            item for item in ranked[FACET_LIMIT:] if item[2] in selected
        ]
        return [FacetValue(param, slug, name, n, slug in selected) for n, name, slug in shown]

    @property
    def count(self) -> int:
        return self.summary.count

    @property
    def facets(self) -> dict:
        return self.summary.facets

    def ids(self, order: str = "relevance") -> list:
        return self.summary.ids[order if order in ORDERS else "relevance"]

    # --- a first page without the full pass ---

    def top(self, order: str = "relevance", limit: int = 20) -> list[tuple[int, int]]:
        """(id, rank) of the first ``limit`` results, straight from the index (no count)."""
        entries = self._narrowed_in_sql(self.scope())
        order = order if order in ORDERS else "relevance"
        return self.backend.top(entries, self.query, order, limit)

    # --- results as readers see them ---

    def hits(self, ranked: list[tuple[int, int]]) -> list[Hit]:
        """The articles of (id, rank) pairs, in that order, titles and snippets marked."""
        articles = Article.objects.published() if self.public else Article.objects.all()
        by_pk = {a.pk: a for a in articles.for_listing().filter(pk__in=[pk for pk, _ in ranked])}
        return [
            Hit(
                article=by_pk[pk],
                rank=rank,
                title_html=mark(by_pk[pk].title, self.query),
                snippet_html=snippet(plain_text(by_pk[pk].body_html), self.query),
            )
            for pk, rank in ranked
            if pk in by_pk
        ]

    def page_ids(self, order: str, start: int, stop: int) -> list[tuple[int, int]]:
        """(id, rank) of results start … stop-1 in the given order."""
        ids = self.ids(order)[start:stop]
        if order == "date":
            return list(zip(ids, self.summary.date_ranks[start:stop], strict=True))
        first, second = self.summary.rank_sizes
        return [
            (pk, 2 if i < first else 1 if i < first + second else 0)
            for i, pk in enumerate(ids, start)
        ]


def matching_ids(query):
    """The ids of every article (whatever its status) that matches ``query``, as something
    ``pk__in=`` takes: for a queryset with its own idea of visibility (the article list,
    the admin)."""
    found = Search(query, public=False)
    return found.backend.match_subquery(found.scope(), found.query)


class SearchPaginator(Paginator):
    """Pages of Hits; the count and the order come from the search's one pass."""

    def __init__(self, search: Search, per_page: int, order: str = "relevance"):
        super().__init__([], per_page)
        self.search = search
        self.order = order if order in ORDERS else "relevance"

    @cached_property
    def count(self) -> int:
        return self.search.count if self.search.query else 0

    def page(self, number):
        number = self.validate_number(number)
        start = (number - 1) * self.per_page
        ranked = (
            self.search.page_ids(self.order, start, start + self.per_page) if self.count else []
        )
        return self._get_page(self.search.hits(ranked), number, self)


def search(
    query,
    *,
    filters: Filters | None = None,
    order: str = "relevance",
    page=1,
    per_page: int = 20,
    public: bool = True,
):
    """One page of results (a Django Page of Hits). ``page.paginator.count`` is the number
    of matches, ``page.paginator.search.facets`` the facets; an out-of-range or malformed
    page number gives the nearest page."""
    paginator = SearchPaginator(Search(query, filters, public=public), per_page, order=order)
    return paginator.get_page(page)
