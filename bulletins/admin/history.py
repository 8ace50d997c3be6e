"""History in the admin: every write recorded, and pages to compare and restore versions.

Issues: 修改记录 (the admin's history link) lists the versions of the issue with its
articles; any two can be compared, and a version can be restored (a new version that
brings the old text and articles back; status and sign-off stay). Articles: their
versions can be compared; restoring goes through the issue (one revision holds both).
"""

import contextlib

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from reversion.models import Version

from ..editorial import history
from ..models import Issue, Series
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


class IssueHistoryAdminMixin(RecordedAdminMixin):
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
