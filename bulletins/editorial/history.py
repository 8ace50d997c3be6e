"""Every change to an issue and its articles, kept with who and when (django-reversion).

An issue follows its articles and an article follows its issue, so each revision holds
one issue and all its articles as they stood after the change, whichever was edited.
The admin wraps its writes in a revision; other code that writes issues or articles
(the importer, bulk actions) wraps its writes in ``recorded(user, comment)``, and names
what it changed through ``update()`` or ``bulk_create()`` (which send no signal) with
``add(obj)``.

Restoring a version writes the old content back as a new revision, after making sure the
current state is itself recorded: nothing is ever lost. A restore brings back text and
articles, never the workflow state (status, publication time, sign-off).
"""

import contextlib
from dataclasses import dataclass, field

import reversion
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, router, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reversion.errors import RevertError
from reversion.models import Revision, Version

from .. import signals
from ..models import Article, Issue, Series, SlugRedirect, Source, Tag
from ..text.formatting import chinese_date, person_name
from . import textdiff, workflow

# What a version keeps. Article.body_html and .summary are derived from the body and
# rebuilt when a version is restored. Every NOT NULL field must be here (restoring
# builds the object from these alone).
ISSUE_FIELDS = (
    "series",
    "number",
    "publication_date",
    "period_start",
    "period_end",
    "intro",
    "status",
    "published_at",
    "approved_by",
    "approved_at",
    "created_at",
    "updated_at",
)
ARTICLE_FIELDS = (
    "issue",
    "position",
    "title",
    "original_title",
    "source",
    "original_url",
    "original_date",
    "body",
    "tags",
    "created_at",
    "updated_at",
)
# What a comparison shows, in this order.
ISSUE_COMPARED = [
    ("series_id", gettext_lazy("系列")),
    ("number", gettext_lazy("期号")),
    ("publication_date", gettext_lazy("出刊日期")),
    ("period_start", gettext_lazy("监测起始日")),
    ("period_end", gettext_lazy("监测截止日")),
    ("intro", gettext_lazy("本期导语")),
    ("status", gettext_lazy("状态")),
    ("published_at", gettext_lazy("公开时间")),
    ("approved_by_id", gettext_lazy("签发人")),
]
ARTICLE_COMPARED = [
    ("position", gettext_lazy("序号")),
    ("title", gettext_lazy("标题")),
    ("original_title", gettext_lazy("来源标题")),
    ("source_id", gettext_lazy("来源")),
    ("original_url", gettext_lazy("原文链接")),
    ("original_date", gettext_lazy("原文日期")),
    ("tags", gettext_lazy("标签")),
    ("body", gettext_lazy("正文")),
]
TEXT_FIELDS = {"intro", "body", "title", "original_title"}
_FORMAT = "json"


def register() -> None:
    """Put issues and articles under version control (from AppConfig.ready, which runs
    again for every app registry a test builds)."""
    if not reversion.is_registered(Issue):
        reversion.register(Issue, fields=ISSUE_FIELDS, follow=["articles"])
        reversion.register(Article, fields=ARTICLE_FIELDS, follow=["issue"])


@contextlib.contextmanager
def recorded(user=None, comment: str = ""):
    """Record every issue or article saved inside as one revision, by ``user``.

    Nested uses join the outer revision. The block runs in a transaction.
    """
    with reversion.create_revision():
        if user is not None and user.is_authenticated:
            reversion.set_user(user)
        if comment:
            reversion.set_comment(comment)
        yield


def add(*objects) -> None:
    """Record objects changed without save() (update(), bulk_create) in the open revision.

    An issue is recorded with its articles as they are now, even those already in the
    revision (a revision keeps the first copy of an object it only reached by following).
    """
    if not reversion.is_active():
        return
    for obj in objects:
        reversion.add_to_revision(obj)
        if isinstance(obj, Issue):
            for article in obj.articles.all():
                reversion.add_to_revision(article)


def set_comment(comment: str) -> None:
    if reversion.is_active():
        reversion.set_comment(comment)


def issue_versions(issue):
    """The issue's versions, newest first, with who and when."""
    return Version.objects.get_for_object(issue).select_related("revision__user")


def article_versions(article):
    return Version.objects.get_for_object(article).select_related("revision__user")


def _serialized(obj) -> str:
    fields = ISSUE_FIELDS if isinstance(obj, Issue) else ARTICLE_FIELDS
    return serializers.serialize(_FORMAT, [obj], fields=fields)


def _is_recorded(issue) -> bool:
    """Is the issue, with its articles, exactly as its latest version holds it?"""
    latest = issue_versions(issue).first()
    if latest is None:
        return False
    stored = {
        (version.content_type_id, version.object_id): version.serialized_data
        for version in latest.revision.version_set.all()
    }
    objects = [issue, *issue.articles.all()]
    issue_type = ContentType.objects.get_for_model(Issue)
    article_type = ContentType.objects.get_for_model(Article)
    recorded_articles = {
        key
        for key, data in stored.items()
        if key[0] == article_type.id and _issue_of(data) == issue.pk
    }
    current = {
        (issue_type.id if isinstance(obj, Issue) else article_type.id, str(obj.pk)): obj
        for obj in objects
    }
    if recorded_articles != {key for key in current if key[0] == article_type.id}:
        return False
    return all(stored.get(key) == _serialized(obj) for key, obj in current.items())


def _issue_of(serialized_article: str) -> int | None:
    obj = next(serializers.deserialize(_FORMAT, serialized_article, ignorenonexistent=True))
    return obj.object.issue_id


def ensure_recorded(issue, user=None, comment: str = "") -> None:
    """Record the issue's current state unless its latest version already holds it.

    The record is a revision of its own, written at once, even inside an open revision
    (which keeps only the state its block ends with, and is dated after this one): so the
    state before a change can be restored in one step.
    """
    if not _is_recorded(issue):
        _record_apart(issue, user, comment or _("修改前的状态（此前未记录）"))


def _record_apart(issue, user, comment: str) -> None:
    revision = Revision.objects.create(
        date_created=timezone.now(),
        user=user if user is not None and user.is_authenticated else None,
        comment=comment,
    )
    Version.objects.bulk_create(
        Version(
            revision=revision,
            content_type=ContentType.objects.get_for_model(type(obj)),
            object_id=str(obj.pk),
            db=router.db_for_write(type(obj), instance=obj),
            format=_FORMAT,
            serialized_data=_serialized(obj),
            object_repr=str(obj),
        )
        for obj in [issue, *issue.articles.all()]
    )
    if reversion.is_active():
        reversion.set_date_created(timezone.now())


# --- Snapshots: an issue and its articles as one version holds them ---------------------


@dataclass
class Snapshot:
    version: Version
    issue: dict
    articles: dict[int, dict] = field(default_factory=dict)  # article pk -> field values

    @property
    def revision(self):
        return self.version.revision


def snapshot(version: Version) -> Snapshot:
    """The issue of ``version`` (an Issue version) and its articles in the same revision."""
    issue_id = int(version.object_id)
    article_type = ContentType.objects.get_for_model(Article)
    articles = {}
    for other in version.revision.version_set.filter(content_type=article_type):
        values = other.field_dict
        if values.get("issue_id") == issue_id:
            articles[int(other.object_id)] = values
    return Snapshot(version=version, issue=version.field_dict, articles=articles)


def article_snapshot(version: Version) -> Snapshot:
    """One article as ``version`` (an Article version) holds it."""
    return Snapshot(
        version=version, issue={}, articles={int(version.object_id): version.field_dict}
    )


def issue_version_beside(article_version: Version) -> Version | None:
    """The version of the article's issue recorded in the same revision."""
    issue_id = article_version.field_dict.get("issue_id")
    return article_version.revision.version_set.filter(
        content_type=ContentType.objects.get_for_model(Issue), object_id=str(issue_id)
    ).first()


def issue_of_removed_article(article_id: int) -> int | None:
    """The issue an article that no longer exists was in, when its last record shows that
    issue published (the article was public there); None when it exists or nothing says so.
    """
    if Article.objects.filter(pk=article_id).exists():
        return None
    version = Version.objects.get_for_object_reference(Article, article_id).first()
    if version is None:
        return None
    try:
        issue_version = issue_version_beside(version)
        if issue_version is None or issue_version.field_dict["status"] != Issue.Status.PUBLISHED:
            return None
        return int(issue_version.object_id)
    except (RevertError, KeyError, ValueError):  # a record older code cannot read
        return None


# What a restore leaves as it is (the workflow's state, see restore()).
KEPT_ON_RESTORE = ("status", "published_at", "approved_by_id", "approved_at")


def restored_snapshot(version: Version, issue) -> Snapshot:
    """The issue as restoring ``version`` would leave it."""
    result = snapshot(version)
    result.issue.update({name: getattr(issue, name) for name in KEPT_ON_RESTORE})
    return result


def current_snapshot(issue) -> Snapshot:
    issue_values = {name: getattr(issue, name) for name, _label in ISSUE_COMPARED}
    articles = {}
    for article in issue.articles.prefetch_related("tags"):
        values = {
            name: getattr(article, name) for name, _label in ARTICLE_COMPARED if name != "tags"
        }
        values["tags"] = [tag.pk for tag in article.tags.all()]
        articles[article.pk] = values
    return Snapshot(version=None, issue=issue_values, articles=articles)


# --- Comparing two versions --------------------------------------------------------------


@dataclass
class Row:
    label: str
    old: str
    new: str
    diff: str = ""

    @property
    def changed(self) -> bool:
        return self.old != self.new


ARTICLE_STATES = {
    "added": gettext_lazy("新增"),
    "removed": gettext_lazy("删除"),
    "changed": gettext_lazy("修改"),
    "same": gettext_lazy("未改动"),
}


@dataclass
class ArticleChange:
    title: str
    state: str  # a key of ARTICLE_STATES
    rows: list[Row]

    @property
    def state_label(self) -> str:
        return str(ARTICLE_STATES[self.state])


@dataclass
class Comparison:
    issue_rows: list[Row]
    articles: list[ArticleChange]

    @property
    def changed(self) -> bool:
        return any(r.changed for r in self.issue_rows) or any(
            a.state != "same" for a in self.articles
        )


class _Names:
    """Shows stored ids as names, each kind looked up once; gone objects say so."""

    def __init__(self, snapshots):
        ids = {"series_id": set(), "approved_by_id": set(), "source_id": set(), "tags": set()}
        for snap in snapshots:
            for key in ("series_id", "approved_by_id"):
                ids[key].add(snap.issue.get(key))
            for values in snap.articles.values():
                ids["source_id"].add(values.get("source_id"))
                ids["tags"].update(values.get("tags") or [])

        def names(model, pks):
            return dict(model.objects.filter(pk__in=pks - {None}).values_list("pk", "name"))

        self.names = {
            "series_id": names(Series, ids["series_id"]),
            "source_id": names(Source, ids["source_id"]),
            "tags": names(Tag, ids["tags"]),
            "approved_by_id": {
                user.pk: person_name(user)
                for user in get_user_model().objects.filter(pk__in=ids["approved_by_id"] - {None})
            },
        }

    def show(self, name: str, value) -> str:
        if value in (None, "", []):
            return ""
        if name in self.names:
            names = self.names[name]
            if name == "tags":
                return "、".join(sorted(names.get(pk, _("（已删除 #%s）") % pk) for pk in value))
            return names.get(value, _("（已删除 #%s）") % value)
        if name == "status":
            return str(Issue.Status(value).label)
        if isinstance(value, timezone.datetime):
            return date_format(timezone.localtime(value), "Y年n月j日 H:i")
        if hasattr(value, "year"):
            return chinese_date(value)
        return str(value)


def _rows(fields, old: dict | None, new: dict | None, names: _Names) -> list[Row]:
    rows = []
    for name, label in fields:
        before = names.show(name, (old or {}).get(name))
        after = names.show(name, (new or {}).get(name))
        diff = textdiff.html_diff(before, after) if name in TEXT_FIELDS and before != after else ""
        rows.append(Row(str(label), before, after, diff))
    return rows


def compare(old: Snapshot, new: Snapshot, issue_fields=ISSUE_COMPARED) -> Comparison:
    """What changed from ``old`` to ``new``: the issue's fields and each article."""
    names = _Names([old, new])
    articles = []
    order = sorted(
        old.articles.keys() | new.articles.keys(),
        key=lambda pk: ((new.articles.get(pk) or old.articles[pk]).get("position") or 0, pk),
    )
    for pk in order:
        before, after = old.articles.get(pk), new.articles.get(pk)
        rows = _rows(ARTICLE_COMPARED, before, after, names)
        if before is None:
            state = "added"
        elif after is None:
            state = "removed"
        elif any(row.changed for row in rows):
            state = "changed"
        else:
            state = "same"
        title = (after or before).get("title", "")
        articles.append(ArticleChange(title=title, state=state, rows=rows))
    return Comparison(_rows(issue_fields, old.issue, new.issue, names), articles)


# --- Restoring ---------------------------------------------------------------------------


class RestoreError(Exception):
    pass


def restore_refusal(version: Version, user) -> str | None:
    """Why ``user`` may not restore this version of an issue (None: they may).

    The workflow's rules apply to what a restore would change: its series and number,
    which articles the issue holds and their order.
    """
    if not user.has_perm("bulletins.change_issue"):
        return _("没有修改期刊的权限。")
    issue = Issue.objects.get(pk=version.object_id)
    old = snapshot(version)
    after = workflow.State(
        issue.status, issue.published_at, old.issue["series_id"], old.issue["number"]
    )
    reason = workflow.refusal(user, workflow.State.of(issue), after)
    if reason:
        return reason
    if issue.articles.exclude(pk__in=old.articles).exists():
        reason = workflow.article_refusal(user, issue, None)
    existing = Article.objects.filter(pk__in=old.articles).select_related("issue")
    now_in = {article.pk: article.issue for article in existing}
    for pk in old.articles:
        if pk not in now_in or now_in[pk].pk != issue.pk:
            reason = reason or workflow.article_refusal(user, now_in.get(pk), issue)
    positions = dict(issue.articles.values_list("pk", "position"))
    if any(
        pk in positions and positions[pk] != values.get("position")
        for pk, values in old.articles.items()
    ):
        reason = reason or workflow.order_refusal(user, issue)
    return reason


def _existing(model, ids) -> dict:
    """Stored ids -> ids that exist now: merged-away objects lead to the kept one."""
    ids = {pk for pk in ids if pk is not None}
    alive = set(model.objects.filter(pk__in=ids).values_list("pk", flat=True))
    content_type = ContentType.objects.get_for_model(model)
    merged = dict(
        SlugRedirect.objects.filter(
            content_type=content_type, merged_pk__in=ids - alive
        ).values_list("merged_pk", "object_id")
    )
    return {pk: pk if pk in alive else merged.get(pk) for pk in ids}


def _deserialize(version: Version):
    data = version.serialized_data
    return next(serializers.deserialize(version.format, data, ignorenonexistent=True))


def _write_back(version: Version, article_ids, issue_fields: dict) -> Issue:
    """Save ``version`` of an issue, with ``issue_fields`` over what it holds, and its
    articles ``article_ids`` as the same revision holds them, in the open revision.

    Sources and tags deleted since are left out (merged ones lead to the kept one). Each
    object is then saved again, which rebuilds body_html and summary and records it.
    Raises IntegrityError when a number or position is taken.
    """
    old = snapshot(version)
    article_type = ContentType.objects.get_for_model(Article)
    article_versions = [
        v
        for v in version.revision.version_set.filter(content_type=article_type)
        if int(v.object_id) in article_ids
    ]
    sources = _existing(Source, [d["source_id"] for d in old.articles.values()])
    tags = _existing(Tag, [pk for d in old.articles.values() for pk in d.get("tags", [])])
    restored_issue = _deserialize(version)
    for name, value in issue_fields.items():
        setattr(restored_issue.object, name, value)
    with transaction.atomic():
        restored_issue.save()
        for article_version in article_versions:
            restored = _deserialize(article_version)
            restored.object.source_id = sources.get(restored.object.source_id)
            restored.m2m_data["tags"] = sorted(
                {tags[pk] for pk in restored.m2m_data.get("tags", []) if tags.get(pk)}
            )
            restored.save()
    issue = Issue.objects.get(pk=restored_issue.object.pk)
    issue.save()
    for article in issue.articles.all():
        article.save()
    return issue


def restore(version: Version, user) -> Issue:
    """Write ``version`` of an issue (and its articles) back, as a new version.

    The current state is recorded first; the issue keeps its status, publication time
    and sign-off. Raises PermissionDenied (see ``restore_refusal``) or RestoreError.
    """
    reason = restore_refusal(version, user)
    if reason:
        raise PermissionDenied(reason)
    issue = Issue.objects.get(pk=version.object_id)
    old = snapshot(version)
    when = date_format(timezone.localtime(version.revision.date_created), "Y年n月j日 H:i")
    with transaction.atomic():
        ensure_recorded(issue, user)
        with recorded(user, _("恢复为 %(when)s 的版本") % {"when": when}):
            issue.articles.exclude(pk__in=old.articles).delete()
            issue.articles.all().step_aside()  # old positions may be taken now
            signals.announce(Issue)  # update() sends no signal
            kept = {name: getattr(issue, name) for name in KEPT_ON_RESTORE}
            try:
                return _write_back(version, old.articles, kept)
            except IntegrityError as error:
                raise RestoreError(
                    _("无法恢复：该版本的期号或文章序号已被占用（%(error)s）。") % {"error": error}
                ) from error


# --- Recovering a deleted issue ---------------------------------------------------------


def deleted_issue_versions():
    """The latest version of each deleted issue, newest deletion first (roughly: newest
    version first), with who saved it."""
    return (
        Version.objects.get_deleted(Issue)
        .select_related("revision__user")
        .order_by("-revision__date_created")
    )


def recover(version: Version, user) -> Issue:
    """Bring back a deleted issue with its articles as ``version`` holds them, as a draft.

    Articles now in another issue stay there. Raises PermissionDenied or RestoreError.
    """
    if not user.has_perm("bulletins.add_issue"):
        raise PermissionDenied(_("没有新建期刊的权限。"))
    old = snapshot(version)
    if Issue.objects.filter(pk=version.object_id).exists():
        raise RestoreError(_("这一期并未删除。"))
    series = Series.objects.filter(pk=old.issue["series_id"]).first()
    if series is None:
        raise RestoreError(_("无法恢复：这一期所属的系列已不存在。"))
    living = set(Article.objects.filter(pk__in=old.articles).values_list("pk", flat=True))
    draft = {
        "status": Issue.Status.DRAFT,
        "published_at": None,
        "approved_by_id": None,
        "approved_at": None,
    }
    try:
        with transaction.atomic(), recorded(user, _("从已删除的期刊中恢复")):
            return _write_back(version, old.articles.keys() - living, draft)
    except IntegrityError as error:
        raise RestoreError(
            _("无法恢复：%(series)s已有同一期号的期刊。") % {"series": series.name}
        ) from error
