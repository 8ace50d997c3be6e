"""Only what readers can see changes what readers are sent. Saving a draft or an issue in
review leaves every public page, its cache entry and its validators alone (a reader's
ETag still answers 304, Last-Modified does not move); publishing, unpublishing and
editing published content still change them at once, and a preview always shows the
draft as it is now."""

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories
from tests.admin_forms import post_form

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = ["/", "/articles/", "/feeds/articles/", "/issues/weekly/"]


@pytest.fixture
def editor():
    client = Client()
    client.force_login(factories.editor())
    return client


@pytest.fixture
def public_archive():
    issue = factories.issue(number=650)
    factories.article(issue_obj=issue, title="已发布的文章")
    return issue


def validators(client):
    return {url: (r["ETag"], r["Last-Modified"]) for url in PUBLIC_PAGES if (r := client.get(url))}


def change_url(obj):
    return reverse(f"admin:bulletins_{obj._meta.model_name}_change", args=[obj.pk])


@pytest.mark.parametrize("status", ["draft_issue", "review_issue"])
def test_an_editor_saving_unpublished_work_leaves_readers_pages_alone(
    client, editor, public_archive, status
):
    draft = getattr(factories, status)(number=651)
    article = factories.article(issue_obj=draft, title="草稿里的文章")
    before = validators(client)
    post_form(editor, change_url(draft), "issue_form", {"intro": "改过的草稿导语"})
    post_form(editor, change_url(article), "article_form", {"title": "改过的草稿标题"})
    assert validators(client) == before
    for url, (etag, _modified) in before.items():
        assert client.get(url, headers={"if-none-match": etag}).status_code == 304, url


def test_an_edit_to_published_content_changes_them_at_once(client, editor, public_archive):
    before = validators(client)
    article = public_archive.articles.get()
    post_form(editor, change_url(article), "article_form", {"title": "更正后的标题"})
    after = validators(client)
    assert all(after[url][0] != before[url][0] for url in PUBLIC_PAGES)
    assert "更正后的标题" in client.get("/articles/").text


def test_a_preview_shows_the_draft_as_it_is_now(editor):
    draft = factories.draft_issue(number=652)
    article = factories.article(issue_obj=draft, title="预览中的旧标题")
    for url in (draft.get_absolute_url(), article.get_absolute_url()):
        assert "预览中的旧标题" in editor.get(url).text
    post_form(editor, change_url(article), "article_form", {"title": "预览中的新标题"})
    for url in (draft.get_absolute_url(), article.get_absolute_url()):
        page = editor.get(url).text
        assert "预览中的新标题" in page and "预览中的旧标题" not in page, url
