"""Review and sign-off: who may move an issue between draft, review and published.

Two groups, made by a data migration: 编辑 (editors) write drafts and submit them for
review; 审核 (reviewers) also hold ``bulletins.publish_issue`` and approve an issue
(publish it now or schedule it), send it back or take it off publication. The reviewer
who approved and the time are recorded on the issue (``approved_by``, ``approved_at``).

Every path that writes an issue asks here, so the rule lives in one place: the admin's
change form (validation, then again on save), its list actions, 'create next issue'
(which only fills in the add form) and the importer (``importing.load.plan_bulletin`` asks
``refusal`` about the issue before and after, for a new issue and a re-import alike, and
``article_refusal`` because a re-import replaces the issue's articles). Changing the
positions of an issue's articles (their order, and the anchors that cite them) asks
``order_refusal``.

Without the publish permission:
- a new issue is a draft or awaits review, and has no publication time;
- an unpublished issue may move between draft and review; its publication time stays;
- a published or scheduled issue keeps its status, publication time, series and number
  (its public address), its list of articles and their order, and cannot be deleted; its
  text (导语, dates, the articles' fields and tags) may be corrected, each change kept in
  its history.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Issue

PUBLISH_PERMISSION = "bulletins.publish_issue"


def may_publish(user) -> bool:
    return user.has_perm(PUBLISH_PERMISSION)


@dataclass(frozen=True)
class State:
    """What only a reviewer may change about a published issue."""

    status: str
    published_at: datetime.datetime | None
    series_id: int | None
    number: int | None

    @classmethod
    def of(cls, issue: Issue) -> "State":
        return cls(issue.status, issue.published_at, issue.series_id, issue.number)

    @property
    def is_published(self) -> bool:
        return self.status == Issue.Status.PUBLISHED


def refusal(user, before: State | None, after: State) -> str | None:
    """Why ``user`` may not change an issue from ``before`` (None: new) to ``after``."""
    if may_publish(user):
        return None
    if before is not None and before.is_published:
        if after != before:
            return _(
                "已发布（含定时发布）的期刊只能修改文字；状态、公开时间、系列和期号只有审核人可以更改。"
            )
        return None
    if after.is_published:
        return _("只有审核人可以发布或定时发布期刊；请先提交审核。")
    if after.published_at != (before.published_at if before else None):
        return _("公开时间由审核人在发布时设定。")
    return None


def check(user, before: State | None, after: State) -> None:
    """Raise PermissionDenied unless ``user`` may make this change (see ``refusal``)."""
    reason = refusal(user, before, after)
    if reason:
        raise PermissionDenied(reason)


def article_refusal(user, old_issue: Issue | None, new_issue: Issue | None) -> str | None:
    """Why ``user`` may not put an article into ``new_issue`` or take it out of ``old_issue``.

    None for either side means the article is being created or deleted.
    """
    if may_publish(user):
        return None
    if old_issue is not None and new_issue is not None and old_issue.pk == new_issue.pk:
        return None
    touched = [issue for issue in (old_issue, new_issue) if issue is not None]
    if any(issue.status == Issue.Status.PUBLISHED for issue in touched):
        return _("已发布期刊的文章只能修改文字；增加、删除或移出文章需要审核人。")
    return None


def order_refusal(user, issue: Issue | None) -> str | None:
    """Why ``user`` may not change the positions (序号) of ``issue``'s articles.

    The order is part of what is published, like which articles there are.
    """
    if may_publish(user) or issue is None or issue.status != Issue.Status.PUBLISHED:
        return None
    return _(
        "已发布（含定时发布）期刊的文章顺序只有审核人可以调整；请保留各篇文章原来的序号，"
        "或请审核人调整。"
    )


def deletion_refusal(user, issue: Issue) -> str | None:
    if issue.status == Issue.Status.PUBLISHED and not may_publish(user):
        return _("已发布（含定时发布）的期刊只有审核人可以删除。")
    return None


def settle(issue: Issue, user, before: State | None) -> None:
    """After a permitted change, before saving: record or clear the sign-off.

    A newly published or scheduled issue (or a new publication time) is signed off by
    ``user``; an issue taken off publication loses its sign-off and publication time.
    """
    if issue.status == Issue.Status.PUBLISHED:
        if issue.published_at is None:
            issue.published_at = timezone.now()
        if before is None or not before.is_published or before.published_at != issue.published_at:
            issue.approved_by, issue.approved_at = user, timezone.now()
    else:
        issue.published_at = issue.approved_by = issue.approved_at = None


def _require_publisher(user) -> None:
    if not may_publish(user):
        raise PermissionDenied(_("只有审核人可以发布、定时发布或撤回期刊。"))


def submit(issue: Issue, user) -> bool:
    """Draft → in review. False when the issue is not a draft."""
    if issue.status != Issue.Status.DRAFT:
        return False
    before = State.of(issue)
    issue.status = Issue.Status.REVIEW
    check(user, before, State.of(issue))
    issue.save()
    return True


def approve(issue: Issue, user, at: datetime.datetime | None = None) -> None:
    """Sign off and publish: now, or at ``at`` (a future time schedules the issue)."""
    _require_publisher(user)
    before = State.of(issue)
    issue.status = Issue.Status.PUBLISHED
    issue.published_at = at or timezone.now()
    settle(issue, user, before)
    issue.save()


def unpublish(issue: Issue, user) -> bool:
    """Published, scheduled or in review → draft. False when it is a draft already."""
    _require_publisher(user)
    if issue.status == Issue.Status.DRAFT:
        return False
    before = State.of(issue)
    issue.status = Issue.Status.DRAFT
    settle(issue, user, before)
    issue.save()
    return True
