"""The article list's filters (django-filter), offered only over public content."""

import django_filters
from django import forms
from django.db.models import Q
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from .models import Article, Issue, Series, Source, Tag


def public_sources(request=None):
    return Source.objects.filter(pk__in=Article.objects.published().values("source_id"))


def public_tags(request=None):
    return Tag.objects.filter(
        pk__in=Article.tags.through.objects.filter(article__in=Article.objects.published()).values(
            "tag_id"
        )
    )


def public_years():
    years = (
        Issue.objects.published()
        .annotate(year=ExtractYear("publication_date"))
        .values_list("year", flat=True)
        .distinct()
        .order_by("-year")
    )
    return [(str(year), _("%(year)s年") % {"year": year}) for year in years]


class ArticleFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("关键词"), method="filter_text")
    series = django_filters.ModelChoiceFilter(
        label=_("系列"),
        field_name="issue__series",
        queryset=Series.objects.all(),
        to_field_name="slug",
        empty_label=_("全部系列"),
    )
    source = django_filters.ModelChoiceFilter(
        label=_("来源"), queryset=public_sources, to_field_name="slug", empty_label=_("全部来源")
    )
    tag = django_filters.ModelMultipleChoiceFilter(
        label=_("标签"),
        queryset=public_tags,
        to_field_name="slug",
        method="filter_tags",
        widget=forms.CheckboxSelectMultiple,
    )
    year = django_filters.ChoiceFilter(
        label=_("年份"),
        field_name="issue__publication_date__year",
        choices=public_years,
        empty_label=_("全部年份"),
    )
    date = django_filters.DateFromToRangeFilter(
        label=_("出刊日期"),
        field_name="issue__publication_date",
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )

    class Meta:
        model = Article
        fields = ["q", "series", "source", "tag", "year", "date"]

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value)
            | Q(original_title__icontains=value)
            | Q(body__icontains=value)
        )

    def filter_tags(self, queryset, name, tags):
        if not tags:
            return queryset
        tagged = Article.tags.through.objects.filter(tag__in=tags).values("article_id")
        return queryset.filter(pk__in=tagged)
