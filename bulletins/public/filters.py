"""The article list's filters (django-filter), offered only over public content.

The choices come from facts.py, kept per content version: building, validating and
rendering the form reads the shared cache instead of scanning the archive.
"""

import django_filters
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from .. import facts
from ..caching import memo
from ..models import Article
from ..search.engine import matching_ids
from ..search.query import parse
from .widgets import FastCheckboxSelectMultiple, FastSelect, LabelledDateRangeWidget


class NormalChoices(BaseChoiceIterator):
    """(value, label) pairs of strings, which Django takes as they are.

    Choices from a plain callable are normalised anew, pair by pair, each time a field
    walks them (to validate a value, to name it, to render): hundreds of sources, tags and
    years, several walks a request.
    """

    def __init__(self, pairs):
        self.pairs = pairs

    def __iter__(self):
        return iter(self.pairs)


def series_choices():
    return NormalChoices([(series.slug, series.name) for series in facts.series_list()])


def public_source_choices():
    return NormalChoices(facts.source_choices())


def public_tag_choices():
    return NormalChoices(facts.tag_choices())


def public_years():
    def labelled():
        label = gettext("%(year)s年")
        return [(str(year), label % {"year": year}) for year in facts.issue_years()]

    return NormalChoices(memo.remember(f"year-choices:{get_language()}", labelled))


class ArticleFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("关键词"), method="filter_text")
    series = django_filters.ChoiceFilter(
        label=_("系列"),
        field_name="issue__series__slug",
        choices=series_choices,
        empty_label=_("全部系列"),
        widget=FastSelect,
    )
    source = django_filters.ChoiceFilter(
        label=_("来源"),
        field_name="source__slug",
        choices=public_source_choices,
        empty_label=_("全部来源"),
        widget=FastSelect,
    )
    tag = django_filters.MultipleChoiceFilter(
        label=_("标签"),
        choices=public_tag_choices,
        method="filter_tags",
        widget=FastCheckboxSelectMultiple,
    )
    year = django_filters.ChoiceFilter(
        label=_("年份"),
        field_name="issue__publication_date__year",
        choices=public_years,
        empty_label=_("全部年份"),
        widget=FastSelect,
    )
    date = django_filters.DateFromToRangeFilter(
        label=_("出刊日期"),
        field_name="issue__publication_date",
        widget=LabelledDateRangeWidget,
    )

    class Meta:
        model = Article
        fields = ["q", "series", "source", "tag", "year", "date"]

    def filter_text(self, queryset, name, value):
        """Articles containing the text, through the full-text index (bulletins/search/)."""
        query = parse(value)
        if not query:
            return queryset
        return queryset.filter(pk__in=matching_ids(query))

    def filter_tags(self, queryset, name, slugs):
        if not slugs:
            return queryset
        tagged = Article.tags.through.objects.filter(tag__slug__in=slugs).values("article_id")
        return queryset.filter(pk__in=tagged)
