"""Review and sign-off: who may do what, through the admin's real pages.

Roles: 编辑 (editor), 审核 (reviewer), a superuser, and plain staff in no group. Every
action is done as a user would do it (form posts built from the rendered form, list
actions, 'create next issue'), then the database says whether it happened.
"""

import datetime
import itertools
from pathlib import Path
from unittest import mock

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from bulletins.editorial import workflow
from bulletins.importing import parse_document
from bulletins.importing.load import BulletinLoadError, load_bulletin
from bulletins.models import Article, Issue, Source, Tag
from tests import factories
from tests.admin_forms import post_form

ROLES = ["editor", "reviewer", "superuser", "staff"]
WRITERS = {"editor", "reviewer", "superuser"}
PUBLISHERS = {"reviewer", "superuser"}

ISSUES = reverse("admin:bulletins_issue_changelist")
WEEKLY_701 = Path(__file__).parent / "fixtures" / "bulletins" / "weekly-701.txt"


def login(client, role):
    if role == "editor":
        user = factories.editor()
    elif role == "reviewer":
        user = factories.reviewer()
    elif role == "superuser":
        user = factories.staff_user("root", is_superuser=True)
    else:
        user = factories.staff_user("plain")
    client.force_login(user)
    return user


def weekly_701():
    return parse_document(WEEKLY_701.name, WEEKLY_701.read_bytes())


def change_url(obj):
    return reverse(f"admin:bulletins_{obj._meta.model_name}_change", args=[obj.pk])


def edit_issue(client, issue, changes):
    """Post the issue's change form with ``changes``; False if the page is refused."""
    if client.get(change_url(issue)).status_code != 200:
        return False
    post_form(client, change_url(issue), "issue_form", changes)
    return True


def list_action(client, url, action, objects, **fields):
    return client.post(
        url, {"action": action, "_selected_action": [obj.pk for obj in objects], **fields}
    )


def in_two_days():
    return timezone.localtime(timezone.now() + datetime.timedelta(days=2))


# --- The actions, each returning whether it took effect ----------------------------------


def save_draft(client, user):
    client.post(
        reverse("admin:bulletins_issue_add"),
        {
            "series": factories.series().pk,
            "number": "700",
            "publication_date": "2025-08-08",
            "intro": "新的一期。",
            "status": "draft",
            "articles-TOTAL_FORMS": "0",
            "articles-INITIAL_FORMS": "0",
        },
    )
    return Issue.objects.filter(number=700, status=Issue.Status.DRAFT).exists()


def submit_by_action(client, user):
    draft = factories.draft_issue()
    list_action(client, ISSUES, "submit_for_review", [draft])
    draft.refresh_from_db()
    return draft.status == Issue.Status.REVIEW


def submit_by_form(client, user):
    draft = factories.draft_issue()
    edit_issue(client, draft, {"status": "review"})
    draft.refresh_from_db()
    return draft.status == Issue.Status.REVIEW


def approve_by_action(client, user):
    pending = factories.issue(status=Issue.Status.REVIEW)
    list_action(client, ISSUES, "approve_now", [pending])
    pending.refresh_from_db()
    return pending.is_published() and pending.approved_by == user


def publish_by_form(client, user):
    pending = factories.issue(status=Issue.Status.REVIEW)
    edit_issue(client, pending, {"status": "published"})
    pending.refresh_from_db()
    return pending.is_published() and pending.approved_by == user


def schedule_by_action(client, user):
    pending = factories.issue(status=Issue.Status.REVIEW)
    when = in_two_days()
    list_action(
        client,
        ISSUES,
        "schedule",
        [pending],
        apply="1",
        published_at=when.strftime("%Y-%m-%dT%H:%M"),
    )
    pending.refresh_from_db()
    return pending.is_scheduled() and pending.approved_by == user


def schedule_by_form(client, user):
    pending = factories.issue(status=Issue.Status.REVIEW)
    when = in_two_days()
    edit_issue(
        client,
        pending,
        {
            "status": "published",
            "published_at_0": when.strftime("%Y-%m-%d"),
            "published_at_1": when.strftime("%H:%M:%S"),
        },
    )
    pending.refresh_from_db()
    return pending.is_scheduled()


def unpublish_by_action(client, user):
    public = factories.issue()
    list_action(client, ISSUES, "unpublish", [public])
    public.refresh_from_db()
    return public.status == Issue.Status.DRAFT


def unpublish_by_form(client, user):
    public = factories.issue()
    edit_issue(client, public, {"status": "draft"})
    public.refresh_from_db()
    return public.status == Issue.Status.DRAFT


def publish_from_next_issue(client, user):
    factories.issue(number=636, publication_date=datetime.date(2025, 8, 8))
    response = client.get(reverse("admin:bulletins_issue_next", args=["weekly"]))
    if response.status_code != 302:
        return False
    post_form(client, response["Location"], "issue_form", {"status": "published"})
    return Issue.objects.filter(number=637, status=Issue.Status.PUBLISHED).exists()


def delete_published_issue(client, user):
    public = factories.issue()
    client.post(reverse("admin:bulletins_issue_delete", args=[public.pk]), {"post": "yes"})
    return not Issue.objects.filter(pk=public.pk).exists()


def merge_sources(client, user):
    keep, duplicate = factories.source("人民网"), factories.source("人民网-人民日报")
    factories.article(source=duplicate)
    list_action(
        client,
        reverse("admin:bulletins_source_changelist"),
        "merge_selected",
        [keep, duplicate],
        apply="1",
        keep=keep.pk,
    )
    return not Source.objects.filter(pk=duplicate.pk).exists()


def merge_tags(client, user):
    keep, duplicate = factories.tag("医保"), factories.tag("医疗保障")
    factories.article(tags=[duplicate])
    list_action(
        client,
        reverse("admin:bulletins_tag_changelist"),
        "merge_selected",
        [keep, duplicate],
        apply="1",
        keep=keep.pk,
    )
    return not Tag.objects.filter(pk=duplicate.pk).exists()


def rename_source(client, user):
    source = factories.source("新华网")
    list_action(
        client,
        reverse("admin:bulletins_source_changelist"),
        "rename_selected",
        [source],
        apply="1",
        name="新华社",
        slug="",
    )
    source.refresh_from_db()
    return source.name == "新华社"


def rename_tag(client, user):
    tag = factories.tag("智慧医疗")
    list_action(
        client,
        reverse("admin:bulletins_tag_changelist"),
        "rename_selected",
        [tag],
        apply="1",
        name="智慧医院",
        slug="zhihui-yiyuan",
    )
    tag.refresh_from_db()
    return tag.slug == "zhihui-yiyuan"


def import_published(client, user):
    """The importer, acting for ``user``, publishes a new issue as it stores it."""
    try:
        load_bulletin(weekly_701(), publish=True, user=user)
    except BulletinLoadError:
        return False
    return Issue.objects.filter(number=701, status=Issue.Status.PUBLISHED).exists()


def reimport_published(client, user):
    """The importer, acting for ``user``, stores a document over a published issue."""
    issue = load_bulletin(weekly_701(), publish=True).issue  # by the command line
    issue.articles.update(title="编辑改过的标题")
    try:
        load_bulletin(weekly_701(), user=user)
    except BulletinLoadError:
        return False
    return not issue.articles.filter(title="编辑改过的标题").exists()


MATRIX = {
    save_draft: WRITERS,
    submit_by_action: WRITERS,
    submit_by_form: WRITERS,
    approve_by_action: PUBLISHERS,
    publish_by_form: PUBLISHERS,
    schedule_by_action: PUBLISHERS,
    schedule_by_form: PUBLISHERS,
    unpublish_by_action: PUBLISHERS,
    unpublish_by_form: PUBLISHERS,
    publish_from_next_issue: PUBLISHERS,
    delete_published_issue: PUBLISHERS,
    import_published: PUBLISHERS,
    reimport_published: PUBLISHERS,
    merge_sources: PUBLISHERS,
    merge_tags: PUBLISHERS,
    rename_source: WRITERS,
    rename_tag: WRITERS,
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "action, role",
    list(itertools.product(MATRIX, ROLES)),
    ids=[f"{a.__name__}-{r}" for a, r in itertools.product(MATRIX, ROLES)],
)
def test_permission_matrix(client, action, role):
    """Editors write and submit; only reviewers (and superusers) publish, schedule,
    unpublish and merge; staff in no group can do nothing."""
    user = login(client, role)
    assert action(client, user) == (role in MATRIX[action])


# --- What each role sees, and what an editor may do to a published issue ------------------


@pytest.mark.django_db
def test_editors_are_offered_no_way_to_publish(client):
    """The editor's form has no 已发布 choice and no publication time; no publish actions."""
    login(client, "editor")
    draft = factories.draft_issue()
    form = client.get(change_url(draft)).text
    assert 'value="review"' in form and 'value="published"' not in form
    assert 'name="published_at_0"' not in form
    changelist = client.get(ISSUES).text
    assert "submit_for_review" in changelist
    for action in ["approve_now", "schedule", "unpublish"]:
        assert action not in changelist


@pytest.mark.django_db
def test_reviewers_are_offered_every_step(client):
    login(client, "reviewer")
    draft = factories.draft_issue()
    changelist = client.get(ISSUES).text
    for action in ["submit_for_review", "approve_now", "schedule", "unpublish"]:
        assert action in changelist
    form = client.get(change_url(draft)).text
    assert 'value="published"' in form and 'name="published_at_0"' in form


@pytest.mark.django_db
def test_a_hand_made_post_cannot_publish_for_an_editor(client):
    """Even a status the form does not offer is refused, with the reason on the page."""
    login(client, "editor")
    draft = factories.draft_issue()
    response = post_form(client, change_url(draft), "issue_form", {"status": "published"})
    assert response.status_code == 200  # the form again, with its error
    draft.refresh_from_db()
    assert draft.status == Issue.Status.DRAFT


@pytest.mark.django_db
def test_an_editor_may_fix_the_text_of_a_published_issue_but_not_its_state(client):
    """Text corrections are saved; status, publication time and number stay as they were."""
    login(client, "editor")
    public = factories.issue(number=640)
    article = factories.article(issue_obj=public, title="错别字标题")
    published_at = public.published_at
    form = client.get(change_url(public)).text
    assert 'name="status"' not in form and 'name="number"' not in form
    post_form(
        client,
        change_url(public),
        "issue_form",
        {
            "intro": "改正后的导语。",
            "articles-0-title": "改正后的标题",
            # Fields the page does not offer, added by hand: ignored.
            "status": "draft",
            "number": "641",
            "published_at_0": "2030-01-01",
            "published_at_1": "09:00:00",
        },
    )
    public.refresh_from_db()
    article.refresh_from_db()
    assert public.intro == "改正后的导语。" and article.title == "改正后的标题"
    assert public.status == Issue.Status.PUBLISHED and public.number == 640
    assert public.published_at == published_at


@pytest.mark.django_db
def test_an_editor_cannot_add_or_remove_articles_of_a_published_issue(client):
    """Adding or removing an article changes what is public: a reviewer's decision."""
    login(client, "editor")
    public = factories.issue()
    kept = factories.article(issue_obj=public)
    post_form(
        client,
        change_url(public),
        "issue_form",
        {
            "articles-0-DELETE": "on",
            "articles-TOTAL_FORMS": "2",
            "articles-1-position": "2",
            "articles-1-title": "悄悄加上的文章",
        },
    )
    assert list(public.articles.all()) == [kept]
    # Nor through the article pages: adding to it, moving out of it, deleting.
    draft = factories.draft_issue()
    add = reverse("admin:bulletins_article_add")
    response = client.post(add, {"issue": public.pk, "position": 5, "title": "另一篇", "tags": []})
    assert "已发布期刊的文章只能修改文字" in response.text
    post_form(client, change_url(kept), "article_form", {"issue": draft.pk})
    kept.refresh_from_db()
    assert kept.issue == public
    delete = reverse("admin:bulletins_article_delete", args=[kept.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Article.objects.filter(issue=public).count() == 1


@pytest.mark.django_db
def test_an_editor_builds_a_draft_from_the_next_issue_link_and_sees_the_warnings(client):
    """'Create next issue' fills the form; saving it warns of gaps and repeated links."""
    login(client, "editor")
    latest = factories.issue(
        number=636,
        publication_date=datetime.date(2025, 8, 8),
        period_start=datetime.date(2025, 8, 2),
        period_end=datetime.date(2025, 8, 8),
    )
    factories.article(issue_obj=latest, original_url="https://example.cn/used.html")
    add = client.get(reverse("admin:bulletins_issue_next", args=["weekly"]))["Location"]
    response = post_form(
        client,
        add,
        "issue_form",
        {
            "number": "639",  # leaves out 637 and 638
            "articles-TOTAL_FORMS": "1",
            "articles-0-position": "1",
            "articles-0-title": "又一篇",
            "articles-0-original_url": "https://example.cn/used.html",
        },
    )
    created = Issue.objects.get(number=639)
    assert created.status == Issue.Status.DRAFT and created.period_start.day == 9
    page = client.get(response["Location"]).text
    assert "中间缺少 2 期" in page
    assert "https://example.cn/used.html 已出现在周报 第六三六期中" in page


@pytest.mark.django_db
def test_approval_is_recorded_and_shown(client):
    """The reviewer who approved and the time are kept, shown in the admin and logged."""
    reviewer = login(client, "reviewer")
    reviewer.last_name, reviewer.first_name = "张", "伟"
    reviewer.save()
    pending = factories.issue(status=Issue.Status.REVIEW)
    list_action(client, ISSUES, "approve_now", [pending])
    pending.refresh_from_db()
    assert pending.approved_by == reviewer and pending.approved_at is not None
    today = timezone.localdate()
    assert f"签发：张伟　{today.year}年{today.month}月{today.day}日" in (
        client.get(change_url(pending)).text
    )
    # Unpublishing withdraws the sign-off with the publication.
    list_action(client, ISSUES, "unpublish", [pending])
    pending.refresh_from_db()
    assert (pending.status, pending.approved_by, pending.published_at) == ("draft", None, None)


@pytest.mark.django_db
def test_a_scheduled_issue_goes_public_by_itself(client):
    """Scheduling needs no job: the issue is public once its time has come."""
    reviewer = factories.reviewer()
    issue = factories.issue(status=Issue.Status.REVIEW)
    when = timezone.now() + datetime.timedelta(days=2)
    workflow.approve(issue, reviewer, at=when)
    assert client.get(issue.get_absolute_url()).status_code == 404
    later = when + datetime.timedelta(minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert client.get(issue.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_scheduling_in_the_past_is_refused(client):
    login(client, "reviewer")
    pending = factories.issue(status=Issue.Status.REVIEW)
    response = list_action(
        client, ISSUES, "schedule", [pending], apply="1", published_at="2020-01-01T09:00"
    )
    assert "请选择将来的时间" in response.text
    pending.refresh_from_db()
    assert pending.status == Issue.Status.REVIEW


@pytest.mark.django_db
def test_merges_and_renames_are_in_the_admin_log(client):
    login(client, "reviewer")
    assert merge_sources(client, None)
    assert rename_tag(client, None)
    messages = list(LogEntry.objects.values_list("change_message", flat=True))
    assert any("人民网-人民日报 并入 人民网" in m for m in messages)
    assert any("智慧医疗 → 智慧医院" in m for m in messages)


@pytest.mark.django_db
def test_the_rule_itself_for_someone_without_the_publish_permission():
    """workflow.refusal, which every path asks: the cases the admin's form cannot offer."""
    editor, reviewer = factories.editor(), factories.reviewer()
    draft = workflow.State("draft", None, 1, 10)
    published = workflow.State("published", timezone.now(), 1, 10)
    assert workflow.refusal(editor, None, draft) is None
    assert workflow.refusal(editor, draft, workflow.State("review", None, 1, 10)) is None
    assert workflow.refusal(editor, None, published)
    assert workflow.refusal(editor, draft, published)
    assert workflow.refusal(editor, draft, workflow.State("draft", timezone.now(), 1, 10))
    assert workflow.refusal(editor, published, published) is None
    for changed in [
        workflow.State("draft", published.published_at, 1, 10),
        workflow.State("published", None, 1, 10),
        workflow.State("published", published.published_at, 2, 10),
        workflow.State("published", published.published_at, 1, 11),
    ]:
        assert workflow.refusal(editor, published, changed)
        assert workflow.refusal(reviewer, published, changed) is None
    with pytest.raises(PermissionDenied):
        workflow.approve(Issue(status="review"), editor)
