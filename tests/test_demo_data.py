"""`manage.py demo_data` fills the archive the foundation issue describes, safely twice."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from bulletins.models import Article, Issue, Source, Tag

pytestmark = pytest.mark.django_db


def run_demo() -> str:
    out = io.StringIO()
    call_command("demo_data", stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    """Everything the command writes, in a form that compares equal when nothing changed."""
    return {
        "issues": sorted(Issue.objects.values_list("series__slug", "number", "status", "intro")),
        "articles": sorted(
            Article.objects.values_list("issue__number", "position", "title", "source__name")
        ),
        "sources": sorted(Source.objects.values_list("name", "slug")),
        "tags": sorted(Tag.objects.values_list("name", "slug")),
        "tag links": Article.tags.through.objects.count(),
        "users": list(get_user_model().objects.values_list("username", flat=True)),
    }


def test_demo_data_fills_a_two_year_archive_and_changes_nothing_when_run_again():
    output = run_demo()
    first = snapshot()

    public = Issue.objects.published()
    assert public.count() >= 24
    assert {issue.series.slug for issue in public.select_related("series")} == {
        "weekly",
        "monthly",
    }
    assert Article.objects.published().count() >= 80
    oldest = public.order_by("period_start").first()
    newest = public.order_by("-period_end").first()
    assert (newest.period_end - oldest.period_start).days + 1 >= 730  # two years monitored
    assert Source.objects.count() >= 15
    assert Tag.objects.count() >= 20
    assert Issue.objects.filter(status=Issue.Status.DRAFT).count() >= 2
    assert sum(issue.is_scheduled() for issue in Issue.objects.all()) == 1
    # Every element of a bulletin shows up somewhere in the demo.
    assert not public.filter(articles__isnull=True).exists()
    assert Article.objects.filter(original_url="").exists()
    assert Article.objects.exclude(original_title="").exists()
    assert Article.objects.filter(body_html__contains="<figcaption>").exists()
    assert Article.objects.filter(body_html__contains="<h3>").exists()
    assert Article.objects.filter(body_html__contains="<strong>").exists()

    assert "账号：editor" in output and "密码：demo-editor-pass" in output
    again = run_demo()
    assert snapshot() == first
    assert again == output


def test_the_printed_login_opens_the_admin_and_the_archive_renders(client):
    output = run_demo()
    username = re.search(r"账号：(\S+)", output)[1]
    password = re.search(r"密码：(\S+)", output)[1]
    response = client.post(
        "/admin/login/?next=/admin/", {"username": username, "password": password}
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"
    user = get_user_model().objects.get(username=username)
    assert user.is_staff and not user.is_superuser
    assert client.get("/admin/bulletins/issue/add/").status_code == 200
    client.logout()

    home = client.get("/").text
    for series in ["全国卫生信息化舆情监测周报", "北京市卫生信息化舆情监测月报"]:
        assert series in home
    for url in ["/issues/", "/issues/weekly/", "/articles/", "/sources/", "/tags/"]:
        assert client.get(url).status_code == 200, url
    for issue in Issue.objects.all():
        expected = 200 if issue.is_published() else 404
        assert client.get(issue.get_absolute_url()).status_code == expected, issue
