"""Drafts, issues in review and scheduled issues reach no public page, count, filter choice
or prev/next link, and appear everywhere once published or once their time comes."""

import datetime
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import timezone

from bulletins.models import Issue
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Two public issues, and one draft, one in review and one scheduled issue (all 2026).

    Each hidden issue has an article with its own source and tag, seen nowhere else; the
    draft also cites the public source 新华社 and uses the public tag 医保.
    """
    xinhua, insurance = factories.source("新华社"), factories.tag("医保")
    weekly = factories.issue(number=636, publication_date=datetime.date(2025, 8, 8))
    monthly = factories.issue(
        series_slug="monthly", number=542, publication_date=datetime.date(2025, 7, 31)
    )
    factories.article(issue_obj=weekly, title="公开文章", source=xinhua, tags=[insurance])
    factories.article(issue_obj=monthly, title="公开月报文章", source=xinhua)

    hidden = {}
    for kind, make, series_slug, number, day in [
        ("草稿", factories.draft_issue, "weekly", 637, datetime.date(2026, 1, 9)),
        ("待审", factories.review_issue, "monthly", 543, datetime.date(2026, 1, 31)),
        ("定时", factories.scheduled_issue, "weekly", 638, datetime.date(2026, 1, 16)),
    ]:
        issue = make(series_slug=series_slug, number=number, publication_date=day)
        own_source, own_tag = factories.source(f"{kind}来源"), factories.tag(f"{kind}标签")
        article = factories.article(
            issue_obj=issue, title=f"{kind}文章", source=own_source, tags=[own_tag]
        )
        hidden[kind] = SimpleNamespace(issue=issue, article=article, source=own_source, tag=own_tag)
    draft = hidden["草稿"].issue
    factories.article(issue_obj=draft, title="草稿里的新华社文章", source=xinhua, tags=[insurance])
    return SimpleNamespace(weekly=weekly, monthly=monthly, hidden=hidden)


HIDDEN_TEXT = [
    "草稿文章",
    "草稿里的新华社文章",
    "待审文章",
    "定时文章",
    "草稿来源",
    "待审来源",
    "定时来源",
    "草稿标签",
    "待审标签",
    "定时标签",
    "第六三七期",
    "第六三八期",
    "第五四三期",
    "/issues/weekly/637/",
    "/issues/weekly/638/",
    "/issues/monthly/543/",
]

PUBLIC_PAGES = [
    "/",
    "/issues/",
    "/issues/?year=2026",
    "/issues/weekly/",
    "/issues/monthly/",
    "/issues/weekly/636/",
    "/issues/weekly/636/print/",
    "/issues/monthly/542/",
    "/articles/",
    "/articles/?q=文章",
    "/articles/?tag=医保",
    "/articles/?source=新华社",
    "/articles/?year=2026",
    "/sources/",
    "/sources/新华社/",
    "/tags/",
    "/tags/医保/",
]


def public_article_pages(world):
    return [a.get_absolute_url() for i in (world.weekly, world.monthly) for a in i.articles.all()]


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.text


def test_no_public_page_shows_hidden_content(client, world):
    for url in PUBLIC_PAGES + public_article_pages(world):
        html = page(client, url)
        for text in HIDDEN_TEXT:
            assert text not in html, (url, text)


def test_hidden_issues_their_articles_and_what_only_they_use_are_404(client, world):
    for hidden in world.hidden.values():
        issue_url = hidden.issue.get_absolute_url()
        for url in [
            issue_url,
            issue_url + "print/",
            issue_url + "bulletin.docx",
            hidden.article.get_absolute_url(),
            hidden.source.get_absolute_url(),
            hidden.tag.get_absolute_url(),
        ]:
            assert client.get(url).status_code == 404, url


def test_counts_leave_hidden_articles_out(client, world):
    assert "共 2 篇文章" in page(client, "/articles/")
    assert '新华社</a> <span class="count">2 篇</span>' in page(client, "/sources/")
    assert '医保</a> <span class="count">1 篇</span>' in page(client, "/tags/")
    assert "共 2 篇文章" in page(client, "/sources/新华社/")
    assert "共 1 篇文章" in page(client, "/tags/医保/")
    assert "共 1 篇文章" in page(client, "/articles/?source=新华社&series=weekly")
    home = page(client, "/")
    assert home.count('class="issue-row"') == 2


def test_filter_choices_and_year_links_offer_only_public_content(client, world):
    articles = page(client, "/articles/")
    assert '<option value="2026"' not in articles
    assert '<option value="2025">2025年</option>' in articles
    for archive in ["/issues/", "/issues/weekly/", "/issues/monthly/"]:
        html = page(client, archive)
        assert "?year=2026" not in html and "?year=2025" in html
    # Asking for hidden choices by hand finds nothing.
    for query in ["source=草稿来源", "tag=定时标签", "year=2026", "q=待审"]:
        assert "共 0 篇文章" in page(client, f"/articles/?{query}"), query


def test_prev_and_next_links_skip_hidden_issues(client, world):
    html = page(client, "/issues/weekly/636/")
    assert 'rel="next"' not in html and 'rel="prev"' not in html
    assert 'rel="next"' not in page(client, "/issues/monthly/542/")


def test_editors_signed_in_see_the_public_lists_too(world):
    """Only an issue's own pages preview unpublished content; lists are the public ones."""
    editor = Client()
    editor.force_login(factories.editor())
    assert "共 2 篇文章" in page(editor, "/articles/")
    assert '新华社</a> <span class="count">2 篇</span>' in page(editor, "/sources/")
    assert "草稿文章" not in page(editor, "/")


def publish(issue):
    issue.status = Issue.Status.PUBLISHED
    issue.published_at = None  # public from now on
    issue.save()


def let_time_pass(monkeypatch):
    later = timezone.now() + datetime.timedelta(days=3)
    monkeypatch.setattr(timezone, "now", lambda: later)


@pytest.mark.parametrize(
    ("kind", "reveal"),
    [
        ("草稿", lambda hidden, monkeypatch: publish(hidden.issue)),
        ("待审", lambda hidden, monkeypatch: publish(hidden.issue)),
        ("定时", lambda hidden, monkeypatch: let_time_pass(monkeypatch)),
    ],
)
def test_published_or_due_issues_appear_everywhere(client, world, monkeypatch, kind, reveal):
    hidden = world.hidden[kind]
    issue, article = hidden.issue, hidden.article
    assert client.get(issue.get_absolute_url()).status_code == 404

    reveal(hidden, monkeypatch)

    for url in [
        issue.get_absolute_url(),
        article.get_absolute_url(),
        hidden.source.get_absolute_url(),
        hidden.tag.get_absolute_url(),
    ]:
        assert f"{kind}文章" in page(client, url), url
    home = page(client, "/")
    assert f'id="latest-{issue.series.slug}"><a href="{issue.get_absolute_url()}">' in home
    assert f"{kind}文章" in page(client, "/articles/")
    assert f"{kind}文章" in page(client, "/articles/?year=2026")
    assert f'{kind}来源</a> <span class="count">1 篇</span>' in page(client, "/sources/")
    assert f'{kind}标签</a> <span class="count">1 篇</span>' in page(client, "/tags/")
    choices = page(client, "/articles/")
    assert f">{kind}来源</option>" in choices and f"> {kind}标签</label>" in choices
    assert '<option value="2026">2026年</option>' in choices
    assert issue.get_absolute_url() in page(client, f"/issues/?year={2026}")
    neighbour = world.weekly if issue.series.slug == "weekly" else world.monthly
    assert f'rel="next" href="{issue.get_absolute_url()}"' in page(
        client, neighbour.get_absolute_url()
    )


def test_a_published_draft_counts_with_the_rest(client, world):
    publish(world.hidden["草稿"].issue)
    assert "共 4 篇文章" in page(client, "/articles/")
    assert '新华社</a> <span class="count">3 篇</span>' in page(client, "/sources/")
    assert '医保</a> <span class="count">2 篇</span>' in page(client, "/tags/")
