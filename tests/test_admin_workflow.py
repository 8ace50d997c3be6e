"""Faster issue making in the admin: next issue, sequence and duplicate warnings, bulk tags."""

import datetime
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from bulletins.editorial import continuity
from bulletins.models import Article
from tests import factories


@pytest.mark.django_db
def test_create_next_weekly_issue_fills_number_date_and_period(admin_client):
    factories.issue(
        number=636,
        publication_date=datetime.date(2025, 8, 8),
        period_start=datetime.date(2025, 8, 2),
        period_end=datetime.date(2025, 8, 8),
    )
    changelist = admin_client.get(reverse("admin:bulletins_issue_changelist")).text
    assert "新建下一期周报" in changelist
    response = admin_client.get(reverse("admin:bulletins_issue_next", args=["weekly"]))
    assert response.status_code == 302
    query = parse_qs(urlparse(response["Location"]).query)
    assert query["number"] == ["637"]
    assert query["publication_date"] == ["2025-08-15"]
    assert query["period_start"] == ["2025-08-09"]
    assert query["period_end"] == ["2025-08-15"]
    form = admin_client.get(response["Location"]).text
    assert 'value="637"' in form and 'value="2025-08-15"' in form


@pytest.mark.django_db
def test_staff_who_may_not_add_issues_are_not_offered_to_make_or_import_one(client):
    client.force_login(factories.staff_user(permissions=["bulletins.view_issue"]))
    changelist = client.get(reverse("admin:bulletins_issue_changelist")).text
    assert "新建下一期" not in changelist and "导入简报" not in changelist


@pytest.mark.django_db
def test_next_monthly_issue_covers_the_next_calendar_month():
    factories.issue(
        series_slug="monthly",
        number=542,
        publication_date=datetime.date(2025, 1, 31),
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 1, 31),
    )
    initial = continuity.next_issue_initial(factories.series("monthly"))
    assert initial["number"] == 543
    assert initial["period_start"] == datetime.date(2025, 2, 1)
    assert initial["period_end"] == datetime.date(2025, 2, 28)
    assert initial["publication_date"] == datetime.date(2025, 2, 28)


@pytest.mark.django_db
def test_gaps_overlaps_and_repeated_links_are_named():
    first = factories.issue(
        number=10,
        period_start=datetime.date(2025, 8, 2),
        period_end=datetime.date(2025, 8, 8),
    )
    factories.article(issue_obj=first, original_url="https://example.cn/same.html")
    later = factories.issue(
        number=13,
        period_start=datetime.date(2025, 8, 6),
        period_end=datetime.date(2025, 8, 12),
    )
    factories.article(issue_obj=later, original_url="https://example.cn/same.html")
    warnings = continuity.sequence_warnings(later)
    assert any("中间缺少 2 期" in w for w in warnings)
    assert any("重叠" in w and "第一〇期" in w for w in warnings)
    duplicates = continuity.duplicate_link_warnings(later)
    assert duplicates == ["原文链接 https://example.cn/same.html 已出现在周报 第一〇期中。"]


@pytest.mark.django_db
def test_bulk_tagging_adds_tags_to_the_selected_articles(admin_client):
    one, two = factories.article(), factories.article()
    untouched = factories.article()
    tag = factories.tag("医保")
    url = reverse("admin:bulletins_article_changelist")
    page = admin_client.post(url, {"action": "add_tags", "_selected_action": [one.pk, two.pk]})
    assert "为所选文章添加标签" in page.text
    admin_client.post(
        url,
        {
            "action": "add_tags",
            "_selected_action": [one.pk, two.pk],
            "apply": "1",
            "tags": [tag.pk],
        },
    )
    assert set(Article.objects.filter(tags=tag)) == {one, two}
    assert not untouched.tags.exists()
