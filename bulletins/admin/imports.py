"""The admin's 导入简报 page: upload bulletin files, review every parsed field, confirm.

Uploaded files are checked (size, and that the content is what the extension says) and
kept in the database (``PendingImport``) under a batch id, so that any app server can show
the review and take the confirmation. The confirmation names the batch and the files to
import; the stored bytes are parsed again and loaded, never anything the browser sends
back. Imports from the admin are always drafts: publishing goes through review. The
importer asks the workflow rule about the acting user: an editor's re-import of a published
or scheduled issue is shown as an error on the review page and refused on confirmation.
"""

import datetime
import uuid
from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..editorial import history
from ..importing import BulletinParseError, ParsedArticle, ParsedBulletin, Problem, parse_document
from ..importing.filetypes import EXTENSIONS, check_file, too_large
from ..importing.load import ImportPlan, SourcePlan, load_bulletin, plan_bulletin
from ..models import Issue, PendingImport
from ..text.markdown import render_markdown


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that takes several files and cleans to a list of them."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        cleaned, refused = [], []
        for item in files:
            try:
                cleaned.append(super().clean(item, initial))
            except forms.ValidationError as error:
                refused += [f"{getattr(item, 'name', '')}：{text}" for text in error.messages]
        if refused:
            raise forms.ValidationError(refused)
        return cleaned


class ImportUploadForm(forms.Form):
    files = MultipleFileField(
        label=gettext_lazy("简报文件"),
        widget=MultipleFileInput(attrs={"accept": ",".join(f".{ext}" for ext in EXTENSIONS)}),
    )

    def clean_files(self):
        """The uploaded files, or an error naming each file that is refused.

        Each file is read and checked on its own and then rewound, so that a large upload
        never holds more than one file in memory.
        """
        uploads = self.cleaned_data["files"]
        limit = settings.BULLETIN_IMPORT_MAX_FILES
        if len(uploads) > limit:
            raise forms.ValidationError(
                _("一次最多上传 %(limit)s 个文件，本次选择了 %(n)s 个。")
                % {"limit": limit, "n": len(uploads)}
            )
        accepted, refused = [], []
        max_bytes = settings.BULLETIN_IMPORT_MAX_BYTES
        for upload in uploads:
            if upload.size > max_bytes:  # refused before it is read into memory
                refused.append(f"{upload.name}：{too_large(upload.size, max_bytes)}")
                continue
            try:
                check_file(upload.name, upload.read(), max_bytes=max_bytes)
            except BulletinParseError as error:
                refused.extend(f"{upload.name}：{p.message}" for p in error.problems)
                continue
            upload.seek(0)
            accepted.append(upload)
        if refused:
            raise forms.ValidationError(refused)
        return accepted


@dataclass
class ArticleReview:
    position: int
    parsed: ParsedArticle
    source: SourcePlan | None
    body_html: str


@dataclass
class FileReview:
    """One uploaded file as the editor sees it before confirming."""

    upload: PendingImport
    parsed: ParsedBulletin | None = None
    plan: ImportPlan | None = None
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    articles: list[ArticleReview] = field(default_factory=list)

    @property
    def importable(self) -> bool:
        return self.plan is not None and not self.errors


def review_file(upload: PendingImport, user, can_change) -> FileReview:
    """Parse and plan one stored upload as ``user`` would import it.

    ``can_change(issue)`` says if the existing issue may be updated at all.
    """
    review = FileReview(upload)
    try:
        review.parsed = parse_document(upload.name, bytes(upload.data))
    except BulletinParseError as error:
        review.errors = error.problems
        return review
    plan = plan_bulletin(review.parsed, user=user)
    review.errors = list(plan.errors)
    if plan.existing is not None and not can_change(plan.existing):
        review.errors.append(
            Problem(0, _("%(issue)s已存在，你没有修改它的权限。") % {"issue": plan.label})
        )
    review.plan = plan
    review.warnings = plan.warnings
    review.articles = [
        ArticleReview(
            position=position,
            parsed=article,
            source=plan.source_for(article),
            # Sanitised by render_markdown (nh3), as Article.body_html is.
            body_html=mark_safe(render_markdown(article.body)),  # noqa: S308
        )
        for position, article in enumerate(review.parsed.articles, start=1)
    ]
    return review


class IssueImportMixin:
    """Adds the import pages to IssueAdmin (URL names bulletins_issue_import[_review])."""

    def get_urls(self):
        extra = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_upload_view),
                name="bulletins_issue_import",
            ),
            path(
                "import/<uuid:batch>/",
                self.admin_site.admin_view(self.import_review_view),
                name="bulletins_issue_import_review",
            ),
        ]
        return extra + super().get_urls()

    def _import_context(self, request, title, **context):
        return {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "max_megabytes": settings.BULLETIN_IMPORT_MAX_BYTES // (1024 * 1024),
            "max_files": settings.BULLETIN_IMPORT_MAX_FILES,
            "keep_hours": settings.BULLETIN_IMPORT_KEEP_HOURS,
            **context,
        }

    def _check_import_permission(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied

    def import_upload_view(self, request):
        """Step 1: choose files. Valid ones are stored and the review page opens."""
        self._check_import_permission(request)
        form = ImportUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            batch = uuid.uuid4()
            with transaction.atomic():
                _expired().delete()
                for position, upload in enumerate(form.cleaned_data["files"]):
                    PendingImport.objects.create(
                        batch=batch,
                        position=position,
                        user=request.user,
                        name=upload.name[:255],
                        data=upload.read(),
                    )
            return redirect("admin:bulletins_issue_import_review", batch=batch)
        context = self._import_context(request, _("导入简报"), form=form)
        return TemplateResponse(request, "admin/bulletins/issue/import_upload.html", context)

    def import_review_view(self, request, batch):
        """Step 2: every parsed field beside its warnings; POST confirms and imports."""
        self._check_import_permission(request)
        uploads = list(
            PendingImport.objects.filter(batch=batch, user=request.user).exclude(
                pk__in=_expired().values("pk")
            )
        )
        if not uploads:
            messages.error(request, _("上传的文件已过期或不存在，请重新上传。"))
            return redirect("admin:bulletins_issue_import")
        if request.method == "POST":
            return self._confirm_import(request, batch, uploads)

        def can_change(issue):
            return self.has_change_permission(request, issue)

        reviews = [review_file(upload, request.user, can_change) for upload in uploads]
        context = self._import_context(
            request,
            _("核对导入内容"),
            reviews=reviews,
            importable=sum(review.importable for review in reviews),
        )
        return TemplateResponse(request, "admin/bulletins/issue/import_review.html", context)

    def _confirm_import(self, request, batch, uploads):
        chosen = set(request.POST.getlist("upload"))
        selected = [upload for upload in uploads if str(upload.pk) in chosen]
        if not selected:
            messages.warning(request, _("没有选择要导入的文件。"))
            return redirect("admin:bulletins_issue_import_review", batch=batch)
        imported = []
        for upload in selected:
            issue = self._import_one(request, upload)
            if issue is not None:
                imported.append(issue)
        PendingImport.objects.filter(batch=batch, user=request.user).delete()
        if len(selected) == 1 and len(imported) == 1:
            return redirect("admin:bulletins_issue_change", imported[0].pk)
        return redirect("admin:bulletins_issue_changelist")

    def _import_one(self, request, upload) -> Issue | None:
        """Load one stored file as a draft; a message says what happened either way."""
        try:
            parsed = parse_document(upload.name, bytes(upload.data))
            plan = plan_bulletin(parsed, user=request.user)
            if plan.existing is not None and not self.has_change_permission(request, plan.existing):
                raise BulletinParseError(
                    [Problem(0, _("%(issue)s已存在，你没有修改它的权限。") % {"issue": plan.label})]
                )
            note = _("从文件“%(file)s”导入") % {"file": upload.name}
            with history.recorded(request.user, note):
                result = load_bulletin(parsed, publish=False, user=request.user)
                history.add(result.issue)
        except BulletinParseError as error:
            # The file's name is quoted: the admin capitalises a message's first letter,
            # which would misname weekly.txt as Weekly.txt.
            messages.error(
                request,
                _("“%(file)s”：未导入。%(problems)s")
                % {"file": upload.name, "problems": "；".join(p.message for p in error.problems)},
            )
            return None
        issue = result.issue
        if result.created:
            self.log_addition(request, issue, note)
            text = _("“%(file)s”：已新建%(issue)s（草稿），%(n)s篇文章。")
        else:
            self.log_change(request, issue, note)
            text = _("“%(file)s”：已更新%(issue)s（草稿），%(n)s篇文章。")
        text %= {"file": upload.name, "issue": str(issue), "n": len(parsed.articles)}
        if result.new_sources:
            text += _("新建来源：%(names)s。") % {
                "names": "、".join(source.name for source in result.new_sources)
            }
        if result.warnings:
            text += _("有 %(n)s 条提醒，已在导入前列出。") % {"n": len(result.warnings)}
        messages.success(request, text)
        return issue


def _expired():
    cutoff = timezone.now() - datetime.timedelta(hours=settings.BULLETIN_IMPORT_KEEP_HOURS)
    return PendingImport.objects.filter(uploaded_at__lt=cutoff)
