"""Storing a parsed bulletin: the thin Django layer over the parser.

Two calls, both taking what ``parse_document`` returned:

- ``plan_bulletin(parsed)`` reads the database and says what loading would do (create or
  update which issue, which sources are new) with every warning and error. It writes
  nothing: the command's ``--dry-run`` and the admin's review page show it.
- ``load_bulletin(parsed, publish=False)`` does it, in one transaction: the issue, its
  articles and any new sources are all written, or (on any error) nothing is. It returns a
  ``LoadResult`` or raises ``BulletinLoadError`` (a ``BulletinParseError``, so callers
  catch one type for everything the importer can refuse).

Re-importing a series + number updates that issue in place: each article replaces the
existing one with the same link, else the same title, else the same position, so that
permalinks and the editors' tags stay with their article; articles no longer in the
document are deleted. Imported issues are drafts unless ``publish`` is given (a published
issue imported again without it goes back to draft, and the plan says so).

Sources are matched by name, then by ``SourceAlias``; a name matching neither creates a
source (its kind guessed, see ``source_kinds``). Tags are the editors' and never touched.
Every write is a normal ``save()``/``delete()`` (the content-version signals fire), except
the position shuffle, which announces itself (``signals.content_changed``).

History (e.g. django-reversion) is the caller's business: wrap the ``load_bulletin`` call.
"""

import logging
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils.translation import gettext as _

from .. import signals
from ..editorial import continuity
from ..models import Article, Issue, Series, Source, SourceAlias
from . import checks, source_kinds
from .result import BulletinParseError, ParsedArticle, ParsedBulletin, Problem
from .text import comparison_key

logger = logging.getLogger(__name__)


class BulletinLoadError(BulletinParseError):
    """The document was read but cannot be stored; nothing was written."""


@dataclass
class SourcePlan:
    """How a source named in the document will be stored."""

    name: str  # as the document names it
    source: Source | None  # the existing source it matched; None: a new one will be created
    via_alias: str = ""  # the alias it matched through, if any
    kind: str = Source.Kind.OTHER  # for a new source, the guessed kind

    @property
    def is_new(self) -> bool:
        return self.source is None

    @property
    def kind_label(self) -> str:
        return str(Source.Kind(self.kind).label)


@dataclass
class ImportPlan:
    """What loading a parsed bulletin would do. Nothing in it has been written."""

    parsed: ParsedBulletin
    series: Series | None
    existing: Issue | None  # the issue of the same series and number, to be updated
    sources: dict[str, SourcePlan]
    publish: bool = False
    warnings: list[Problem] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    # Set by a dry run when an earlier file of the same batch holds this issue too.
    earlier_in_batch: bool = False

    @property
    def creates(self) -> bool:
        return self.existing is None and not self.earlier_in_batch

    @property
    def new_sources(self) -> list[SourcePlan]:
        return [plan for plan in self.sources.values() if plan.is_new]

    def source_for(self, article: ParsedArticle) -> SourcePlan | None:
        return self.sources.get(article.source) if article.source else None

    @property
    def label(self) -> str:
        """周报 第六三六期"""
        name = self.series.short_name if self.series else self.parsed.series_name
        return f"{name} {Issue(number=self.parsed.number).label}"


@dataclass
class LoadResult:
    issue: Issue
    created: bool  # False: an existing issue was updated in place
    warnings: list[Problem]
    new_sources: list[Source]
    removed_articles: int  # existing articles no longer in the document, deleted


def plan_bulletin(parsed: ParsedBulletin, *, publish: bool = False) -> ImportPlan:
    """What loading ``parsed`` would do, with every warning and error. Reads only."""
    warnings = list(parsed.warnings) + checks.document_warnings(parsed)
    errors: list[Problem] = []
    series = _match_series(parsed, warnings, errors)
    existing = None
    if series is not None:
        existing = (
            Issue.objects.filter(series=series, number=parsed.number)
            .select_related("series")
            .first()
        )
    plan = ImportPlan(
        parsed=parsed,
        series=series,
        existing=existing,
        sources=_match_sources(parsed),
        publish=publish,
        warnings=warnings,
        errors=errors,
    )
    if series is not None:
        errors += _validation_errors(plan)
        warnings += _archive_warnings(plan)
    return plan


def load_bulletin(parsed: ParsedBulletin, *, publish: bool = False) -> LoadResult:
    """Store ``parsed`` as a draft issue (published if ``publish``), all or nothing."""
    try:
        with transaction.atomic():
            plan = plan_bulletin(parsed, publish=publish)
            if plan.errors:
                raise BulletinLoadError(plan.errors)
            return _apply(plan)
    except BulletinParseError:
        raise
    except Exception as exc:  # noqa: BLE001 - the transaction is rolled back; say so plainly
        logger.exception("Importing %s %s failed", parsed.series_name, parsed.number)
        raise BulletinLoadError(
            [Problem(0, _("写入数据库时出错，本文件未导入任何内容：%(error)s") % {"error": exc})]
        ) from exc


# -- matching -----------------------------------------------------------------------------


def _match_series(parsed: ParsedBulletin, warnings, errors) -> Series | None:
    """The series by name (spaces and punctuation aside), or one whose name contains it."""
    wanted = comparison_key(parsed.series_name)
    every = list(Series.objects.all())
    for series in every:
        if comparison_key(series.name) == wanted:
            return series
    close = [
        series
        for series in every
        if series.slug == parsed.series_slug
        and wanted
        and (wanted in comparison_key(series.name) or comparison_key(series.name) in wanted)
    ]
    if len(close) == 1:
        warnings.append(
            Problem(
                0,
                _("刊名“%(name)s”与系列“%(series)s”不完全相同，按该系列导入")
                % {"name": parsed.series_name, "series": close[0].name},
            )
        )
        return close[0]
    errors.append(
        Problem(
            0,
            _("没有名为“%(name)s”的系列（现有：%(known)s）；如是新刊物，请先在后台添加系列")
            % {"name": parsed.series_name, "known": "、".join(s.name for s in every) or "无"},
        )
    )
    return None


def _match_sources(parsed: ParsedBulletin) -> dict[str, SourcePlan]:
    names = {article.source for article in parsed.articles if article.source}
    by_name = {source.name: source for source in Source.objects.filter(name__in=names)}
    aliases = SourceAlias.objects.filter(name__in=names - by_name.keys()).select_related("source")
    by_alias = {alias.name: alias.source for alias in aliases}
    plans = {}
    for name in sorted(names):
        if name in by_name:
            plans[name] = SourcePlan(name, by_name[name])
        elif name in by_alias:
            plans[name] = SourcePlan(name, by_alias[name], via_alias=name)
        else:
            plans[name] = SourcePlan(name, None, kind=source_kinds.guess_kind(name))
    return plans


def pair_articles(existing: list[Article], parsed: list[ParsedArticle]) -> list[Article | None]:
    """For each parsed article, the existing article it replaces (or None for a new one).

    Same original link first, then the same title, then the same position: an article
    keeps its permalink and tags when the issue is re-imported, even if it moved.
    """
    free = list(existing)
    pairs: list[Article | None] = [None] * len(parsed)
    matchers = [
        lambda new, old, _: bool(new.link) and new.link == old.original_url,
        lambda new, old, _: comparison_key(new.title) == comparison_key(old.title),
        lambda new, old, position: old.position == position,
    ]
    for matches in matchers:
        for index, new in enumerate(parsed):
            if pairs[index] is not None:
                continue
            old = next((old for old in free if matches(new, old, index + 1)), None)
            if old is not None:
                pairs[index] = old
                free.remove(old)
    return pairs


# -- checks that need the database ------------------------------------------------------------


def _issue_from(plan: ImportPlan) -> Issue:
    """The issue as it would be stored (unsaved; the existing one's pk when updating)."""
    parsed = plan.parsed
    issue = Issue(
        pk=plan.existing.pk if plan.existing else None,
        series=plan.series,
        number=parsed.number,
        publication_date=parsed.publication_date,
        period_start=parsed.period_start,
        period_end=parsed.period_end,
        intro=parsed.intro,
        status=Issue.Status.PUBLISHED if plan.publish else Issue.Status.DRAFT,
    )
    if plan.existing:
        issue.published_at = plan.existing.published_at
        issue._state.adding = False  # so that uniqueness checks leave the issue itself out
    return issue


def _article_from(parsed: ParsedArticle, position: int) -> Article:
    return Article(
        position=position,
        title=parsed.title,
        original_title=parsed.original_title,
        original_url=parsed.link,
        original_date=parsed.original_date,
        body=parsed.body,
    )


def _field_problems(error: ValidationError, model, line: int, what: str) -> list[Problem]:
    problems = []
    for name, messages in error.message_dict.items():
        label = "" if name == NON_FIELD_ERRORS else f"{model._meta.get_field(name).verbose_name}："
        for message in messages:
            text = f"{what}{label}{message}"
            problems.append(Problem(line, (f"第{line}行：" if line else "") + text))
    return problems


def _validation_errors(plan: ImportPlan) -> list[Problem]:
    """Field rules the database would enforce (lengths, URLs, period order), as errors."""
    problems = []
    try:
        _issue_from(plan).full_clean(validate_unique=False)
    except ValidationError as error:
        problems += _field_problems(error, Issue, 0, _("期刊的"))
    for position, parsed in enumerate(plan.parsed.articles, start=1):
        try:
            _article_from(parsed, position).full_clean(
                exclude=["issue", "source"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            what = _("第%(n)s篇文章的") % {"n": position}
            problems += _field_problems(error, Article, parsed.line, what)
    for source_plan in plan.new_sources:
        try:
            Source(name=source_plan.name, kind=source_plan.kind).full_clean(
                exclude=["slug"], validate_unique=False
            )
        except ValidationError as error:
            line = next(a.line for a in plan.parsed.articles if a.source == source_plan.name)
            what = _("来源“%(name)s”的") % {"name": source_plan.name[:20]}
            problems += _field_problems(error, Source, line, what)
    return problems


def _archive_warnings(plan: ImportPlan) -> list[Problem]:
    """Number continuity, period overlaps, links already in the archive, what an update undoes."""
    parsed, existing = plan.parsed, plan.existing
    issue = _issue_from(plan)
    warnings = []
    if parsed.publisher and comparison_key(parsed.publisher) != comparison_key(
        plan.series.publisher
    ):
        warnings.append(
            Problem(
                0,
                _("文档的编发单位“%(doc)s”与系列设置的“%(series)s”不同（页面显示系列设置）")
                % {"doc": parsed.publisher, "series": plan.series.publisher},
            )
        )
    warnings += [Problem(0, message) for message in continuity.sequence_warnings(issue)]
    others = Issue.objects.filter(series=plan.series)
    if existing:
        others = others.exclude(pk=existing.pk)
    latest = others.aggregate(latest=Max("number"))["latest"]
    behind = checks.number_after_latest(parsed.number, latest)
    if behind:
        warnings.append(Problem(0, behind))

    earlier = continuity.earlier_uses_of_links(
        [article.link for article in parsed.articles], exclude_issue=existing
    )
    for position, article in enumerate(parsed.articles, start=1):
        if article.link in earlier:
            message = _("第%(n)s篇文章的原文链接已出现在%(issue)s（%(status)s）中：%(url)s") % {
                "n": position,
                "issue": str(earlier[article.link]),
                "status": earlier[article.link].get_status_display(),
                "url": article.link,
            }
            warnings.append(Problem(article.line, f"第{article.line}行：{message}"))

    if existing:
        if existing.status != Issue.Status.DRAFT and not plan.publish:
            warnings.append(
                Problem(
                    0,
                    _("%(issue)s已存在，状态为“%(status)s”；导入后将改回草稿，需重新审核发布")
                    % {"issue": existing.label, "status": existing.get_status_display()},
                )
            )
        count = existing.articles.count()
        if count > len(parsed.articles):
            warnings.append(
                Problem(
                    0,
                    _("%(issue)s现有%(old)s篇文章，本文档只有%(new)s篇，多出的将被删除")
                    % {"issue": existing.label, "old": count, "new": len(parsed.articles)},
                )
            )
    return warnings


# -- writing ------------------------------------------------------------------------------------


def _apply(plan: ImportPlan) -> LoadResult:
    issue = plan.existing or Issue(series=plan.series, number=plan.parsed.number)
    stored = _issue_from(plan)
    for name in ("publication_date", "period_start", "period_end", "intro", "status"):
        setattr(issue, name, getattr(stored, name))
    issue.save()

    new_sources = []
    sources = {}
    for name, source_plan in plan.sources.items():
        if source_plan.is_new:
            source_plan.source = Source.objects.create(name=name, kind=source_plan.kind)
            new_sources.append(source_plan.source)
        sources[name] = source_plan.source

    existing = list(issue.articles.all()) if plan.existing else []
    pairs = pair_articles(existing, plan.parsed.articles)
    kept = {article.pk for article in pairs if article is not None}
    removed = [article.pk for article in existing if article.pk not in kept]
    if removed:
        Article.objects.filter(pk__in=removed).delete()
    moved = [
        article.pk
        for position, article in enumerate(pairs, start=1)
        if article is not None and article.position != position
    ]
    if moved:
        # Out of the way first: (issue, position) is unique at every step.
        offset = max([len(pairs)] + [article.position for article in existing]) + 1
        Article.objects.filter(pk__in=moved).update(position=F("position") + offset)
        signals.announce(Article)  # update() sends no signal

    for position, (parsed, article) in enumerate(
        zip(plan.parsed.articles, pairs, strict=True), start=1
    ):
        fresh = _article_from(parsed, position)
        if article is None:
            article = fresh
            article.issue = issue
        else:
            for name in ("position", "title", "original_title", "original_url", "original_date"):
                setattr(article, name, getattr(fresh, name))
            article.body = fresh.body
        article.source = sources.get(parsed.source) if parsed.source else None
        article.save()

    return LoadResult(
        issue=issue,
        created=plan.existing is None,
        warnings=plan.warnings,
        new_sources=new_sources,
        removed_articles=len(removed),
    )
