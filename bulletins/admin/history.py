"""History in the admin: every write recorded, and pages to compare and restore versions.

Issues: 修改记录 (the admin's history link) lists the versions of the issue with its
articles; any two can be compared, and a version can be restored (a new version that
brings the old text and articles back; status and sign-off stay). Articles: their
versions can be compared; restoring goes through the issue (one revision holds both).

No lost updates: an issue's change form carries what the issue and its articles held when
it was loaded (a hidden field); a save over anything written since is refused, nothing
written, with who changed it and when and a link to compare.
"""

import contextlib
import hashlib

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from reversion.models import Version

from ..editorial import history
from ..models import Article, Issue, Series
from ..text.formatting import person_name
from .pages import admin_page


class RecordedAdminMixin:
    """Every form save, deletion and list action is one revision, by the user, commented."""

    def _recorded(self, request):
        if request.method == "POST":
            return history.recorded(request.user)
        return contextlib.nullcontext()

    def changeform_view(self, request, *args, **kwargs):
        with self._recorded(request):
            return super().changeform_view(request, *args, **kwargs)

    def delete_view(self, request, *args, **kwargs):
        with self._recorded(request):
            return super().delete_view(request, *args, **kwargs)

    def changelist_view(self, request, *args, **kwargs):
        with self._recorded(request):
            return super().changelist_view(request, *args, **kwargs)

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        history.set_comment(entry.get_change_message() or _("新建"))
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        history.set_comment(entry.get_change_message() or _("保存（无字段改动）"))
        return entry


def _object_or_404(queryset, object_id):
    """The object an admin URL names, or 404: also when the id cannot be one (``abc``)."""
    try:
        pk = queryset.model._meta.pk.clean(unquote(object_id), None)
    except ValidationError as error:
        raise Http404("no such object") from error
    return get_object_or_404(queryset, pk=pk)


def _version_id(value: str) -> int:
    """A version id from the query string, or 404 (``abc``, ``1e5``, empty)."""
    try:
        return int(value)
    except ValueError as error:
        raise Http404("choose two versions") from error


def _version_rows(versions):
    return [
        {
            "version": version,
            "when": version.revision.date_created,
            "who": person_name(version.revision.user) if version.revision.user else "",
            "comment": version.revision.get_comment(),
        }
        for version in versions
    ]


# --- No lost updates ----------------------------------------------------------------------

# What the form shows and saves, not when rows were saved: a save that changes nothing
# leaves the content as it was.
_SAVE_TIMES = {"created_at", "updated_at"}
_ISSUE_CONTENT = [name for name in history.ISSUE_FIELDS if name not in _SAVE_TIMES]
_ARTICLE_CONTENT = [name for name in history.ARTICLE_FIELDS if name not in _SAVE_TIMES | {"tags"}]


def content_mark(issue_id, *, lock=False) -> str:
    """What the issue and its articles hold now: ``<latest version id>-<digest>``.

    The digest covers every recorded field of the issue and its articles, with their
    tags, so it changes with any write, recorded or not (``update()``, the shell). With
    ``lock``, inside a transaction, the issue's row stays locked until it ends, so two
    saves of one issue cannot both pass the check and then both write.
    """
    issues = Issue.objects.filter(pk=issue_id)
    if lock and transaction.get_connection().in_atomic_block:
        issues = issues.select_for_update()
    articles = Article.objects.filter(issue_id=issue_id).order_by("pk")
    tags = Article.tags.through.objects.filter(article__issue_id=issue_id)
    content = (
        list(issues.values_list(*_ISSUE_CONTENT)),
        list(articles.values_list("pk", *_ARTICLE_CONTENT)),
        list(tags.order_by("article_id", "tag_id").values_list("article_id", "tag_id")),
    )
    digest = hashlib.sha256(repr(content).encode()).hexdigest()[:32]
    latest = Version.objects.get_for_object_reference(Issue, issue_id).first()
    return f"{latest.pk if latest else 0}-{digest}"


def _loaded_version_id(mark: str) -> int:
    head = mark.partition("-")[0]
    return int(head) if head.isdecimal() and len(head) < 19 else 0


def _same_content(mark: str, other: str) -> bool:
    """The version ids may differ (a save that changed nothing is recorded too)."""
    return mark.partition("-")[2] == other.partition("-")[2]


def stale_message(issue, loaded_mark: str):
    """此期已被 X 于 HH:MM 修改, with a link that compares the version the form was loaded
    from with the one stored now (or the history, if the loaded one was not recorded)."""
    versions = history.issue_versions(issue)
    loaded_id = _loaded_version_id(loaded_mark)
    newer = versions.filter(pk__gt=loaded_id).first()  # newest first
    if newer is not None:
        user, when = newer.revision.user, newer.revision.date_created
    else:  # written without being recorded
        user = None
        times = Article.objects.filter(issue=issue).aggregate(latest=Max("updated_at"))
        when = max(filter(None, [Issue.objects.get(pk=issue.pk).updated_at, times["latest"]]))
    if loaded_id and versions.filter(pk=loaded_id).exists():
        query = {"old": loaded_id, "new": newer.pk if newer else "current"}
        link = reverse("admin:bulletins_issue_compare", args=[issue.pk]) + "?" + urlencode(query)
    else:
        link = reverse("admin:bulletins_issue_history", args=[issue.pk])
    changed = _("此期已被 %(who)s 于 %(time)s 修改。") % {
        "who": person_name(user) if user else _("他人"),
        "time": timezone.localtime(when, timezone.get_default_timezone()).strftime("%H:%M"),
    }
    return format_html(
        '{} <a href="{}">{}</a><br>{}',
        changed,
        link,
        _("比较两个版本"),
        _("你填写的内容没有保存，仍在下面；核对后再次保存，将以你的内容为准。"),
    )


class LoadedVersionForm(forms.ModelForm):
    """Mixed into an issue's change form: the hidden ``loaded_version`` carries what the
    issue held when the form was drawn; the form is refused if that has changed since.

    The form shown again carries what is stored now, so saving it once more (after
    looking) writes the editor's input. A POST without the field (not from the page) is
    not checked.
    """

    loaded_version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.instance.pk is not None:
            self.fields["loaded_version"].initial = content_mark(self.instance.pk)

    def clean(self):
        cleaned_data = super().clean()
        loaded = cleaned_data.get("loaded_version")
        if loaded and self.instance.pk is not None:
            current = content_mark(self.instance.pk, lock=True)
            if not _same_content(loaded, current):
                self.add_error(None, stale_message(self.instance, loaded))
                self.data = self.data.copy()
                self.data[self.add_prefix("loaded_version")] = current
        return cleaned_data


class LoadedVersionAdminMixin:
    """For IssueAdmin: its form is a LoadedVersionForm (the change form's template puts
    the hidden field in the page)."""

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (LoadedVersionForm, form), {})


class IssueHistoryAdminMixin(LoadedVersionAdminMixin, RecordedAdminMixin):
    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        extra = [
            path(
                "<path:object_id>/history/compare/",
                self.admin_site.admin_view(self.compare_view),
                name="{}_{}_compare".format(*info),
            ),
            path(
                "<path:object_id>/history/<int:version_id>/restore/",
                self.admin_site.admin_view(self.restore_view),
                name="{}_{}_restore".format(*info),
            ),
            path(
                "deleted/",
                self.admin_site.admin_view(self.deleted_view),
                name="{}_{}_deleted".format(*info),
            ),
        ]
        return extra + super().get_urls()

    def _issue(self, request, object_id):
        issue = _object_or_404(Issue.objects.select_related("series"), object_id)
        if not self.has_view_or_change_permission(request, issue):
            raise PermissionDenied
        return issue

    def _issue_page(self, request, template, issue, title, **shown):
        """A page about one issue, with the way back to its 修改记录."""
        history_url = reverse("admin:bulletins_issue_history", args=[issue.pk])
        return admin_page(
            self, request, template, title, object=issue, history_url=history_url, **shown
        )

    def history_view(self, request, object_id, extra_context=None):
        issue = self._issue(request, object_id)
        rows = _version_rows(history.issue_versions(issue))
        may_restore = self.has_change_permission(request, issue)
        for row in rows:
            if may_restore:
                row["restore_url"] = reverse(
                    "admin:bulletins_issue_restore", args=[issue.pk, row["version"].pk]
                )
        return self._issue_page(
            request,
            "admin/bulletins/history.html",
            issue,
            _("修改记录：%s") % issue,
            rows=rows,
            compare_url=reverse("admin:bulletins_issue_compare", args=[issue.pk]),
        )

    def _version(self, issue, version_id):
        return get_object_or_404(
            Version.objects.get_for_object(issue).select_related("revision__user"),
            pk=version_id,
        )

    def compare_view(self, request, object_id):
        issue = self._issue(request, object_id)
        old = self._version(issue, _version_id(request.GET.get("old", "")))
        new_id = request.GET.get("new", "current")
        if new_id == "current":
            new, new_snapshot = None, history.current_snapshot(issue)
        else:
            new = self._version(issue, _version_id(new_id))
            if new.revision.date_created < old.revision.date_created:
                old, new = new, old  # always older → newer
            new_snapshot = history.snapshot(new)
        comparison = history.compare(history.snapshot(old), new_snapshot)
        return self._issue_page(
            request,
            "admin/bulletins/compare.html",
            issue,
            _("比较版本：%s") % issue,
            comparison=comparison,
            old=_version_rows([old])[0],
            new=_version_rows([new])[0] if new else None,
        )

    def restore_view(self, request, object_id, version_id):
        issue = self._issue(request, object_id)
        if not self.has_change_permission(request, issue):
            raise PermissionDenied
        version = self._version(issue, version_id)
        refusal = history.restore_refusal(version, request.user)
        if request.method == "POST" and not refusal:
            try:
                history.restore(version, request.user)
            except history.RestoreError as error:
                messages.error(request, str(error))
            else:
                self.log_change(request, issue, _("恢复为较早的版本"))
                messages.success(request, _("已恢复所选版本；恢复前的内容仍保留在修改记录中。"))
                return redirect("admin:bulletins_issue_change", issue.pk)
        comparison = history.compare(
            history.current_snapshot(issue), history.restored_snapshot(version, issue)
        )
        return self._issue_page(
            request,
            "admin/bulletins/restore.html",
            issue,
            _("恢复版本：%s") % issue,
            comparison=comparison,
            version=_version_rows([version])[0],
            refusal=refusal,
        )

    def deleted_view(self, request):
        """已删除的期刊: each deleted issue as last recorded, and a button to bring it back."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            chosen = request.POST.get("version", "")
            if not chosen.isdigit():
                raise Http404("no such deleted issue")
            version = get_object_or_404(history.deleted_issue_versions(), pk=chosen)
            try:
                issue = history.recover(version, request.user)
            except history.RestoreError as error:
                messages.error(request, str(error))
            else:
                self.log_addition(request, issue, _("从已删除的期刊中恢复"))
                messages.success(request, _("已恢复为草稿：%s") % issue)
                return redirect("admin:bulletins_issue_change", issue.pk)
        series = Series.objects.in_bulk()
        rows = _version_rows(history.deleted_issue_versions())
        for row in rows:
            kept = history.snapshot(row["version"])
            issue = Issue(number=kept.issue["number"], series=series.get(kept.issue["series_id"]))
            row["label"] = str(issue) if issue.series else issue.label
            row["publication_date"] = kept.issue["publication_date"]
            row["titles"] = [
                values["title"]
                for values in sorted(kept.articles.values(), key=lambda v: v["position"])
            ]
        return admin_page(
            self, request, "admin/bulletins/deleted_issues.html", _("已删除的期刊"), rows=rows
        )


class ArticleHistoryAdminMixin(RecordedAdminMixin):
    """An article's versions, compared field by field; restoring goes through its issue."""

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        extra = [
            path(
                "<path:object_id>/history/compare/",
                self.admin_site.admin_view(self.compare_view),
                name="{}_{}_compare".format(*info),
            ),
        ]
        return extra + super().get_urls()

    def _article(self, request, object_id):
        article = _object_or_404(self.model.objects.all(), object_id)
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        return article

    def history_view(self, request, object_id, extra_context=None):
        article = self._article(request, object_id)
        rows = _version_rows(history.article_versions(article))
        for row in rows:
            issue_version = history.issue_version_beside(row["version"])
            if issue_version is not None and self.has_change_permission(request, article):
                row["restore_url"] = reverse(
                    "admin:bulletins_issue_restore",
                    args=[issue_version.object_id, issue_version.pk],
                )
        return admin_page(
            self,
            request,
            "admin/bulletins/history.html",
            _("修改记录：%s") % article,
            object=article,
            rows=rows,
            compare_url=reverse("admin:bulletins_article_compare", args=[article.pk]),
            restore_note=_("恢复会把整期（含本期所有文章）恢复为该版本。"),
        )

    def compare_view(self, request, object_id):
        article = self._article(request, object_id)
        versions = Version.objects.get_for_object(article).select_related("revision__user")
        old = get_object_or_404(versions, pk=_version_id(request.GET.get("old", "")))
        new = get_object_or_404(versions, pk=_version_id(request.GET.get("new", "")))
        if new.revision.date_created < old.revision.date_created:
            old, new = new, old
        comparison = history.compare(
            history.article_snapshot(old), history.article_snapshot(new), issue_fields=()
        )
        return admin_page(
            self,
            request,
            "admin/bulletins/compare.html",
            _("比较版本：%s") % article,
            object=article,
            comparison=comparison,
            old=_version_rows([old])[0],
            new=_version_rows([new])[0],
            history_url=reverse("admin:bulletins_article_history", args=[article.pk]),
        )
