"""Unpublished issues: staff preview them at the real URL; others only by a signed link."""

import pytest
from django.core import signing

from bulletins import preview
from tests import factories


@pytest.fixture
def draft():
    issue = factories.draft_issue(number=777)
    factories.article(issue_obj=issue, title="尚未公开的文章")
    return issue


@pytest.fixture
def staff_client(django_user_model):
    from django.contrib.auth.models import Permission
    from django.test import Client

    client = Client()
    user = django_user_model.objects.create_user("editor", password="x-very-long-1", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_issue"))
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_public_gets_404_for_a_draft(client, draft):
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(draft.articles.get().get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_staff_see_the_draft_with_a_banner_uncached_and_unindexed(staff_client, draft):
    for url in [draft.get_absolute_url(), draft.articles.get().get_absolute_url()]:
        response = staff_client.get(url)
        assert response.status_code == 200
        assert "预览" in response.text and "尚未公开的文章" in response.text
        assert "no-store" in response["Cache-Control"]
        assert response["X-Robots-Tag"].startswith("noindex")
        assert '<meta name="robots" content="noindex' in response.text


@pytest.mark.django_db
def test_editors_and_reviewers_preview_but_staff_without_a_role_do_not(client, draft):
    """Previewing needs the right to view issues, which both groups have."""
    for user in [factories.editor(), factories.reviewer()]:
        client.force_login(user)
        assert "尚未公开的文章" in client.get(draft.get_absolute_url()).text
    client.force_login(factories.staff_user("plain"))
    assert client.get(draft.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_scheduled_issue_is_previewable_but_not_public(client, staff_client):
    issue = factories.scheduled_issue(number=778)
    assert client.get(issue.get_absolute_url()).status_code == 404
    assert "预览" in staff_client.get(issue.get_absolute_url()).text


@pytest.mark.django_db
def test_a_signed_link_opens_the_draft_without_an_account(client, draft):
    response = client.get(preview.preview_url(draft))
    assert response.status_code == 200
    assert "尚未公开的文章" in response.text
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_tampered_foreign_and_expired_links_get_404(client, draft, settings):
    """(A link whose signature fails is sent to the page without it first: a 404 too.)"""
    other = factories.draft_issue(number=779)
    token = preview.make_token(draft)
    assert (
        client.get(f"{draft.get_absolute_url()}?preview={token}x", follow=True).status_code == 404
    )
    assert client.get(f"{other.get_absolute_url()}?preview={token}", follow=True).status_code == 404
    forged = signing.TimestampSigner(salt="another-salt").sign(str(draft.pk))
    assert (
        client.get(f"{draft.get_absolute_url()}?preview={forged}", follow=True).status_code == 404
    )
    settings.PREVIEW_LINK_MAX_AGE = -1
    assert client.get(preview.preview_url(draft), follow=True).status_code == 404


@pytest.mark.django_db
def test_published_pages_carry_no_banner(client):
    article = factories.article()
    response = client.get(article.issue.get_absolute_url())
    assert "preview-banner" not in response.text
    assert "X-Robots-Tag" not in response
    assert 'name="robots"' not in response.text
