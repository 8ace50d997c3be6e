"""Storing a parsed bulletin: the thin Django layer over the parser.

Two calls, both taking what ``parse_document`` returned:

- ``plan_bulletin(parsed, user=…)`` reads the database and says what loading would do
  (create or update which issue, which sources are new) with every warning and error. It
  writes nothing: the command's ``--dry-run`` and the admin's review page show it.
- ``load_bulletin(parsed, publish=False, user=…)`` does it, in one transaction: the issue,
  its articles and any new sources are all written, or (on any error) nothing is. It
  returns a ``LoadResult`` or raises ``BulletinLoadError`` (a ``BulletinParseError``, so
  callers catch one type for everything the importer can refuse).

``user`` is who imports. The workflow rule (``editorial.workflow.refusal``) is asked about
the issue before and after, as for any other change: an editor may not publish by
importing, nor re-import a published or scheduled issue; a refusal is an error of the plan.
``None`` is the command line's operator, who is trusted and not asked about.

Re-importing a series + number updates that issue in place. An article is the same
article when its original link is the same (``link_key``), else when its title is the same
(``comparison_key``): only then does it keep its id, permalink and tags (``pair_articles``;
the plan holds the pairs and the articles to be removed). Articles no longer in the
document are deleted (their permalinks answer 410, see ``public.views``); new ones get new
ids and no tags; positions follow the document. Imported issues are drafts unless
``publish`` is given (a published issue imported again without it goes back to draft, and
the plan says so).

``load_bulletin`` locks the existing issue's row (or, for a new issue, its series' row)
before it plans, so two imports of one issue run one after the other, the second seeing
what the first wrote. Before it overwrites an existing issue, the issue's current state is
recorded in its history (``history.ensure_recorded``), so that a reviewer can restore it
in one step.

Sources are matched by name, then by ``SourceAlias``; a name matching neither creates a
source (its kind guessed, see ``source_kinds``). Tags are the editors' and never touched.
Every write is a normal ``save()``/``delete()`` (the content-version signals fire), except
the position shuffle, which announces itself (``signals.content_changed``).

The import itself is recorded by the caller: wrap the ``load_bulletin`` call in
``history.recorded(user, comment)``, the comment naming the file.
"""

import logging
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from .. import signals
from ..editorial import continuity, history, workflow
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
    # Why the importing user may not make this change (also the first of ``errors``).
    refusal: str = ""
    # When updating: for each parsed article in order, the existing article it is (it keeps
    # its id and tags) or None (a new article); and the existing articles it removes.
    pairs: list[Article | None] = field(default_factory=list)
    removed: list[Article] = field(default_factory=list)

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


def plan_bulletin(parsed: ParsedBulletin, *, publish: bool = False, user=None) -> ImportPlan:
    """What loading ``parsed`` would do, with every warning and error. Reads only."""
    return _plan(parsed, publish=publish, user=user, lock=False)


def _plan(parsed: ParsedBulletin, *, publish: bool, user, lock: bool) -> ImportPlan:
    """The plan; with ``lock`` (inside a transaction), the issue's row is locked first."""
    warnings = list(parsed.warnings) + checks.document_warnings(parsed)
    errors: list[Problem] = []
    series = _match_series(parsed, warnings, errors)
    existing = None
    if series is not None:
        existing = _existing_issue(series, parsed.number, lock=lock)
    plan = ImportPlan(
        parsed=parsed,
        series=series,
        existing=existing,
        sources=_match_sources(parsed),
        publish=publish,
        warnings=warnings,
        errors=errors,
    )
    if existing is not None:
        plan.pairs, plan.removed = _pairs_and_removed(existing, parsed.articles)
    if series is not None:
        refusal = _workflow_refusal(plan, user)
        if refusal:
            plan.refusal = refusal
            errors.insert(0, Problem(0, refusal))
        errors += _validation_errors(plan)
        warnings += _archive_warnings(plan)
    return plan


def load_bulletin(parsed: ParsedBulletin, *, publish: bool = False, user=None) -> LoadResult:
    """Store ``parsed`` as a draft issue (published if ``publish``), all or nothing.

    Refused, writing nothing, when the workflow rule does not let ``user`` make the change.
    """
    try:
        with transaction.atomic():
            plan = _plan(parsed, publish=publish, user=user, lock=True)
            if plan.errors:
                raise BulletinLoadError(plan.errors)
            if plan.existing is not None:
                history.ensure_recorded(plan.existing, user, comment=_("重新导入前的状态"))
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


def _existing_issue(series: Series, number: int, *, lock: bool) -> Issue | None:
    """The issue of that series and number, if any.

    With ``lock``, its row stays locked until the transaction ends, so that a second
    import of the same issue waits, then reads what the first wrote. When there is no such
    issue yet, the series' row is locked and the issue looked for again: two imports
    creating the same issue also run one after the other.
    """
    issues = Issue.objects.filter(series=series, number=number).select_related("series")
    if not lock:
        return issues.first()
    issue = issues.select_for_update(of=("self",)).first()
    if issue is None:
        list(Series.objects.select_for_update().filter(pk=series.pk).values_list("pk"))
        issue = issues.select_for_update(of=("self",)).first()
    return issue


def link_key(url: str) -> str:
    """An original link as re-imports compare it: spaces anywhere, the case of the scheme
    and host, http or https and a trailing slash make no difference."""
    url = "".join((url or "").split())
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. a broken IPv6 host: compared as written
        return url
    scheme = "http" if parts.scheme.lower() == "https" else parts.scheme.lower()
    path = parts.path.rstrip("/")
    return urlunsplit((scheme, parts.netloc.lower(), path, parts.query, parts.fragment))


def pair_articles(existing: list[Article], parsed: list[ParsedArticle]) -> list[Article | None]:
    """For each parsed article in order, the existing article it is, or None (a new one).

    An article is the same article when its original link matches (``link_key``), else when
    its title matches (``comparison_key``: width, case, spaces and punctuation aside). Each
    existing article pairs at most once, links first; where it stands plays no part, so a
    new story never takes over an old story's permalink and tags.
    """
    free = sorted(existing, key=lambda article: (article.position, article.pk))
    pairs: list[Article | None] = [None] * len(parsed)
    keys = [
        (lambda article: link_key(article.link), lambda article: link_key(article.original_url)),
        (
            lambda article: comparison_key(article.title),
            lambda article: comparison_key(article.title),
        ),
    ]
    for new_key, old_key in keys:
        for index, new in enumerate(parsed):
            wanted = new_key(new)
            if pairs[index] is not None or not wanted:
                continue
            old = next((old for old in free if old_key(old) == wanted), None)
            if old is not None:
                pairs[index] = old
                free.remove(old)
    return pairs


def _pairs_and_removed(issue: Issue, parsed: list[ParsedArticle]):
    """The pairs (see ``pair_articles``) and the issue's articles the document no longer has."""
    existing = list(issue.articles.select_related("source").order_by("position", "pk"))
    pairs = pair_articles(existing, parsed)
    kept = {article.pk for article in pairs if article is not None}
    return pairs, [article for article in existing if article.pk not in kept]


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


def _workflow_refusal(plan: ImportPlan, user) -> str:
    """Why ``user`` may not leave the issue as this import would (see ``workflow.refusal``)."""
    if user is None:  # the command line's operator
        return ""
    before = workflow.State.of(plan.existing) if plan.existing else None
    reason = workflow.refusal(user, before, workflow.State.of(_issue_from(plan)))
    if not reason and plan.existing is not None:
        # A re-import also replaces the issue's list of articles, which the rule guards too.
        reason = workflow.article_refusal(user, plan.existing, None)
    if not reason:
        return ""
    if before is not None and before.is_published:
        return _(
            "%(issue)s已发布或已定时发布，只有审核人（“审核”组）可以重新导入这一期；"
            "本文件不会导入。"
        ) % {"issue": plan.label}
    return _("%(issue)s：%(reason)s本文件不会导入。") % {"issue": plan.label, "reason": reason}


def _archive_warnings(plan: ImportPlan) -> list[Problem]:
    """Number continuity, period overlaps, links already in the archive, what an update undoes."""
    return [
        *_publisher_warnings(plan),
        *_numbering_warnings(plan),
        *_link_warnings(plan),
        *(_update_warnings(plan) if plan.existing else []),
    ]


def _publisher_warnings(plan: ImportPlan) -> list[Problem]:
    publisher = plan.parsed.publisher
    if not publisher or comparison_key(publisher) == comparison_key(plan.series.publisher):
        return []
    return [
        Problem(
            0,
            _("文档的编发单位“%(doc)s”与系列设置的“%(series)s”不同（页面显示系列设置）")
            % {"doc": publisher, "series": plan.series.publisher},
        )
    ]


def _numbering_warnings(plan: ImportPlan) -> list[Problem]:
    """Gaps and overlaps beside the neighbouring issues; a number behind the series' latest."""
    warnings = [Problem(0, message) for message in continuity.sequence_warnings(_issue_from(plan))]
    others = Issue.objects.filter(series=plan.series)
    if plan.existing:
        others = others.exclude(pk=plan.existing.pk)
    latest = others.aggregate(latest=Max("number"))["latest"]
    behind = checks.number_after_latest(plan.parsed.number, latest)
    if behind:
        warnings.append(Problem(0, behind))
    return warnings


def _link_warnings(plan: ImportPlan) -> list[Problem]:
    """Articles whose original link another issue already carries."""
    articles = plan.parsed.articles
    earlier = continuity.earlier_uses_of_links(
        [article.link for article in articles], exclude_issue=plan.existing
    )
    warnings = []
    for position, article in enumerate(articles, start=1):
        if article.link in earlier:
            message = _("第%(n)s篇文章的原文链接已出现在%(issue)s（%(status)s）中：%(url)s") % {
                "n": position,
                "issue": str(earlier[article.link]),
                "status": earlier[article.link].get_status_display(),
                "url": article.link,
            }
            warnings.append(Problem(article.line, f"第{article.line}行：{message}"))
    return warnings


def _update_warnings(plan: ImportPlan) -> list[Problem]:
    """What updating the existing issue undoes: its publication, articles left out."""
    existing, parsed = plan.existing, plan.parsed
    warnings = []
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
    if plan.removed:
        if existing.status == Issue.Status.PUBLISHED:
            message = _(
                "%(issue)s中有%(n)s篇文章不在本文档中，导入后将被删除"
                "（其永久链接将显示“已撤除”）：%(titles)s"
            )
        else:
            message = _("%(issue)s中有%(n)s篇文章不在本文档中，导入后将被删除：%(titles)s")
        titles = "、".join(f"《{article.title}》" for article in plan.removed)
        warnings.append(
            Problem(
                0, message % {"issue": existing.label, "n": len(plan.removed), "titles": titles}
            )
        )
    return warnings


# -- writing ------------------------------------------------------------------------------------


def _apply(plan: ImportPlan) -> LoadResult:
    issue = _store_issue(plan)
    sources, new_sources = _store_sources(plan)
    pairs = plan.pairs or [None] * len(plan.parsed.articles)
    if plan.removed:
        Article.objects.filter(pk__in=[article.pk for article in plan.removed]).delete()
    _move_aside(pairs)
    for position, (parsed, article) in enumerate(
        zip(plan.parsed.articles, pairs, strict=True), start=1
    ):
        _store_article(issue, parsed, article, position, sources)
    return LoadResult(
        issue=issue,
        created=plan.existing is None,
        warnings=plan.warnings,
        new_sources=new_sources,
        removed_articles=len(plan.removed),
    )


def _store_issue(plan: ImportPlan) -> Issue:
    """Create the issue, or update the existing one's fields from the document."""
    issue = plan.existing or Issue(series=plan.series, number=plan.parsed.number)
    stored = _issue_from(plan)
    for name in ("publication_date", "period_start", "period_end", "intro", "status"):
        setattr(issue, name, getattr(stored, name))
    issue.save()
    return issue


def _store_sources(plan: ImportPlan) -> tuple[dict[str, Source], list[Source]]:
    """Every source the document names, by that name, creating the new ones; and the new."""
    sources, new_sources = {}, []
    for name, source_plan in plan.sources.items():
        if source_plan.is_new:
            source_plan.source = Source.objects.create(name=name, kind=source_plan.kind)
            new_sources.append(source_plan.source)
        sources[name] = source_plan.source
    return sources, new_sources


def _move_aside(pairs: list[Article | None]) -> None:
    """Set aside the kept articles that change position (``step_aside``).

    (issue, position) is unique at every step, so they cannot move straight to their place;
    the removed articles are gone and the others already stand where the document puts them.
    """
    moved = [
        article.pk
        for position, article in enumerate(pairs, start=1)
        if article is not None and article.position != position
    ]
    if moved:
        Article.objects.filter(pk__in=moved).step_aside()
        signals.announce(Article)  # update() sends no signal


def _store_article(issue, parsed: ParsedArticle, article, position: int, sources) -> None:
    """Save a parsed article in place of its pair (keeping its id and tags), or as new."""
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
