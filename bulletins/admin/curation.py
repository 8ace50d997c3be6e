"""Source and tag upkeep in the admin: merge duplicates, rename with a redirect.

Merging deletes the merged objects, so it needs the delete permission (审核); renaming
needs the change permission (编辑 and 审核). Both are logged in the admin log.
"""

from django import forms
from django.contrib import admin, messages
from django.core.validators import validate_unicode_slug
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..editorial import curation
from ..models import Source, SourceAlias
from .pages import action_page


class MergeForm(forms.Form):
    keep = forms.ModelChoiceField(
        label=gettext_lazy("保留"),
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        help_text=gettext_lazy("其余所选项的文章移到保留项下，旧网址永久转向保留项。"),
    )

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].queryset = queryset


class RenameForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("新名称"), max_length=100)
    slug = forms.CharField(
        label=gettext_lazy("新网址名"),
        max_length=60,
        required=False,
        validators=[validate_unicode_slug],
        help_text=gettext_lazy("留空则按新名称生成；旧网址会永久转向新网址。"),
    )

    def __init__(self, *args, obj, **kwargs):
        super().__init__(*args, **kwargs)
        self.obj = obj
        self.fields["name"].initial = obj.name

    def _taken(self, **lookup) -> bool:
        return type(self.obj).objects.filter(**lookup).exclude(pk=self.obj.pk).exists()

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if self._taken(name=name):
            raise forms.ValidationError(_("已有同名的一项；要合并请用“合并所选”。"))
        if isinstance(self.obj, Source) and (
            SourceAlias.objects.filter(name=name).exclude(source=self.obj).exists()
        ):
            raise forms.ValidationError(_("这个名称已是另一来源的别名。"))
        return name

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if slug and self._taken(slug=slug):
            raise forms.ValidationError(_("这个网址名已被使用。"))
        return slug


class UpkeepActionsMixin:
    """For SourceAdmin and TagAdmin: 'merge selected' and 'rename'."""

    actions = ["merge_selected", "rename_selected"]
    merge = None  # staticmethod(curation.merge_sources) or staticmethod(curation.merge_tags)

    def has_merge_permission(self, request):
        # Merging deletes the merged objects. (An action's permissions list means "any of".)
        return self.has_change_permission(request) and self.has_delete_permission(request)

    @admin.action(description=gettext_lazy("合并所选…"), permissions=["merge"])
    def merge_selected(self, request, queryset):
        if queryset.count() < 2:
            self.message_user(request, _("请至少选择两项再合并。"), messages.WARNING)
            return None
        form = MergeForm(request.POST if "apply" in request.POST else None, queryset=queryset)
        if not form.is_valid():
            return action_page(
                self,
                request,
                queryset,
                action="merge_selected",
                title=_("合并%s") % self.opts.verbose_name,
                explanation=_(
                    "选择要保留的一项。其余各项的文章移到它名下，名称成为别名，旧网址永久转向它。"
                ),
                form=form,
                submit_label=_("合并"),
            )
        keep = form.cleaned_data["keep"]
        others = list(queryset.exclude(pk=keep.pk))
        names = "、".join(other.name for other in others)
        message = _("合并：%(names)s 并入 %(keep)s") % {"names": names, "keep": keep.name}
        self.log_deletions(request, queryset.exclude(pk=keep.pk))
        moved = self.merge(keep, others)
        self.log_change(request, keep, message)
        self.message_user(
            request,
            _("%(message)s，移动了 %(count)s 篇文章。") % {"message": message, "count": moved},
            messages.SUCCESS,
        )
        return None

    @admin.action(description=gettext_lazy("改名（旧网址自动转向）…"), permissions=["change"])
    def rename_selected(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("一次只能改名一项。"), messages.WARNING)
            return None
        obj = queryset.get()
        form = RenameForm(request.POST if "apply" in request.POST else None, obj=obj)
        if not form.is_valid():
            return action_page(
                self,
                request,
                queryset,
                action="rename_selected",
                title=_("改名：%s") % obj.name,
                explanation=_("旧网址 %s 会永久转向新网址。") % obj.get_absolute_url(),
                form=form,
                submit_label=_("改名"),
            )
        old_name, old_url = obj.name, obj.get_absolute_url()
        curation.rename(obj, form.cleaned_data["name"], form.cleaned_data["slug"])
        message = _("改名：%(old)s → %(new)s（%(old_url)s 转向 %(new_url)s）") % {
            "old": old_name,
            "new": obj.name,
            "old_url": old_url,
            "new_url": obj.get_absolute_url(),
        }
        self.log_change(request, obj, message)
        self.message_user(request, message, messages.SUCCESS)
        return None
