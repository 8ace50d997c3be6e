"""The admin's 导入简报 pages: upload bulletin files, review every parsed field, confirm.

Three steps, each a short request whatever the number and size of the files:

1. Upload. Files are checked (size, and that the content is what the extension says) and
   kept in the database (``PendingImport``) under a batch id, so that any app server can
   take the next step. Nothing is parsed yet.
2. Review. Each file is parsed once and what it was read as is stored with it
   (``PendingImport.parsed``); later visits rebuild it from there. A page parses files for
   about ``PARSE_SECONDS`` (always at least one) and offers to go on with the rest. The
   plan (what the import would create, update, refuse) is asked afresh on every visit: it
   depends on the archive, not on the file. Re-importing an issue that is public (published
   or scheduled) shows a confirmation box with the old → new table of its articles, and
   needs its own tick (``replace``); without it nothing is written.
3. Confirm. The chosen files are queued (``PendingImport.outcome``) and imported one per
   request, each whole or not at all: the confirmation imports the first, the progress page
   posts back for each next one (a small script presses the button; without JavaScript the
   editor does), and shows which files were imported and which were not, and why. After the
   last, every file's outcome is a message and the batch is deleted.

The confirmation names the batch and files; what is imported is what was stored, never
anything the browser sends back. Admin imports are always drafts: publishing goes through
review. The importer asks the workflow rule about the acting user: an editor's re-import of
a published or scheduled issue is shown as an error on the review page and refused on
confirmation. An issue's state before a re-import is recorded in its history.
"""

import dataclasses
import datetime
import time
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
from ..importing import (
    BulletinParseError,
    ParsedArticle,
    ParsedBulletin,
    Problem,
    TocEntry,
    parse_document,
)
from ..importing.filetypes import EXTENSIONS, check_file, too_large
from ..importing.load import ImportPlan, SourcePlan, load_bulletin, pair_articles, plan_bulletin
from ..models import Article, Issue, PendingImport
from ..text.markdown import render_markdown

# How long a review page goes on parsing stored files, in seconds; it always parses one.
PARSE_SECONDS = 2.0


def _shape(*classes) -> str:
    return ";".join(
        f"{cls.__name__}:{','.join(f.name for f in dataclasses.fields(cls))}" for cls in classes
    )


# The shape of PendingImport.parsed: a parse stored before the parser's results changed
# their fields (a deploy while a file waits) is parsed again, never misread.
PARSED_FORMAT = f"1 {_shape(ParsedBulletin, ParsedArticle, TocEntry, Problem)}"

# PendingImport.outcome["state"]
QUEUED, IMPORTED, FAILED = "queued", "imported", "failed"


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


# --- the stored parse -------------------------------------------------------------------


def bulletin_to_json(parsed: ParsedBulletin) -> dict:
    """``parsed`` as JSON values (dates as ISO strings); ``bulletin_from_json`` reverses it."""

    def plain(value):
        if isinstance(value, datetime.date):
            return value.isoformat()
        if isinstance(value, list):
            return [plain(item) for item in value]
        if isinstance(value, dict):
            return {key: plain(item) for key, item in value.items()}
        return value

    return plain(dataclasses.asdict(parsed))


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def bulletin_from_json(data: dict) -> ParsedBulletin:
    return ParsedBulletin(
        **{
            **data,
            "publication_date": _date(data["publication_date"]),
            "period_start": _date(data["period_start"]),
            "period_end": _date(data["period_end"]),
            "toc": [TocEntry(**entry) for entry in data["toc"]],
            "articles": [
                ParsedArticle(**{**article, "original_date": _date(article["original_date"])})
                for article in data["articles"]
            ],
            "warnings": [Problem(**problem) for problem in data["warnings"]],
        }
    )


def is_parsed(upload: PendingImport) -> bool:
    return bool(upload.parsed) and upload.parsed.get("format") == PARSED_FORMAT


def read_upload(upload: PendingImport) -> ParsedBulletin:
    """What the stored file holds: parsed the first time, rebuilt from the stored parse after.

    Raises ``BulletinParseError`` with the problems the parse found (stored likewise).
    """
    if not is_parsed(upload):
        try:
            stored = {"bulletin": bulletin_to_json(parse_document(upload.name, bytes(upload.data)))}
        except BulletinParseError as error:
            stored = {"problems": [dataclasses.asdict(problem) for problem in error.problems]}
        upload.parsed = {"format": PARSED_FORMAT, **stored}
        upload.save(update_fields=["parsed"])
    if "problems" in upload.parsed:
        raise BulletinParseError([Problem(**problem) for problem in upload.parsed["problems"]])
    return bulletin_from_json(upload.parsed["bulletin"])


# --- the review -------------------------------------------------------------------------


def is_public(issue: Issue | None) -> bool:
    """Published, or scheduled to be: what readers see or will see without a reviewer."""
    return issue is not None and issue.status == Issue.Status.PUBLISHED


def is_scheduled(issue: Issue | None) -> bool:
    return is_public(issue) and bool(issue.published_at) and issue.published_at > timezone.now()


def replace_label(issue: Issue, label: str) -> str:
    """The words of the tick that confirms replacing a public issue."""
    if is_scheduled(issue):
        return _("确认覆盖已定时发布的%(issue)s") % {"issue": label}
    return _("确认覆盖已发布的%(issue)s") % {"issue": label}


@dataclass
class ArticleReview:
    position: int
    parsed: ParsedArticle
    source: SourcePlan | None
    body_html: str


# What the old → new table says changed or not about an article that stays, in this order.
COMPARED = [
    ("title", gettext_lazy("标题")),
    ("source", gettext_lazy("来源")),
    ("link", gettext_lazy("链接")),
    ("body", gettext_lazy("正文")),
]


@dataclass
class ArticleChange:
    """One line of a re-import's old → new table: an article kept, new or removed."""

    old: Article | None  # None: a new article
    new: ParsedArticle | None  # None: the old article is removed (its permalink answers 410)
    position: int | None = None  # where it stands after the import
    changed: list[tuple[str, bool]] = field(default_factory=list)  # (label, changed) as COMPARED

    @property
    def kind(self) -> str:
        return "new" if self.old is None else "removed" if self.new is None else "kept"

    @property
    def moved(self) -> bool:
        return self.kind == "kept" and self.old.position != self.position


def _stored_as(name: str, value: str) -> str:
    """``value`` as the Article field ``name`` would store it (the model cleans text)."""
    return Article._meta.get_field(name).to_python(value).strip()


def article_changes(plan: ImportPlan) -> list[ArticleChange]:
    """Each parsed article beside the existing one it is (kept) or none (new); then the
    existing articles the import removes."""
    existing = list(plan.existing.articles.select_related("source").order_by("position"))
    pairs = pair_articles(existing, plan.parsed.articles)
    changes = []
    for position, (new, old) in enumerate(zip(plan.parsed.articles, pairs, strict=True), 1):
        change = ArticleChange(old=old, new=new, position=position)
        if old is not None:
            source_plan = plan.source_for(new)
            source = source_plan.source if source_plan else None
            differs = {
                "title": _stored_as("title", new.title) != old.title.strip(),
                "source": (source.pk if source else None) != old.source_id
                or (source_plan is not None and source_plan.is_new),
                "link": new.link != old.original_url,
                "body": _stored_as("body", new.body) != old.body.strip(),
            }
            change.changed = [(str(label), differs[name]) for name, label in COMPARED]
        changes.append(change)
    paired = {old.pk for old in pairs if old is not None}
    changes += [ArticleChange(old=old, new=None) for old in existing if old.pk not in paired]
    return changes


@dataclass
class FileReview:
    """One uploaded file as the editor sees it before confirming."""

    upload: PendingImport
    parsed: ParsedBulletin | None = None
    plan: ImportPlan | None = None
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    articles: list[ArticleReview] = field(default_factory=list)
    changes: list[ArticleChange] = field(default_factory=list)  # when it updates an issue
    replace_refused: bool = False  # confirmed without ticking the replacement of a public issue

    @property
    def importable(self) -> bool:
        return self.plan is not None and not self.errors

    @property
    def replaces_public(self) -> bool:
        """Importing it would replace what readers see: it needs the explicit tick."""
        return self.importable and is_public(self.plan.existing)

    @property
    def replace_label(self) -> str:
        return replace_label(self.plan.existing, self.plan.label) if self.replaces_public else ""

    @property
    def scheduled(self) -> bool:
        return is_scheduled(self.plan.existing if self.plan else None)

    def _changes(self, kind: str) -> int:
        return sum(change.kind == kind for change in self.changes)

    @property
    def kept_count(self) -> int:
        return self._changes("kept")

    @property
    def new_count(self) -> int:
        return self._changes("new")

    @property
    def removed_count(self) -> int:
        return self._changes("removed")


def change_refusal(plan: ImportPlan, can_change) -> Problem | None:
    if plan.existing is not None and not can_change(plan.existing):
        return Problem(0, _("%(issue)s已存在，你没有修改它的权限。") % {"issue": plan.label})
    return None


def review_file(upload: PendingImport, user, can_change) -> FileReview:
    """One stored upload as ``user`` would import it (parsed once, planned afresh).

    ``can_change(issue)`` says if the existing issue may be updated at all.
    """
    review = FileReview(upload)
    try:
        review.parsed = read_upload(upload)
    except BulletinParseError as error:
        review.errors = error.problems
        return review
    plan = plan_bulletin(review.parsed, user=user)
    review.errors = list(plan.errors)
    refused = change_refusal(plan, can_change)
    if refused:
        review.errors.append(refused)
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
    if plan.existing is not None:
        review.changes = article_changes(plan)
    return review


# --- the import, one file at a time -----------------------------------------------------


def state(upload: PendingImport) -> str | None:
    """QUEUED, IMPORTED or FAILED once confirmed; None before."""
    return (upload.outcome or {}).get("state")


def failed(upload: PendingImport, problems: list[Problem]) -> dict:
    # The file's name is quoted: the admin capitalises a message's first letter, which
    # would misname weekly.txt as Weekly.txt.
    message = _("“%(file)s”：未导入。%(problems)s") % {
        "file": upload.name,
        "problems": "；".join(problem.message for problem in problems),
    }
    return {"state": FAILED, "message": message}


@dataclass
class Progress:
    """Where a confirmed batch stands, for the progress page."""

    uploads: list[PendingImport]  # the confirmed files, in upload order

    def _count(self, wanted: str) -> int:
        return sum(state(upload) == wanted for upload in self.uploads)

    @property
    def total(self) -> int:
        return len(self.uploads)

    @property
    def imported(self) -> int:
        return self._count(IMPORTED)

    @property
    def not_imported(self) -> int:
        return self._count(FAILED)

    @property
    def waiting(self) -> int:
        return self._count(QUEUED)

    @property
    def next_number(self) -> int:
        return self.total - self.waiting + 1


class IssueImportMixin:
    """Adds the import pages to IssueAdmin (URL names bulletins_issue_import[_review|_progress])."""

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
            path(
                "import/<uuid:batch>/progress/",
                self.admin_site.admin_view(self.import_progress_view),
                name="bulletins_issue_import_progress",
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
            "compared": COMPARED,
            **context,
        }

    def _check_import_permission(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied

    def _batch(self, request, batch):
        """The user's stored files of ``batch`` that have not expired, without their bytes."""
        return (
            PendingImport.objects.filter(batch=batch, user=request.user)
            .exclude(pk__in=_expired().values("pk"))
            .defer("data")
        )

    def _gone(self, request):
        messages.error(request, _("上传的文件已过期或不存在，请重新上传。"))
        return redirect("admin:bulletins_issue_import")

    def import_upload_view(self, request):
        """Step 1: choose files. Valid ones are stored (not parsed) and the review opens."""
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
        """Step 2: every parsed field beside its warnings; POST confirms and imports one file."""
        self._check_import_permission(request)
        uploads = list(self._batch(request, batch))
        if not uploads:
            return self._gone(request)
        if any(state(upload) for upload in uploads):  # confirmed already: see how it goes
            return redirect("admin:bulletins_issue_import_progress", batch=batch)
        if request.method == "POST":
            return self._confirm_import(request, batch, uploads)
        return self._review_page(request, uploads)

    def _can_change(self, request):
        def can_change(issue):
            return self.has_change_permission(request, issue)

        return can_change

    def _review_page(self, request, uploads, refused_replace=()):
        """The review of each file parsed so far; parses the next ones for PARSE_SECONDS."""
        can_change = self._can_change(request)
        deadline = time.monotonic() + PARSE_SECONDS
        reviews, waiting, parsed_now = [], [], 0
        for upload in uploads:
            if not is_parsed(upload):
                if parsed_now and time.monotonic() >= deadline:
                    waiting.append(upload)
                    continue
                parsed_now += 1
            review = review_file(upload, request.user, can_change)
            review.replace_refused = upload.pk in refused_replace
            reviews.append(review)
        context = self._import_context(
            request,
            _("核对导入内容"),
            reviews=reviews,
            waiting=waiting,
            parsed_count=len(reviews),
            total_files=len(uploads),
            importable=0 if waiting else sum(review.importable for review in reviews),
            refused_replace=[review for review in reviews if review.replace_refused],
        )
        return TemplateResponse(request, "admin/bulletins/issue/import_review.html", context)

    def _confirm_import(self, request, batch, uploads):
        """Queue the chosen files, then import the first; a public issue needs its tick."""
        chosen = set(request.POST.getlist("upload"))
        selected = [upload for upload in uploads if str(upload.pk) in chosen]
        if not selected:
            messages.warning(request, _("没有选择要导入的文件。"))
            return redirect("admin:bulletins_issue_import_review", batch=batch)
        ticked = set(request.POST.getlist("replace"))
        can_change = self._can_change(request)
        outcomes, unticked = {}, set()
        for upload in selected:
            replace = None
            try:
                plan = plan_bulletin(read_upload(upload), user=request.user)
            except BulletinParseError:
                plan = None  # the import step says why
            if plan and not plan.errors and not change_refusal(plan, can_change):
                if is_public(plan.existing):
                    if str(upload.pk) not in ticked:
                        unticked.add(upload.pk)
                    replace = plan.existing.pk
            outcomes[upload.pk] = {"state": QUEUED, "replace": replace}
        if unticked:  # nothing is written; the review says which tick is missing
            return self._review_page(request, uploads, refused_replace=unticked)
        with transaction.atomic():
            for upload in selected:
                upload.outcome = outcomes[upload.pk]
                upload.save(update_fields=["outcome"])
        self._import_next(request, batch)
        return self._after_step(request, batch)

    def import_progress_view(self, request, batch):
        """Step 3: which files are imported, which not and why; POST imports the next one."""
        self._check_import_permission(request)
        uploads = list(self._batch(request, batch).defer("data", "parsed"))
        if not uploads:
            return self._gone(request)
        confirmed = [upload for upload in uploads if state(upload)]
        if not confirmed:
            return redirect("admin:bulletins_issue_import_review", batch=batch)
        if request.method == "POST":
            if "stop" in request.POST:
                self._stop(request, confirmed)
            else:
                self._import_next(request, batch)
            return self._after_step(request, batch)
        context = self._import_context(
            request,
            _("导入进度"),
            batch=batch,
            progress=Progress(confirmed),
        )
        return TemplateResponse(request, "admin/bulletins/issue/import_progress.html", context)

    def _queued(self, request, batch) -> list[PendingImport]:
        return [
            upload
            for upload in self._batch(request, batch).defer("data", "parsed")
            if state(upload) == QUEUED
        ]

    def _after_step(self, request, batch):
        """On to the next file, or, when none is left, the outcome of every file."""
        if self._queued(request, batch):
            return redirect("admin:bulletins_issue_import_progress", batch=batch)
        return self._finish(request, batch)

    def _import_next(self, request, batch) -> None:
        """Import the batch's next queued file (one only), recording its outcome with it.

        The file's row is locked while it is imported, so that two requests (a double
        click, two tabs) never import the same file twice.
        """
        for waiting in self._queued(request, batch):
            with transaction.atomic():
                upload = PendingImport.objects.select_for_update().filter(pk=waiting.pk).first()
                if upload is None or state(upload) != QUEUED:
                    continue
                upload.outcome = self._import_one(request, upload, upload.outcome.get("replace"))
                upload.save(update_fields=["outcome"])
                return

    def _stop(self, request, confirmed) -> None:
        with transaction.atomic():
            for upload in confirmed:
                if state(upload) == QUEUED:
                    upload.outcome = failed(upload, [Problem(0, _("导入已停止。"))])
                    upload.save(update_fields=["outcome"])

    def _finish(self, request, batch):
        """Say what happened to each confirmed file, clear the batch, show the result."""
        uploads = list(self._batch(request, batch).defer("data", "parsed"))
        done = [upload for upload in uploads if state(upload) in (IMPORTED, FAILED)]
        for upload in done:
            level = messages.SUCCESS if state(upload) == IMPORTED else messages.ERROR
            messages.add_message(request, level, upload.outcome["message"])
        PendingImport.objects.filter(pk__in=[upload.pk for upload in uploads]).delete()
        if len(done) == 1 and state(done[0]) == IMPORTED:
            return redirect("admin:bulletins_issue_change", done[0].outcome["issue"])
        return redirect("admin:bulletins_issue_changelist")

    def _import_one(self, request, upload, replace) -> dict:
        """Load one stored file as a draft, whole or not at all; its outcome.

        ``replace`` is the public issue whose replacement the editor ticked, if any.
        """
        try:
            parsed = read_upload(upload)
            plan = plan_bulletin(parsed, user=request.user)
            refused = change_refusal(plan, self._can_change(request))
            if plan.errors or refused:
                raise BulletinParseError([*plan.errors, *([refused] if refused else [])])
            if is_public(plan.existing) and replace != plan.existing.pk:
                raise BulletinParseError(
                    [Problem(0, _("%(issue)s已公开，没有确认覆盖。") % {"issue": plan.label})]
                )
            note = _("从文件“%(file)s”导入") % {"file": upload.name}
            with transaction.atomic():  # load_bulletin records the state it replaces
                with history.recorded(request.user, note):
                    result = load_bulletin(parsed, publish=False, user=request.user)
                    history.add(result.issue)
        except BulletinParseError as error:
            return failed(upload, error.problems)
        issue = result.issue
        if result.created:
            self.log_addition(request, issue, note)
            text = _("“%(file)s”：已新建%(issue)s（草稿），%(n)s篇文章。")
        else:
            self.log_change(request, issue, note)
            text = _("“%(file)s”：已更新%(issue)s（草稿），%(n)s篇文章。")
        text %= {"file": upload.name, "issue": str(issue), "n": len(parsed.articles)}
        if result.removed_articles:
            text += _("删除了%(n)s篇不再出现的文章。") % {"n": result.removed_articles}
        if result.new_sources:
            text += _("新建来源：%(names)s。") % {
                "names": "、".join(source.name for source in result.new_sources)
            }
        if result.warnings:
            text += _("有 %(n)s 条提醒，已在导入前列出。") % {"n": len(result.warnings)}
        return {"state": IMPORTED, "message": text, "issue": issue.pk}


def _expired():
    cutoff = timezone.now() - datetime.timedelta(hours=settings.BULLETIN_IMPORT_KEEP_HOURS)
    return PendingImport.objects.filter(uploaded_at__lt=cutoff)
