"""The review routine in the admin: forms that ask workflow.py, and the list actions.

Editors see the status field without 已发布 and no publication time; on a published
issue they see status, publication time, series and number read-only, cannot add or
remove articles, and a change of the articles' positions (their order) is refused with a
message. The form validates every change against ``workflow.refusal`` and the save checks
again, so a hand-made POST is refused as well.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ..editorial import history, workflow
from ..models import Issue
from .pages import action_page


class IssueAdminForm(forms.ModelForm):
    user = None  # set per request by WorkflowIssueAdminMixin.get_form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        adding = self.instance._state.adding
        self.state_before = None if adding else workflow.State.of(self.instance)

    def _post_clean(self):
        super()._post_clean()  # the instance now holds the submitted values
        reason = workflow.refusal(self.user, self.state_before, workflow.State.of(self.instance))
        if reason:
            self.add_error(None, reason)


class ArticleAdminForm(forms.ModelForm):
    user = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.issue_before = None if self.instance._state.adding else self.instance.issue

    def _post_clean(self):
        super()._post_clean()
        issue_after = self.instance.issue if self.instance.issue_id else None
        reason = workflow.article_refusal(self.user, self.issue_before, issue_after)
        if reason:
            self.add_error("issue" if "issue" in self.fields else None, reason)
        elif "position" in self.changed_data and self.issue_before == issue_after:
            reason = workflow.order_refusal(self.user, self.issue_before)
            if reason:
                self.add_error("position", reason)


def form_for_user(form_class, user):
    """``form_class`` knowing who submits it."""
    return type(form_class.__name__, (form_class,), {"user": user})


class ScheduleForm(forms.Form):
    published_at = forms.DateTimeField(
        label=_("公开时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        help_text=_("到达此时间后自动对公众可见，无需再操作。"),
    )

    def clean_published_at(self):
        value = self.cleaned_data["published_at"]
        if value <= timezone.now():
            raise forms.ValidationError(_("请选择将来的时间；立即发布请用“审核通过并立即发布”。"))
        return value


class WorkflowIssueAdminMixin:
    """For IssueAdmin: workflow-aware form, read-only fields, deletion and list actions."""

    form = IssueAdminForm
    actions = ["submit_for_review", "approve_now", "schedule", "unpublish"]

    def has_publish_permission(self, request):
        return workflow.may_publish(request.user)

    def get_form(self, request, obj=None, **kwargs):
        return form_for_user(super().get_form(request, obj, **kwargs), request.user)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not workflow.may_publish(request.user):
            fields.append("published_at")
            if obj is not None and obj.status == Issue.Status.PUBLISHED:
                fields += ["status", "series", "number"]
        return fields

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status" and not workflow.may_publish(request.user):
            kwargs["choices"] = [
                choice for choice in Issue.Status.choices if choice[0] != Issue.Status.PUBLISHED
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        before = getattr(form, "state_before", None)
        workflow.check(request.user, before, workflow.State.of(obj))
        workflow.settle(obj, request.user, before)
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and not (obj and workflow.deletion_refusal(request.user, obj))

    def delete_queryset(self, request, queryset):
        for issue in queryset:
            reason = workflow.deletion_refusal(request.user, issue)
            if reason:
                raise PermissionDenied(reason)
        super().delete_queryset(request, queryset)

    @admin.display(description=_("签发"))
    def sign_off_display(self, obj):
        if obj is None or obj.approved_at is None:
            return _("尚未签发")
        return obj.sign_off

    def _report(self, request, done, skipped, done_message, skipped_message):
        if done:
            self.message_user(request, done_message % {"count": done}, messages.SUCCESS)
        if skipped:
            self.message_user(request, skipped_message % {"count": skipped}, messages.WARNING)

    @admin.action(description=_("提交审核"), permissions=["change"])
    def submit_for_review(self, request, queryset):
        history.set_comment(str(_("提交审核")))
        done = sum(workflow.submit(issue, request.user) for issue in queryset)
        self._report(
            request,
            done,
            queryset.count() - done,
            _("已提交审核 %(count)s 期。"),
            _("%(count)s 期不是草稿，未提交。"),
        )

    @admin.action(description=_("审核通过并立即发布"), permissions=["publish"])
    def approve_now(self, request, queryset):
        history.set_comment(str(_("审核通过并立即发布")))
        done = 0
        for issue in queryset:
            if not issue.is_published():
                workflow.approve(issue, request.user)
                done += 1
        self._report(
            request,
            done,
            queryset.count() - done,
            _("已签发并发布 %(count)s 期。"),
            _("%(count)s 期已经公开，未改动。"),
        )

    @admin.action(description=_("审核通过并定时发布…"), permissions=["publish"])
    def schedule(self, request, queryset):
        form = ScheduleForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            at = form.cleaned_data["published_at"]
            history.set_comment(str(_("审核通过并定时发布")))
            for issue in queryset:
                workflow.approve(issue, request.user, at=at)
            self.message_user(
                request,
                format_html(
                    "{} {}",
                    _("已签发 %(count)s 期，定时发布于") % {"count": queryset.count()},
                    timezone.localtime(at).strftime("%Y-%m-%d %H:%M"),
                ),
                messages.SUCCESS,
            )
            return None
        return action_page(
            self,
            request,
            queryset,
            action="schedule",
            title=_("定时发布"),
            explanation=_("所选期刊将由你签发，并在下面的时间自动公开。"),
            form=form,
            submit_label=_("签发并定时发布"),
        )

    @admin.action(description=_("撤回为草稿（撤销发布或退回修改）"), permissions=["publish"])
    def unpublish(self, request, queryset):
        history.set_comment(str(_("撤回为草稿")))
        done = sum(workflow.unpublish(issue, request.user) for issue in queryset)
        self._report(
            request,
            done,
            queryset.count() - done,
            _("已撤回 %(count)s 期为草稿。"),
            _("%(count)s 期本来就是草稿。"),
        )


class WorkflowArticleAdminMixin:
    """For ArticleAdmin: no adding to, removing from or moving out of a published issue."""

    form = ArticleAdminForm

    def get_form(self, request, obj=None, **kwargs):
        return form_for_user(super().get_form(request, obj, **kwargs), request.user)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and not (obj and workflow.article_refusal(request.user, obj.issue, None))

    def delete_queryset(self, request, queryset):
        for article in queryset.select_related("issue"):
            reason = workflow.article_refusal(request.user, article.issue, None)
            if reason:
                raise PermissionDenied(reason)
        super().delete_queryset(request, queryset)


class WorkflowInlineFormSet(forms.BaseInlineFormSet):
    """An issue's articles: a change of their positions asks ``workflow.order_refusal``."""

    user = None  # set per request by WorkflowInlineMixin.get_formset

    def clean(self):
        super().clean()
        moved = [
            form
            for form in self.initial_forms
            if "position" in form.changed_data and not self._should_delete_form(form)
        ]
        reason = moved and workflow.order_refusal(self.user, self.instance)
        if reason:
            raise ValidationError(reason, code="reorder_refused")


class WorkflowInlineMixin:
    """For the articles inline on an issue: same rule as WorkflowArticleAdminMixin, and
    their order (WorkflowInlineFormSet)."""

    formset = WorkflowInlineFormSet

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset,), {"user": request.user})

    def has_add_permission(self, request, obj=None):
        allowed = super().has_add_permission(request, obj)
        return allowed and not (obj and workflow.article_refusal(request.user, None, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and not (obj and workflow.article_refusal(request.user, obj, None))
