"""The editors' admin: issues with their articles inline, sources, tags, series."""

import datetime
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.widgets import (
    AdminSplitDateTime,
    AutocompleteSelect,
    AutocompleteSelectMultiple,
)
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .. import preview, signals
from ..editorial import continuity, curation, history
from ..models import (
    Article,
    Issue,
    Series,
    SlugRedirect,
    Source,
    SourceAlias,
    Tag,
    free_positions,
)
from ..search.engine import matching_ids
from ..search.query import parse
from .curation import UpkeepActionsMixin
from .history import ArticleHistoryAdminMixin, IssueHistoryAdminMixin
from .imports import IssueImportMixin
from .pages import action_page
from .workflow import (
    WorkflowArticleAdminMixin,
    WorkflowInlineFormSet,
    WorkflowInlineMixin,
    WorkflowIssueAdminMixin,
)

# A link pasted without its scheme is taken as https (Django 6's default, chosen now).
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


def _names_a_row(field, value) -> bool:
    """Could ``value`` be the key of a row ``field`` (a foreign key, many-to-many or a
    primary key) points at? ``abc`` and 20 digits cannot."""
    try:
        field.clean(value, None)
    except ValidationError:
        return False
    return True


class PossibleMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Refuses a value that can name no row before looking the values up (Django looks a
    20-digit number up and fails on SQLite)."""

    def _check_values(self, value):
        opts = self.queryset.model._meta
        key = opts.get_field(self.to_field_name) if self.to_field_name else opts.pk
        for one in value:
            if not _names_a_row(key, one):
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": one},
                )
        return super()._check_values(value)


class BulkTagForm(forms.Form):
    tags = PossibleMultipleChoiceField(
        label=_("标签"), queryset=Tag.objects.all(), widget=forms.CheckboxSelectMultiple
    )


class YearListFilter(admin.SimpleListFilter):
    title = _("年份")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = Issue.objects.dates("publication_date", "year", order="DESC")
        return [(d.year, f"{d.year}年") for d in years]

    def queryset(self, request, queryset):
        value = self.value()
        if value and len(value) <= 4 and value.isdecimal() and int(value) >= 1:  # a date's year
            return queryset.filter(publication_date__year=int(value))
        return queryset


def _drillable(query, field_name) -> bool:
    """Can Django's date hierarchy drill into this year/month/day? It works out the next
    year, month or day, so year 9999 overflows as year 0 does."""
    parts = [query.get(f"{field_name}__{part}") for part in ("year", "month", "day")]
    if parts[0] is None:
        return True
    try:
        year, month, day = (int(part) if part is not None else 1 for part in parts)
        datetime.date(year, month, day)
    except ValueError:
        return False
    return year < datetime.MAXYEAR


class DateHierarchyBoundsMixin:
    """A date-hierarchy filter no date can satisfy (a hand-made ``?…__year=0000`` or
    ``=9999``, month 13) is ignored: the list shows every row, as without it."""

    def changelist_view(self, request, extra_context=None):
        if self.date_hierarchy and not _drillable(request.GET, self.date_hierarchy):
            request.GET = request.GET.copy()
            for part in ("year", "month", "day"):
                request.GET.pop(f"{self.date_hierarchy}__{part}", None)
        return super().changelist_view(request, extra_context)


class _PossibleChoices:
    """An autocomplete widget that leaves out values that can name no row (from a
    hand-made POST, or ``?issue=abc`` on the add form) instead of failing to look them
    up; the form then says the field is required or invalid."""

    def optgroups(self, name, value, attr=None):
        possible = [one for one in value if _names_a_row(self.field.target_field, one)]
        return super().optgroups(name, possible, attr)


class PossibleAutocompleteSelect(_PossibleChoices, AutocompleteSelect):
    pass


class PossibleAutocompleteSelectMultiple(_PossibleChoices, AutocompleteSelectMultiple):
    pass


class PossibleAutocompleteMixin:
    """For a ModelAdmin or inline: its autocomplete fields use the widgets above, and
    its many-to-many fields refuse values that can name no row."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = PossibleAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = PossibleAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        kwargs.setdefault("form_class", PossibleMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class PossibleSelectionMixin:
    """A list action posted with ids that can name no row (a hand-made POST: ``abc``)
    runs on the rows the others name; with none left, Django's "select items" message."""

    def response_action(self, request, queryset):
        selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
        possible = [one for one in selected if _names_a_row(self.opts.pk, one)]
        if possible != selected:
            request.POST = request.POST.copy()
            request.POST.setlist(ACTION_CHECKBOX_NAME, possible)
        return super().response_action(request, queryset)


def name_date_and_time(field):
    """Django's split date/time widget labels its two inputs with bare text (日期/时间);
    give each input an accessible name of its own, e.g. "公开时间（日期）"."""
    if field is not None and isinstance(field.widget, AdminSplitDateTime):
        for widget, part in zip(field.widget.widgets, (_("日期"), _("时间")), strict=True):
            widget.attrs["aria-label"] = format_lazy("{}（{}）", field.label, part)
    return field


@admin.register(Series)
class SeriesAdmin(PossibleSelectionMixin, admin.ModelAdmin):
    list_display = ["name", "short_name", "slug", "frequency", "publisher"]
    readonly_fields = ["slug"]


class ArticleInlineForm(forms.ModelForm):
    def has_changed(self):
        """A new row counts as filled in when more than its proposed 序号 is."""
        if self.instance._state.adding:
            return any(name != "position" for name in self.changed_data)
        return super().has_changed()


class ArticleInlineFormSet(WorkflowInlineFormSet):
    """An issue's articles. A new row proposes the next free 序号 (server-side, so without
    JavaScript too); one added by the page's script, or left blank, gets it when saved."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.initial_extra:
            free = free_positions(article.position for article in self.get_queryset())
            self.initial_extra = [{"position": next(free, None)} for row in range(self.extra)]

    def get_unique_error_message(self, unique_check):
        labels = [
            str(self.model._meta.get_field(name).verbose_name)
            for name in unique_check
            if name != self.fk.name
        ]
        return _("%(fields)s重复：同一期中每篇文章的%(fields)s须各不相同，请修改。") % {
            "fields": "、".join(labels)
        }


class ArticleInline(PossibleAutocompleteMixin, WorkflowInlineMixin, admin.StackedInline):
    model = Article
    form = ArticleInlineForm
    formset = ArticleInlineFormSet
    extra = 1  # a blank row to fill in, which works without JavaScript
    ordering = ["position"]
    autocomplete_fields = ["source", "tags"]
    fields = [
        ("position", "title"),
        "original_title",
        ("source", "original_date"),
        "original_url",
        "tags",
        "body",
    ]
    show_change_link = True
    formfield_overrides = URL_FIELDS


@admin.register(Issue)
class IssueAdmin(
    DateHierarchyBoundsMixin,
    PossibleSelectionMixin,
    IssueImportMixin,
    WorkflowIssueAdminMixin,
    IssueHistoryAdminMixin,
    admin.ModelAdmin,
):
    list_display = [
        "label_display",
        "series",
        "publication_date",
        "status",
        "published_at",
        "is_published",
        "approved_by",
        "article_count",
    ]
    list_display_links = ["label_display"]
    list_filter = ["series", "status", YearListFilter]
    list_select_related = ["series", "approved_by"]
    search_fields = ["intro", "articles__title", "articles__body"]  # see get_search_results
    date_hierarchy = "publication_date"
    inlines = [ArticleInline]
    fieldsets = [
        (None, {"fields": [("series", "number"), "publication_date"]}),
        (_("监测时段"), {"fields": [("period_start", "period_end")]}),
        (None, {"fields": ["intro", "generated_intro"]}),
        (
            _("审核与发布"),
            {"fields": [("status", "published_at"), "sign_off_display", "preview_link"]},
        ),
    ]
    readonly_fields = ["preview_link", "generated_intro", "sign_off_display"]
    save_on_top = True
    change_list_template = "admin/bulletins/issue/change_list.html"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return name_date_and_time(super().formfield_for_dbfield(db_field, request, **kwargs))

    def get_urls(self):
        extra = [
            path(
                "next/<slug:series>/",
                self.admin_site.admin_view(self.next_issue_view),
                name="bulletins_issue_next",
            ),
        ]
        return extra + super().get_urls()

    def next_issue_view(self, request, series):
        """'Create next issue': the add form, filled in from the series' latest issue."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        series = get_object_or_404(Series, slug=series)
        initial = continuity.next_issue_initial(series)
        query = urlencode({key: str(value) for key, value in initial.items()})
        return redirect(f"{reverse('admin:bulletins_issue_add')}?{query}")

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "all_series": Series.objects.all()}
        return super().changelist_view(request, extra_context)

    def save_formset(self, request, form, formset, change):
        if formset.model is Article:
            # Articles that move or go leave their positions first, so that two can swap.
            leaving = [
                inline.instance.pk
                for inline in formset.initial_forms
                if inline.cleaned_data.get("DELETE") or "position" in inline.changed_data
            ]
            Article.objects.filter(pk__in=leaving).step_aside()
        super().save_formset(request, form, formset, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        issue = form.instance
        for warning in continuity.sequence_warnings(issue) + continuity.duplicate_link_warnings(
            issue
        ):
            messages.warning(request, warning)

    def get_queryset(self, request):
        # A subquery, not a JOIN: searching over articles__title joins the articles too,
        # and a JOIN count would multiply with it.
        return super().get_queryset(request).with_article_count()

    @admin.display(description=_("自动生成的导语"))
    def generated_intro(self, obj):
        if not obj or not obj.pk:
            return _("保存后按本期文章数和监测时段生成。")
        return format_html(
            "{}<br><small>{}</small>",
            obj.generated_intro(),
            _("“本期导语”留空时，页面和导出文件使用这句标准导语；也可复制后修改。"),
        )

    @admin.display(description=_("预览链接"))
    def preview_link(self, obj):
        if not obj or not obj.pk:
            return _("保存后生成。")
        if obj.is_published():
            return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), _("已公开，查看页面"))
        return format_html(
            '<a href="{}">{}</a><br><small>{}</small>',
            preview.preview_url(obj),
            _("打开预览"),
            _("复制此链接地址发给没有账号的审阅人，7 天内有效。"),
        )

    @admin.display(description=_("期号"), ordering="number")
    def label_display(self, obj):
        return obj.label

    @admin.display(description=_("文章数"), ordering="article_count")
    def article_count(self, obj):
        return obj.article_count

    def get_search_results(self, request, queryset, search_term):
        """Issues with an article that contains the text (the full-text index, drafts
        included), whose 导语 contains it, or with that number."""
        term = search_term.strip()
        query = parse(term)
        if not query:
            return queryset, False
        articles = Article.objects.filter(pk__in=matching_ids(query))
        found = Q(pk__in=articles.values("issue_id"))
        found |= Q(intro__icontains=term)
        if term.isdigit():
            found |= Q(number=int(term))
        return queryset.filter(found), False


@admin.register(Article)
class ArticleAdmin(
    DateHierarchyBoundsMixin,
    PossibleSelectionMixin,
    PossibleAutocompleteMixin,
    WorkflowArticleAdminMixin,
    ArticleHistoryAdminMixin,
    admin.ModelAdmin,
):
    list_display = ["title", "issue", "position", "source", "original_date"]
    list_filter = ["issue__series", "issue__status", "source", "tags"]
    list_select_related = ["issue__series", "source"]
    search_fields = ["title", "original_title", "body"]  # shows the box; see below
    autocomplete_fields = ["issue", "source", "tags"]
    date_hierarchy = "original_date"
    actions = ["add_tags"]
    formfield_overrides = URL_FIELDS

    def get_search_results(self, request, queryset, search_term):
        """Articles (drafts included) that contain the text: the full-text index, as on
        the public site, but over every status."""
        query = parse(search_term)
        if not query:
            return queryset, False
        return queryset.filter(pk__in=matching_ids(query)), False

    @admin.action(description=_("为所选文章添加标签"), permissions=["change"])
    def add_tags(self, request, queryset):
        form = BulkTagForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            tags = list(form.cleaned_data["tags"])
            through = Article.tags.through
            links = [
                through(article_id=article_id, tag_id=tag.pk)
                for article_id in queryset.values_list("pk", flat=True)
                for tag in tags
            ]
            through.objects.bulk_create(links, ignore_conflicts=True)
            # bulk_create sends no m2m signal: announce it (search index, content version).
            signals.announce(Article, {link.article_id for link in links})
            history.set_comment(str(_("批量添加标签")))
            history.add(*Issue.objects.filter(articles__in=queryset).distinct())
            self.message_user(
                request,
                _("已为 %(count)s 篇文章添加标签：%(tags)s")
                % {"count": queryset.count(), "tags": "、".join(t.name for t in tags)},
                messages.SUCCESS,
            )
            return None
        count = len(queryset)  # fills the queryset's cache: the page lists these rows
        explanation = _("将为以下 %(count)s 篇文章添加标签（已有的标签保留）：") % {"count": count}
        return action_page(
            self,
            request,
            queryset,
            action="add_tags",
            title=_("为所选文章添加标签"),
            explanation=explanation,
            form=form,
            submit_label=_("添加标签"),
        )


class SourceAliasInline(admin.TabularInline):
    model = SourceAlias
    extra = 0


class CountedArticlesAdmin(PossibleSelectionMixin, admin.ModelAdmin):
    """Shows how many articles (of any status) cite each source or tag."""

    search_fields = ["name"]
    # Explicit: Meta.ordering does not apply to the annotated (GROUP BY) queryset, and the
    # autocomplete's pages would come in no defined order.
    ordering = ["name"]

    def get_queryset(self, request):
        # distinct: searching over aliases__name joins the aliases as well.
        articles = Count("articles", distinct=True)
        return super().get_queryset(request).annotate(article_count=articles)

    @admin.display(description=_("文章数"), ordering="article_count")
    def article_count(self, obj):
        return obj.article_count


@admin.register(Source)
class SourceAdmin(UpkeepActionsMixin, CountedArticlesAdmin):
    list_display = ["name", "kind", "homepage", "article_count"]
    list_filter = ["kind"]
    search_fields = ["name", "aliases__name"]
    inlines = [SourceAliasInline]
    formfield_overrides = URL_FIELDS
    merge = staticmethod(curation.merge_sources)


@admin.register(Tag)
class TagAdmin(UpkeepActionsMixin, CountedArticlesAdmin):
    list_display = ["name", "slug", "article_count"]
    merge = staticmethod(curation.merge_tags)


@admin.register(SlugRedirect)
class SlugRedirectAdmin(PossibleSelectionMixin, admin.ModelAdmin):
    """Old addresses left by renames and merges; delete one to free it."""

    list_display = ["old_slug", "content_type", "target_display", "created_at"]
    list_filter = ["content_type"]
    search_fields = ["old_slug"]
    readonly_fields = ["content_type", "object_id", "old_slug", "created_at"]

    # Not the generic foreign key itself: Django would sort by it (?o=2) and fail.
    @admin.display(description=_("指向"))
    def target_display(self, obj):
        return obj.target

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
