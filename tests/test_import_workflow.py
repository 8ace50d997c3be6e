"""The importer obeys the review workflow: who may re-import or publish an issue by import.

Editors (group 编辑) and reviewers (group 审核) act through the admin's import pages as
they would: upload, read the review page, confirm. The command line (no user) is trusted.
"""

import datetime
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from bulletins.importing import parse_document
from bulletins.importing.load import BulletinLoadError, load_bulletin, plan_bulletin
from bulletins.models import Issue, PendingImport
from tests import factories
from tests.test_import_admin import flash, pending_ids, review_url_after_upload, upload

FIXTURES = Path(__file__).parent / "fixtures" / "bulletins"
REFUSED = "周报 第七〇一期已发布或已定时发布，只有审核人（“审核”组）可以重新导入这一期"

pytestmark = pytest.mark.django_db


def weekly_701():
    return parse_document("weekly-701.txt", (FIXTURES / "weekly-701.txt").read_bytes())


def public_701(when: str) -> Issue:
    """Issue 701 as the command line imported and published it, then tagged by an editor;
    ``when`` is "published" (public since yesterday) or "scheduled" (public in two days)."""
    issue = load_bulletin(weekly_701(), publish=True).issue
    days = -1 if when == "published" else 2
    issue.published_at = timezone.now() + datetime.timedelta(days=days)
    issue.save()
    issue.articles.get(position=1).tags.add(factories.tag("电子健康档案"))
    return issue


def snapshot(issue: Issue):
    """Everything a re-import could change about the issue, as comparable values."""
    issue.refresh_from_db()
    articles = issue.articles.order_by("position")
    return {
        "issue": (issue.status, issue.published_at, issue.intro, issue.approved_by_id),
        "articles": list(articles.values_list("pk", "position", "title", "body", "source_id")),
        "tags": [sorted(article.tags.values_list("name", flat=True)) for article in articles],
    }


@pytest.mark.parametrize("when", ["published", "scheduled"])
def test_an_editor_is_refused_reimporting_a_published_or_scheduled_issue(client, when):
    issue = public_701(when)
    before = snapshot(issue)
    client.force_login(factories.editor())

    review_url = review_url_after_upload(client, upload("weekly-701.txt"))
    page = client.get(review_url).text
    assert REFUSED in page
    assert 'class="errornote import-refusal"' in page
    assert "无法导入" in page and pending_ids(page) == []
    assert "确认导入（保存为草稿）" not in page
    assert snapshot(issue) == before

    # A confirmation sent anyway (a stale page, a hand-made POST) writes nothing either.
    pending = PendingImport.objects.get()
    response = client.post(review_url, {"upload": str(pending.pk)})
    [message] = flash(response)
    assert "“weekly-701.txt”：未导入" in message and REFUSED in message
    assert snapshot(issue) == before
    assert Issue.objects.count() == 1


@pytest.mark.parametrize("when", ["published", "scheduled"])
def test_a_reviewer_may_reimport_a_published_or_scheduled_issue(client, when):
    issue = public_701(when)
    before = snapshot(issue)
    client.force_login(factories.reviewer())

    review_url = review_url_after_upload(client, upload("weekly-701.txt"))
    page = client.get(review_url).text
    assert REFUSED not in page
    assert "状态为“已发布”；导入后将改回草稿" in page
    ids = pending_ids(page)  # replacing a public issue needs its own tick
    response = client.post(review_url, {"upload": ids, "replace": ids})
    assert response["Location"] == reverse("admin:bulletins_issue_change", args=[issue.pk])
    assert "已更新周报 第七〇一期（草稿）" in flash(response)[0]
    after = snapshot(issue)
    assert after["issue"][0] == Issue.Status.DRAFT
    # The articles keep their permalinks and the editors' tags.
    assert [row[0] for row in after["articles"]] == [row[0] for row in before["articles"]]
    assert after["tags"] == before["tags"]


def test_an_editor_may_reimport_a_draft_or_an_issue_in_review(client):
    issue = load_bulletin(weekly_701()).issue
    issue.status = Issue.Status.REVIEW
    issue.save()
    client.force_login(factories.editor())
    review_url = review_url_after_upload(client, upload("weekly-701.txt"))
    page = client.get(review_url).text
    assert "只有审核人" not in page
    client.post(review_url, {"upload": pending_ids(page)})
    issue.refresh_from_db()
    assert issue.status == Issue.Status.DRAFT


def test_the_importer_refuses_an_editor_who_would_publish_by_importing():
    editor = factories.editor()
    with pytest.raises(BulletinLoadError) as refused:
        load_bulletin(weekly_701(), publish=True, user=editor)
    [problem] = refused.value.problems
    assert "周报 第七〇一期：只有审核人可以发布或定时发布期刊" in problem.message
    assert not Issue.objects.exists()
    # A draft is theirs to import; the plan names no refusal.
    assert plan_bulletin(weekly_701(), user=editor).refusal == ""
    assert load_bulletin(weekly_701(), user=editor).issue.status == Issue.Status.DRAFT


def test_the_importer_refuses_an_editor_over_a_published_issue_even_when_publishing():
    """Keeping it published would still replace its articles, which only a reviewer may."""
    issue = public_701("published")
    before = snapshot(issue)
    with pytest.raises(BulletinLoadError) as refused:
        load_bulletin(weekly_701(), publish=True, user=factories.editor())
    assert REFUSED in refused.value.problems[0].message
    assert snapshot(issue) == before


def test_the_command_line_operator_is_not_asked():
    issue = public_701("published")
    result = load_bulletin(weekly_701(), publish=True)
    assert result.issue.pk == issue.pk and not result.created
