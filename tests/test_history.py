"""History: every change to an issue or article is kept with who and when; two versions
can be compared; restoring one writes it back as a new version and loses nothing."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from bulletins.editorial import curation, history
from bulletins.models import Article, Issue
from tests import factories
from tests.admin_forms import post_form


@pytest.fixture
def editor(client):
    user = factories.editor(last_name="李", first_name="娜")
    client.force_login(user)
    return user


def change_url(obj):
    return reverse(f"admin:bulletins_{obj._meta.model_name}_change", args=[obj.pk])


def history_url(obj):
    return reverse(f"admin:bulletins_{obj._meta.model_name}_history", args=[obj.pk])


def restore_url(issue, version):
    return reverse("admin:bulletins_issue_restore", args=[issue.pk, version.pk])


def save(client, obj, **changes):
    """Save the object's admin form with some fields changed, as an editor would."""
    form_id = f"{obj._meta.model_name}_form"
    response = post_form(client, change_url(obj), form_id, changes)
    assert response.status_code == 302, response.text[:2000]


def versions(issue):
    return list(history.issue_versions(issue))  # newest first


@pytest.mark.django_db
def test_every_save_in_the_admin_is_kept_with_who_and_when(client, editor):
    draft = factories.draft_issue(intro="第一稿。")
    article = factories.article(issue_obj=draft, body="原来的正文。")
    save(client, draft, intro="第二稿。")
    save(client, article, body="改过的正文。")  # on the article's own page
    newest, older = versions(draft)
    assert newest.revision.user == older.revision.user == editor
    assert older.field_dict["intro"] == "第二稿。"
    # One revision holds the issue and its articles, whichever was edited.
    assert newest.field_dict["intro"] == "第二稿。"
    assert len(history.article_versions(article)) == 2
    page = client.get(history_url(draft)).text
    assert page.count("李娜") == 2 and "已修改本期导语" in page


@pytest.mark.django_db
def test_two_versions_compared_show_what_changed(client, editor):
    draft = factories.draft_issue(intro="第一稿。")
    factories.article(issue_obj=draft, title="留下的文章", body="原来的正文。\n\n第二段。")
    save(client, draft, intro="第二稿。")
    save(client, draft, **{"articles-0-body": "改过的正文。\n\n第二段。"})
    newest, older = versions(draft)
    compare = reverse("admin:bulletins_issue_compare", args=[draft.pk])
    page = client.get(compare, {"old": older.pk, "new": newest.pk}).text
    assert "<del>原来</del><ins>改过</ins>的正文。" in page
    assert "第一稿" not in page  # the intro did not change between these two
    page = client.get(compare, {"old": older.pk, "new": "current"}).text
    assert "留下的文章" in page and "<del>原来</del><ins>改过</ins>" in page


@pytest.mark.django_db
def test_restoring_writes_the_old_text_back_and_keeps_the_current_one(client, editor):
    draft = factories.draft_issue()
    save(client, draft, intro="甲稿。")
    save(client, draft, intro="乙稿。")
    newest, older = versions(draft)
    response = client.post(restore_url(draft, older))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.intro == "甲稿。"
    after = versions(draft)
    assert len(after) == 3 and after[0].revision.user == editor
    assert "恢复为" in after[0].revision.comment
    assert after[1].pk == newest.pk and after[1].field_dict["intro"] == "乙稿。"
    client.post(restore_url(draft, newest))  # and back again
    draft.refresh_from_db()
    assert draft.intro == "乙稿。"


@pytest.mark.django_db
def test_restoring_brings_back_deleted_articles_and_removes_added_ones(client, editor):
    draft = factories.draft_issue()
    first = factories.article(issue_obj=draft, title="第一篇")
    second = factories.article(issue_obj=draft, title="第二篇", tags=[factories.tag("医保")])
    save(client, draft, intro="两篇的时候。")
    save(
        client,
        draft,
        **{
            "articles-1-DELETE": "on",
            "articles-TOTAL_FORMS": "3",
            "articles-2-position": "3",
            "articles-2-title": "新加的一篇",
        },
    )
    assert set(draft.articles.values_list("title", flat=True)) == {"第一篇", "新加的一篇"}
    with_new, with_two = versions(draft)
    client.post(restore_url(draft, with_two))
    restored = {a.pk: a for a in draft.articles.prefetch_related("tags")}
    assert set(restored) == {first.pk, second.pk}
    assert restored[second.pk].title == "第二篇"
    assert [t.name for t in restored[second.pk].tags.all()] == ["医保"]
    assert restored[second.pk].body_html  # rebuilt from the body
    # The article added in between is in the version before the restore.
    client.post(restore_url(draft, with_new))
    assert "新加的一篇" in draft.articles.values_list("title", flat=True)


@pytest.mark.django_db
def test_restoring_an_old_order_swaps_positions_back(client, editor):
    draft = factories.draft_issue()
    factories.article(issue_obj=draft, title="甲")
    factories.article(issue_obj=draft, title="乙")
    save(client, draft, intro="甲在前。")
    save(client, draft, **{"articles-0-position": "2", "articles-1-position": "1"})
    assert list(draft.articles.order_by("position").values_list("title", flat=True)) == [
        "乙",
        "甲",
    ]
    client.post(restore_url(draft, versions(draft)[1]))
    assert list(draft.articles.order_by("position").values_list("title", flat=True)) == [
        "甲",
        "乙",
    ]


@pytest.mark.django_db
def test_restoring_keeps_status_publication_time_and_sign_off(client):
    reviewer = factories.reviewer()
    client.force_login(reviewer)
    issue = factories.issue(status=Issue.Status.REVIEW, intro="审核前。")
    save(client, issue, intro="审核时改过。")
    save(client, issue, status="published")
    issue.refresh_from_db()
    published_at = issue.published_at
    page = client.get(restore_url(issue, versions(issue)[-1])).text
    assert '<tr class="same"><th scope="row">状态</th>' in page  # shown as it will be
    client.post(restore_url(issue, versions(issue)[-1]))
    issue.refresh_from_db()
    assert issue.intro == "审核时改过。"
    assert (issue.status, issue.published_at, issue.approved_by) == (
        "published",
        published_at,
        reviewer,
    )


@pytest.mark.django_db
def test_an_editor_cannot_restore_away_an_article_of_a_published_issue(client, editor):
    issue = factories.issue()
    factories.article(issue_obj=issue, title="原有")
    save(client, issue, intro="一篇的时候。")
    reviewer = factories.reviewer()
    client.force_login(reviewer)
    save(
        client,
        issue,
        **{
            "articles-TOTAL_FORMS": "2",
            "articles-1-position": "2",
            "articles-1-title": "审核人加的",
        },
    )
    client.force_login(editor)
    old = versions(issue)[-1]
    page = client.get(restore_url(issue, old)).text
    assert "增加、删除或移出文章需要审核人" in page
    assert client.post(restore_url(issue, old)).status_code == 200
    assert issue.articles.count() == 2


@pytest.mark.django_db
def test_restoring_after_a_merge_cites_the_kept_source_and_tag(client, editor):
    draft = factories.draft_issue()
    duplicate_source, duplicate_tag = factories.source("人民网-人民日报"), factories.tag("医疗保障")
    article = factories.article(issue_obj=draft, source=duplicate_source, tags=[duplicate_tag])
    save(client, draft, intro="合并前。")
    keep_source, keep_tag = factories.source("人民网"), factories.tag("医保")
    curation.merge_sources(keep_source, [duplicate_source])
    curation.merge_tags(keep_tag, [duplicate_tag])
    save(client, article, title="合并后改的标题")
    client.post(restore_url(draft, versions(draft)[-1]))
    article.refresh_from_db()
    assert article.source == keep_source and list(article.tags.all()) == [keep_tag]


@pytest.mark.django_db
def test_changes_made_outside_the_history_are_recorded_before_a_restore(client, editor):
    draft = factories.draft_issue()
    article = factories.article(issue_obj=draft, title="记录过的标题")
    save(client, draft, intro="记录过。")
    Article.objects.filter(pk=article.pk).update(title="没记录的标题")
    client.post(restore_url(draft, versions(draft)[0]))
    article.refresh_from_db()
    assert article.title == "记录过的标题"
    kept = [
        v.field_dict["title"]
        for issue_version in versions(draft)
        for v in issue_version.revision.version_set.all()
        if "title" in v.field_dict
    ]
    assert "没记录的标题" in kept


@pytest.mark.django_db
def test_code_outside_the_admin_records_its_writes_with_recorded(editor):
    """The importer and bulk paths wrap their writes: one revision, with user and note."""
    with history.recorded(editor, "从 Word 文档导入"):
        issue = factories.draft_issue(number=888)
        factories.article(issue_obj=issue, title="导入的文章")
        Article.objects.filter(issue=issue).update(title="批量改过的标题")
        history.add(issue)  # update() sends no signal: name what changed
    (version,) = versions(issue)
    assert version.revision.user == editor
    assert version.revision.comment == "从 Word 文档导入"
    titles = [v.field_dict.get("title") for v in version.revision.version_set.all()]
    assert "批量改过的标题" in titles


@pytest.mark.django_db
def test_an_articles_own_history_compares_and_leads_to_restoring_its_issue(client, editor):
    draft = factories.draft_issue()
    article = factories.article(issue_obj=draft, title="旧标题")
    save(client, article, title="新标题")
    save(client, article, title="更新的标题")
    page = client.get(history_url(article)).text
    newest, older = history.article_versions(article)
    issue_version = history.issue_version_beside(older)
    assert restore_url(draft, issue_version) in page
    compare = reverse("admin:bulletins_article_compare", args=[article.pk])
    page = client.get(compare, {"old": older.pk, "new": newest.pk}).text
    assert "<ins>更</ins>新" in page and "的标题" in page


@pytest.mark.django_db
def test_staff_without_a_role_see_no_history(client):
    client.force_login(factories.staff_user("plain"))
    draft = factories.draft_issue()
    assert client.get(history_url(draft)).status_code == 403
    compare = reverse("admin:bulletins_issue_compare", args=[draft.pk])
    assert client.get(compare, {"old": 1}).status_code == 403


def deleted_url():
    return reverse("admin:bulletins_issue_deleted")


def delete(client, issue):
    url = reverse("admin:bulletins_issue_delete", args=[issue.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Issue.objects.filter(pk=issue.pk).exists()


@pytest.mark.django_db
def test_a_deleted_issue_comes_back_as_a_draft_with_its_articles(admin_client):
    issue = factories.issue(number=712)  # published
    tag, source = factories.tag("医保"), factories.source("新华社")
    first = factories.article(issue_obj=issue, title="第一篇", body="**加粗**的正文。", tags=[tag])
    factories.article(issue_obj=issue, title="第二篇", source=source)
    save(admin_client, issue, intro="删除前的导语。")
    delete(admin_client, issue)
    assert admin_client.get(first.get_absolute_url()).status_code == 404

    page = admin_client.get(deleted_url()).text
    assert "周报 第七一二期" in page and "第一篇" in page and "第二篇" in page
    (version,) = history.deleted_issue_versions()
    response = admin_client.post(deleted_url(), {"version": version.pk})
    recovered = Issue.objects.get(series__slug="weekly", number=712)
    assert response["Location"] == change_url(recovered)
    assert recovered.status == Issue.Status.DRAFT and recovered.approved_by is None
    assert recovered.intro == "删除前的导语。"
    articles = list(recovered.articles.order_by("position"))
    assert [a.title for a in articles] == ["第一篇", "第二篇"]
    assert "<strong>加粗</strong>" in articles[0].body_html
    assert list(articles[0].tags.all()) == [tag] and articles[1].source == source
    # It is a draft: not public until it is reviewed and published again.
    assert Client().get(recovered.get_absolute_url()).status_code == 404
    assert versions(recovered)[0].revision.comment == "从已删除的期刊中恢复"
    assert "没有已删除的期刊" in admin_client.get(deleted_url()).text


@pytest.mark.django_db
def test_recovering_onto_a_number_in_use_says_so_and_changes_nothing(admin_client):
    issue = factories.draft_issue(number=713)
    factories.article(issue_obj=issue, title="被删的文章")
    save(admin_client, issue, intro="记录。")
    delete(admin_client, issue)
    factories.draft_issue(number=713, intro="新的第七一三期")
    (version,) = history.deleted_issue_versions()
    page = admin_client.post(deleted_url(), {"version": version.pk}, follow=True).text
    assert "无法恢复：全国卫生信息化舆情监测周报已有同一期号的期刊。" in page
    assert list(Issue.objects.values_list("intro", flat=True)) == ["新的第七一三期"]
    assert not Article.objects.filter(title="被删的文章").exists()


@pytest.mark.django_db
def test_only_staff_who_may_add_issues_see_or_recover_deleted_ones(client):
    client.force_login(factories.staff_user("plain"))
    assert client.get(deleted_url()).status_code == 403
    assert client.post(deleted_url(), {"version": "1"}).status_code == 403
    client.force_login(factories.editor())
    assert client.get(deleted_url()).status_code == 200
    assert client.post(deleted_url(), {"version": "x"}).status_code == 404
    page = client.get(reverse("admin:bulletins_issue_changelist")).text
    assert deleted_url() in page


@pytest.mark.django_db
def test_an_editor_cannot_restore_an_older_order_of_a_published_issue(client, editor):
    """The order is part of what is published: a restore that would move articles is a
    reviewer's decision, as a reorder in the change form is."""
    issue = factories.issue()
    first = factories.article(issue_obj=issue, title="第一篇")
    second = factories.article(issue_obj=issue, title="第二篇")
    save(client, issue, intro="原来的顺序。")
    client.force_login(factories.reviewer())
    save(client, issue, **{"articles-0-position": "2", "articles-1-position": "1"})
    assert [a.title for a in issue.articles.order_by("position")] == ["第二篇", "第一篇"]
    client.force_login(editor)
    old = versions(issue)[-1]
    assert "文章顺序只有审核人可以调整" in client.get(restore_url(issue, old)).text
    client.post(restore_url(issue, old))
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.position, second.position) == (2, 1)


@pytest.mark.django_db
def test_the_next_issue_after_an_out_of_range_date_is_offered_not_a_500(client, editor):
    """A row written before dates were checked (9999-12-31) must not break 新建下一期."""
    latest = factories.issue(number=900)
    Issue.objects.filter(pk=latest.pk).update(
        publication_date=datetime.date(9999, 12, 31), period_end=datetime.date(9999, 12, 31)
    )
    url = reverse("admin:bulletins_issue_next", args=[latest.series.slug])
    response = client.get(url, follow=True)  # to the add form, filled in
    assert response.status_code == 200
    assert 'value="901"' in response.text
