"""Editorial integrity in the admin: no lost updates, and no 500 on odd admin URLs.

Two people who open the same issue's form both think they hold the latest text: the
second save over a newer version is refused, with who changed it and when, a link to
compare, and the second person's input still in the form. Every admin URL of the app,
filled with junk ids and query strings, answers as a page, a redirect or a 404.
"""

import re
import zoneinfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bulletins.editorial import history
from bulletins.models import Issue
from tests import factories
from tests.admin_forms import form_data

pytestmark = pytest.mark.django_db

ROLES = {"editor": factories.editor, "reviewer": factories.reviewer}


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture(params=sorted(ROLES))
def role_client(request):
    """A client logged in as an editor, then (the test again) as a reviewer."""
    return logged_in(ROLES[request.param](f"{request.param}-a"))


# --- No lost updates ---------------------------------------------------------------------

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def change_url(obj):
    return reverse(f"admin:bulletins_{obj._meta.model_name}_change", args=[obj.pk])


def loaded_form(client, obj):
    """The object's change form as the page draws it (GET), ready to be posted back."""
    page = client.get(change_url(obj))
    assert page.status_code == 200, page.status_code
    return form_data(page.text, f"{obj._meta.model_name}_form")


def post(client, obj, data, **changes):
    data = data.copy()
    for name, value in changes.items():
        data[name] = value
    return client.post(change_url(obj), {name: data.getlist(name) for name in data})


def compare_link(page: str) -> str:
    found = re.search(r'<a href="(/admin/bulletins/issue/\d+/history/compare/\?[^"]+)"', page)
    assert found, "no compare link on the page"
    return found.group(1).replace("&amp;", "&")


def refusal_text(issue, who: str) -> str:
    """此期已被 X 于 HH:MM 修改, at the time of the issue's latest version."""
    latest = history.issue_versions(issue).first()
    time = latest.revision.date_created.astimezone(SHANGHAI).strftime("%H:%M")
    return f"此期已被 {who} 于 {time} 修改"


@pytest.fixture
def issue_with_articles():
    """A draft with two articles, recorded as the admin or the importer would."""
    with history.recorded(factories.editor("author"), "新建"):
        issue = factories.draft_issue(intro="原来的导语。")
        factories.article(issue_obj=issue, title="第一篇原标题")
        factories.article(issue_obj=issue, title="第二篇原标题")
    return issue


@pytest.mark.parametrize("role", sorted(ROLES))
def test_a_save_over_a_newer_version_is_refused_and_keeps_the_input(role, issue_with_articles):
    issue = issue_with_articles
    first = logged_in(ROLES[role](f"{role}-first", last_name="张", first_name="伟"))
    second = logged_in(ROLES[role](f"{role}-second", last_name="王", first_name="芳"))
    first_form, second_form = loaded_form(first, issue), loaded_form(second, issue)
    assert second_form["loaded_version"]

    assert post(first, issue, first_form, intro="张伟改的导语。").status_code == 302
    versions_before = history.issue_versions(issue).count()

    refused = post(
        second,
        issue,
        second_form,
        intro="王芳改的导语。",
        **{"articles-0-title": "王芳改的标题"},
    )
    assert refused.status_code == 200
    assert refusal_text(issue, "张伟") in refused.text
    # Nothing of the second save is written, not even to the history.
    issue.refresh_from_db()
    assert issue.intro == "张伟改的导语。"
    assert sorted(issue.articles.values_list("title", flat=True)) == [
        "第一篇原标题",
        "第二篇原标题",
    ]
    assert history.issue_versions(issue).count() == versions_before
    # Their input is still in the form they see.
    shown = form_data(refused.text, "issue_form")
    assert shown["intro"] == "王芳改的导语。"
    assert shown["articles-0-title"] == "王芳改的标题"
    # The link compares what they loaded with what the first one saved.
    newest, loaded = history.issue_versions(issue)[:2]
    link = compare_link(refused.text)
    assert link.endswith(f"?old={loaded.pk}&new={newest.pk}")
    comparison = second.get(link)
    assert comparison.status_code == 200
    assert "<del>原来</del><ins>张伟改</ins>的导语。" in comparison.text
    # Having looked, saving the form shown again writes their input.
    assert post(second, issue, shown).status_code == 302
    issue.refresh_from_db()
    assert issue.intro == "王芳改的导语。"
    assert issue.articles.filter(title="王芳改的标题").exists()


@pytest.mark.parametrize("role", sorted(ROLES))
def test_a_save_with_no_one_in_between_is_written(role, issue_with_articles):
    issue = issue_with_articles
    client = logged_in(ROLES[role](f"{role}-alone"))
    data = loaded_form(client, issue)
    response = post(client, issue, data, intro="新导语。", **{"articles-1-title": "新标题"})
    assert response.status_code == 302, response.text[:3000]
    issue.refresh_from_db()
    assert issue.intro == "新导语。"
    assert issue.articles.filter(title="新标题").exists()
    # A save that changed nothing leaves nothing for the next form to conflict with.
    data = loaded_form(client, issue)
    other = logged_in(ROLES[role](f"{role}-other"))
    assert post(other, issue, loaded_form(other, issue)).status_code == 302
    assert post(client, issue, data, intro="再改一次。").status_code == 302


def test_an_article_changed_on_its_own_page_in_between_refuses_the_issue_form(
    issue_with_articles,
):
    issue = issue_with_articles
    first = logged_in(factories.editor("article-editor", last_name="李", first_name="娜"))
    second = logged_in(factories.editor("issue-editor"))
    stale = loaded_form(second, issue)
    article = issue.articles.get(position=1)
    changed = post(first, article, loaded_form(first, article), title="李娜改的标题")
    assert changed.status_code == 302

    refused = post(second, issue, stale, intro="另一个导语。")
    assert refused.status_code == 200
    assert refusal_text(issue, "李娜") in refused.text
    assert second.get(compare_link(refused.text)).status_code == 200
    issue.refresh_from_db()
    assert issue.intro == "原来的导语。"
    assert issue.articles.filter(title="李娜改的标题").exists()


def test_a_status_change_by_a_reviewer_in_between_refuses_an_editors_form(issue_with_articles):
    """The reviewer publishes from the list (提交审核 → 审核通过并立即发布) while the editor
    is still writing: the editor's stale form would have written over the new state."""
    issue = issue_with_articles
    editor = logged_in(factories.editor("slow-editor"))
    reviewer = logged_in(factories.reviewer("quick-reviewer", last_name="赵", first_name="敏"))
    stale = loaded_form(editor, issue)
    changelist = reverse("admin:bulletins_issue_changelist")
    response = reviewer.post(changelist, {"action": "approve_now", "_selected_action": [issue.pk]})
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.status == Issue.Status.PUBLISHED

    refused = post(editor, issue, stale, intro="编辑的导语。")
    assert refused.status_code == 200
    assert refusal_text(issue, "赵敏") in refused.text
    issue.refresh_from_db()
    assert issue.intro == "原来的导语。" and issue.status == Issue.Status.PUBLISHED


def test_the_check_locks_the_issue_until_the_save_ends(issue_with_articles):
    """Two saves of one issue at the same moment: the second waits for the first to end,
    then sees its version, so both cannot pass the check and then both write."""
    if not connection.features.has_select_for_update:
        pytest.skip("SQLite has no row locks (it lets one writer in at a time)")
    client = logged_in(factories.editor("locker"))
    data = loaded_form(client, issue_with_articles)
    with CaptureQueriesContext(connection) as queries:
        assert post(client, issue_with_articles, data, intro="锁住再写。").status_code == 302
    table = issue_with_articles._meta.db_table
    assert any(
        "FOR UPDATE" in query["sql"] and f'FROM "{table}"' in query["sql"] for query in queries
    )


def test_a_form_with_a_junk_version_is_refused_not_a_500(issue_with_articles):
    client = logged_in(factories.editor("tamperer"))
    client.raise_request_exception = False
    data = loaded_form(client, issue_with_articles)
    for junk in ("abc", "99999999999999999999999-x", "-", "1e5-"):
        response = post(client, issue_with_articles, data, loaded_version=junk)
        assert response.status_code == 200
        assert "此期已被" in response.text


# --- Odd admin URLs ----------------------------------------------------------------------


@pytest.fixture
def recorded_issue():
    """A draft with an article and two recorded versions, and another issue's version."""
    user = factories.editor("writer")
    issue = factories.draft_issue(intro="第一稿。")
    article = factories.article(issue_obj=issue)
    for intro in ("第二稿。", "第三稿。"):
        with history.recorded(user, "测试"):
            issue.intro = intro
            issue.save()
            article.save()
    other = factories.draft_issue()
    with history.recorded(user, "测试"):
        other.save()
    return {
        "issue": issue.pk,
        "article": article.pk,
        "old": history.issue_versions(issue).last().pk,
        "new": history.issue_versions(issue).first().pk,
        "article_old": history.article_versions(article).last().pk,
        "article_new": history.article_versions(article).first().pk,
        "other": history.issue_versions(other).first().pk,
    }


ISSUE = "/admin/bulletins/issue/"
ARTICLE = "/admin/bulletins/article/"
JUNK_IDS = ["abc", "1e5", "1.5", "-1", "0", "9" * 25, "%E5%8C%BB", "x/y", "_5F"]
ODD_URLS = [
    # history, compare and restore of an id that cannot be one
    *(f"{ISSUE}{junk}/history/" for junk in JUNK_IDS),
    *(f"{ISSUE}{junk}/history/compare/?old=1&new=2" for junk in JUNK_IDS),
    *(f"{ISSUE}{junk}/history/1/restore/" for junk in JUNK_IDS),
    *(f"{ISSUE}{junk}/change/" for junk in JUNK_IDS),
    *(f"{ARTICLE}{junk}/history/" for junk in JUNK_IDS),
    *(f"{ARTICLE}{junk}/history/compare/?old=1&new=2" for junk in JUNK_IDS),
    *(f"{ARTICLE}{junk}/change/" for junk in JUNK_IDS),
    # comparing versions that are not numbers, missing, or of another issue
    ISSUE + "{issue}/history/compare/?old={old}&new=abc",
    ISSUE + "{issue}/history/compare/?old={old}&new=1e5",
    ISSUE + "{issue}/history/compare/?old={old}&new=",
    ISSUE + "{issue}/history/compare/?old={old}&new=" + "9" * 25,
    ISSUE + "{issue}/history/compare/?old={old}",
    ISSUE + "{issue}/history/compare/?old={old}&new={new}",
    ISSUE + "{issue}/history/compare/?old=abc&new={new}",
    ISSUE + "{issue}/history/compare/?old=&new={new}",
    ISSUE + "{issue}/history/compare/?new={new}",
    ISSUE + "{issue}/history/compare/",
    ISSUE + "{issue}/history/compare/?old={other}&new={new}",
    ISSUE + "{issue}/history/compare/?old={old}&new={other}",
    ISSUE + "{issue}/history/{other}/restore/",
    ISSUE + "{issue}/history/99999999999999999999/restore/",
    ARTICLE + "{article}/history/compare/?old={article_old}&new=abc",
    ARTICLE + "{article}/history/compare/?old={article_old}&new=1e5",
    ARTICLE + "{article}/history/compare/?old={article_old}&new=",
    ARTICLE + "{article}/history/compare/?old={article_old}",
    ARTICLE + "{article}/history/compare/?old={article_old}&new={article_new}",
    ARTICLE + "{article}/history/compare/?old={other}&new={article_new}",
    ARTICLE + "{article}/history/compare/?old={new}&new={article_new}",
    # list filters and the date hierarchy
    ISSUE + "?year=0000",
    ISSUE + "?year=9999",
    ISSUE + "?year=99999",
    ISSUE + "?year=%C2%B2",  # a superscript two: a digit, but no number
    ISSUE + "?year=" + "9" * 5000,
    ISSUE + "?publication_date__year=99999",
    ISSUE + "?publication_date__year=9999",
    ISSUE + "?publication_date__year=9999&publication_date__month=12",
    ISSUE + "?publication_date__year=9999&publication_date__month=12&publication_date__day=31",
    ISSUE + "?publication_date__year=0",
    ISSUE + "?publication_date__year=" + "9" * 5000,
    ISSUE + "?publication_date__year=2025&publication_date__month=13",
    ISSUE + "?publication_date__year=2025&publication_date__month=0",
    ISSUE + "?publication_date__year=2025&publication_date__month=abc",
    ISSUE + "?publication_date__year=2025&publication_date__month=2&publication_date__day=30",
    ISSUE + "?publication_date__year=2025&publication_date__month=1&publication_date__day=-1",
    ISSUE + "?publication_date__month=13",
    ISSUE + "?publication_date__day=99",
    ISSUE + "?series__id__exact=abc",
    ISSUE + "?status__exact=nonsense",
    ISSUE + "?o=abc",
    ISSUE + "?o=99",
    ISSUE + "?p=abc",
    ISSUE + "?p=99999999999999999999",
    ARTICLE + "?original_date__year=9999",
    ARTICLE + "?original_date__year=99999",
    ARTICLE + "?original_date__year=9999&original_date__month=12&original_date__day=31",
    ARTICLE + "?original_date__year=2025&original_date__month=99",
    ARTICLE + "?issue__series__id__exact=abc",
    ARTICLE + "?source__id__exact=abc",
    ARTICLE + "?tags__id__exact=" + "9" * 25,
    ARTICLE + "?o=1.2.3.4.5",
    "/admin/bulletins/slugredirect/?o=1.2.3",
    "/admin/bulletins/slugredirect/?o=3",
    "/admin/bulletins/source/?o=1.2.3.4",
    "/admin/bulletins/tag/?o=1.2.3",
    # forms filled from the query string
    ARTICLE + "add/?issue=abc",
    ARTICLE + "add/?issue=99999999999999999999",
    ARTICLE + "add/?source=abc&tags=1,abc",
    ISSUE + "add/?series=abc&number=99999999999999999999&publication_date=0000-00-00",
    ISSUE + "next/nonsense/",
    ISSUE + "import/00000000-0000-0000-0000-000000000000/",
]


@pytest.mark.parametrize("url", ODD_URLS)
def test_odd_admin_urls_answer_a_page_a_redirect_or_not_found(role_client, recorded_issue, url):
    role_client.raise_request_exception = False
    response = role_client.get(url.format(**recorded_issue))
    assert response.status_code in (200, 302, 404), response.status_code


def test_a_bad_date_hierarchy_filter_is_ignored(role_client):
    """The list shows every issue, as if the filter were not there."""
    issue = factories.draft_issue()
    response = role_client.get(ISSUE, {"publication_date__year": "9999"})
    assert response.status_code == 200
    assert issue.label in response.text


def test_comparing_with_another_issues_version_is_not_found(role_client, recorded_issue):
    compare = reverse("admin:bulletins_issue_compare", args=[recorded_issue["issue"]])
    response = role_client.get(compare, {"old": recorded_issue["old"]})
    assert response.status_code == 200
    response = role_client.get(compare, {"old": recorded_issue["other"]})
    assert response.status_code == 404


# --- Odd posts: what a browser never sends, answered without a 500 -----------------------

JUNK_KEYS = ["abc", "1e5", "", "9" * 25]
ACTIONS = {
    ISSUE: ["submit_for_review", "approve_now", "schedule", "unpublish", "delete_selected"],
    ARTICLE: ["add_tags", "delete_selected"],
    "/admin/bulletins/source/": ["delete_selected"],
    "/admin/bulletins/tag/": ["delete_selected"],
}


@pytest.mark.parametrize(
    ("changelist", "action"),
    [(changelist, action) for changelist, actions in ACTIONS.items() for action in actions],
)
def test_list_actions_on_ids_that_name_no_row_do_nothing(role_client, changelist, action):
    issue = factories.draft_issue(intro="不变的导语。")
    factories.article(issue_obj=issue)
    role_client.raise_request_exception = False
    for junk in JUNK_KEYS:
        selected = {"action": action, "_selected_action": [junk], "index": "0"}
        response = role_client.post(changelist, selected)
        assert response.status_code in (200, 302), (junk, response.status_code)
    issue.refresh_from_db()
    assert issue.status == Issue.Status.DRAFT and issue.articles.count() == 1


@pytest.mark.parametrize(
    "field", ["articles-0-source", "articles-0-tags", "series", "articles-0-id"]
)
@pytest.mark.parametrize("junk", JUNK_KEYS)
def test_an_issue_form_posted_with_keys_that_name_no_row_is_shown_again(
    role_client, issue_with_articles, field, junk
):
    role_client.raise_request_exception = False
    response = post(
        role_client,
        issue_with_articles,
        loaded_form(role_client, issue_with_articles),
        **{field: junk},
    )
    assert response.status_code in (200, 302), response.status_code
    if junk:  # a blank source or tag is allowed, a blank id is a new row
        assert response.status_code == 200


@pytest.mark.parametrize("field", ["issue", "source", "tags"])
@pytest.mark.parametrize("junk", JUNK_KEYS)
def test_an_article_form_posted_with_keys_that_name_no_row_is_shown_again(
    role_client, issue_with_articles, field, junk
):
    article = issue_with_articles.articles.first()
    role_client.raise_request_exception = False
    response = post(role_client, article, loaded_form(role_client, article), **{field: junk})
    assert response.status_code in (200, 302), response.status_code
    add = role_client.post(reverse("admin:bulletins_article_add"), {field: junk})
    assert add.status_code == 200
