"""A list action that needs more than a click first shows a page asking for it.

The page names the selected objects and posts their ids back with the form, so the action
applies to the same ones; it leads back to the list it came from.
"""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client():
    client = Client()
    client.force_login(factories.editor())
    return client


@pytest.fixture
def reviewer_client():
    client = Client()
    client.force_login(factories.reviewer())
    return client


def ask(client, model, action, objects):
    url = reverse(f"admin:bulletins_{model}_changelist")
    return client.post(url, {"action": action, "_selected_action": [o.pk for o in objects]})


def posted_back(page: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'name="_selected_action" value="(\d+)"', page)}


def test_adding_tags_asks_which_tags_for_the_selected_articles(editor_client):
    one = factories.article(title="医保支付改革")
    two = factories.article(title="智慧医院建设")
    factories.article(title="未选的文章")
    factories.tag("医保")
    page = ask(editor_client, "article", "add_tags", [one, two])
    assert page.status_code == 200
    text = page.text
    assert "将为以下 2 篇文章添加标签（已有的标签保留）：" in text
    assert "医保支付改革" in text and "智慧医院建设" in text and "未选的文章" not in text
    assert posted_back(text) == {one.pk, two.pk}
    assert 'name="action" value="add_tags"' in text
    assert 'value="添加标签"' in text
    assert f'href="{reverse("admin:bulletins_article_changelist")}"' in text


def test_scheduling_asks_when_for_the_selected_issues(reviewer_client):
    first, second = factories.review_issue(), factories.review_issue()
    page = ask(reviewer_client, "issue", "schedule", [first, second])
    text = page.text
    assert "定时发布" in text and "所选期刊将由你签发，并在下面的时间自动公开。" in text
    assert str(first) in text and str(second) in text
    assert posted_back(text) == {first.pk, second.pk}
    assert 'name="action" value="schedule"' in text and 'name="published_at"' in text
    assert f'href="{reverse("admin:bulletins_issue_changelist")}"' in text


def test_merging_asks_which_one_to_keep(reviewer_client):
    kept, duplicate = factories.tag("人工智能"), factories.tag("AI")
    page = ask(reviewer_client, "tag", "merge_selected", [kept, duplicate])
    text = page.text
    assert "选择要保留的一项" in text
    assert posted_back(text) == {kept.pk, duplicate.pk}
    assert 'name="action" value="merge_selected"' in text and 'name="keep"' in text
