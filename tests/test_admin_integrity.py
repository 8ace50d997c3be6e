"""Editorial integrity in the admin: no lost updates, and no 500 on odd admin URLs.

Two people who open the same issue's form both think they hold the latest text: the
second save over a newer version is refused, with who changed it and when, a link to
compare, and the second person's input still in the form. Every admin URL of the app,
filled with junk ids and query strings, answers as a page, a redirect or a 404.
"""

import pytest
from django.test import Client
from django.urls import reverse

from bulletins.editorial import history
from tests import factories

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
