"""No leaks: a draft, an issue in review and a scheduled issue never reach the public.

The archive holds two public issues and three hidden ones. Each hidden issue, its article,
and a source and a tag used only by it carry distinctive marker text in every field; they
also share a public source and tag, so a count that included them would change. Then every
public URL pattern of the URLconf is walked (tests/public_urls.py: pages, and feeds,
sitemaps and search as they are added), filled with the public objects, with query strings
that page, filter by the hidden tags, sources and years and search for the markers, and:

- no response contains hidden text, titles, slugs, numbers or article URLs (other than
  what the request itself carried, which pages may echo, e.g. in the search box);
- every URL of a hidden issue, article, source or tag answers 404;
- every response is byte for byte what the site answers once the hidden issues are
  deleted: so no count, year, filter choice, neighbour link or feed entry betrays them.

The page cache is on, and an editor previews every hidden page first, so that a preview
cached by mistake would be caught too.
"""

import datetime
from urllib.parse import unquote

import pytest
from django.utils import timezone

from bulletins.models import Issue, Source, Tag
from bulletins.text import numerals
from tests import factories, public_urls

HIDDEN_KINDS = {
    # kind: (status, or None for published with a future time; series, number, date)
    "draft": (Issue.Status.DRAFT, "weekly", 987, datetime.date(2019, 3, 1)),
    "review": (Issue.Status.REVIEW, "monthly", 988, datetime.date(2020, 4, 30)),
    "scheduled": (None, "weekly", 989, datetime.date(2018, 5, 4)),
}
FIELD_MARKS = ["INTRO", "TITLE", "ORIGTITLE", "BODY", "BODYTWO", "URL", "SECOND", "SECONDBODY"]
FIELD_MARKS += ["SOURCE", "HOME", "TAG", "TAGNOTE"]


def build_public_archive():
    people, xinhua = factories.source("人民网"), factories.source("新华社")
    insurance, ai = factories.tag("医保"), factories.tag("人工智能")
    weekly = factories.issue(number=636, publication_date=datetime.date(2025, 8, 8))
    monthly = factories.issue(
        series_slug="monthly", number=540, publication_date=datetime.date(2025, 7, 31)
    )
    factories.article(issue_obj=weekly, title="公开文章甲", source=people, tags=[insurance])
    factories.article(issue_obj=weekly, title="公开文章乙", source=xinhua, tags=[ai])
    factories.article(issue_obj=monthly, title="公开文章丙", source=people, tags=[insurance, ai])
    return people, insurance


def build_hidden_issues(shared_source, shared_tag):
    """Three hidden issues; returns (objects with URLs of their own, marker strings)."""
    objects, markers = [], []
    for kind, (status, series, number, date) in HIDDEN_KINDS.items():
        mark = f"LEAK{kind.upper()}"
        source = Source.objects.create(
            name=f"{mark}SOURCE泄露来源",
            slug=f"leak-{kind}-source",
            homepage=f"https://{kind}-home.example.cn/{mark}HOME",
        )
        tag = Tag.objects.create(
            name=f"{mark}TAG泄露标签", slug=f"leak-{kind}-tag", description=f"{mark}TAGNOTE"
        )
        make = factories.scheduled_issue if status is None else factories.issue
        extra = {} if status is None else {"status": status}
        issue = make(
            series_slug=series,
            number=number,
            publication_date=date,
            intro=f"{mark}INTRO 本期导语",
            **extra,
        )
        factories.article(
            issue_obj=issue,
            title=f"{mark}TITLE 标题",
            original_title=f"{mark}ORIGTITLE",
            body=f"{mark}BODY 正文第一段，足够长的一段文字。\n\n{mark}BODYTWO",
            original_url=f"https://news.example.cn/{mark}URL.html",
            source=shared_source if kind == "review" else source,
            tags=[tag, shared_tag],
        )
        factories.article(
            issue_obj=issue,
            title=f"{mark}SECOND",
            body=f"{mark}SECONDBODY",
            source=source,
            tags=[tag],
        )
        objects += [issue, *issue.articles.all(), source, tag]
        markers += [
            *(mark + field for field in FIELD_MARKS),
            source.slug,
            tag.slug,
            issue.get_absolute_url(),
            numerals.issue_label(number),
            *(article.get_absolute_url() for article in issue.articles.all()),
        ]
    return objects, markers


def query_strings() -> list[str]:
    """Paging, filters pointing at the hidden issues, and searches for their text."""
    queries = ["page=2", "page=999", "year=2019", "year=2018", "series=monthly&year=2020"]
    queries += ["date_after=2018-01-01&date_before=2020-12-31", "tag=leak-draft-tag"]
    for kind in HIDDEN_KINDS:
        mark = f"LEAK{kind.upper()}"
        queries += [f"q={mark}TITLE", f"q={mark}BODY", f"q={mark}ORIGTITLE"]
        queries += [f"tag=leak-{kind}-tag", f"source=leak-{kind}-source"]
    queries.append("tag=leak-review-tag&tag=%E5%8C%BB%E4%BF%9D&source=leak-review-source")
    return queries


def fetch(client, urls) -> dict:
    responses = {}
    for url in urls:
        response = client.get(url)
        responses[url] = (response.status_code, public_urls.body(response))
    return responses


def first_difference(before: bytes, after: bytes) -> str:
    at = next((i for i, (a, b) in enumerate(zip(before, after, strict=False)) if a != b), None)
    at = min(len(before), len(after)) if at is None else at
    return (
        f"with hidden issues: …{before[max(0, at - 120) : at + 120].decode(errors='replace')}…\n"
        f"without:            …{after[max(0, at - 120) : at + 120].decode(errors='replace')}…"
    )


def up_to_date(change, capture_on_commit):
    """Run ``change`` as if committed (its commit hooks run)."""
    with capture_on_commit(execute=True):
        result = change()
    return result


@pytest.mark.django_db
def test_no_public_url_reveals_drafts_reviews_or_scheduled_issues(
    client, admin_client, settings, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_SECONDS = 600

    def build():
        shared_source, shared_tag = build_public_archive()
        return build_hidden_issues(shared_source, shared_tag)

    hidden_objects, markers = up_to_date(build, django_capture_on_commit_callbacks)
    assert Issue.objects.published().count() == 2

    patterns = public_urls.public_patterns()
    public = public_urls.fill(patterns, public_urls.values_of(public_urls.public_objects()))
    public_urls.assert_all_filled(public)
    hidden = public_urls.fill(patterns, public_urls.values_of(hidden_objects), fixed=False)
    hidden_urls = [url for urls in hidden.values() for url in urls]
    assert any("/issues/weekly/987/" in url for url in hidden_urls)

    # An editor previews every hidden page (with the page cache on) before readers come.
    for url in hidden_urls:
        assert admin_client.get(url).status_code in (200, 404), url

    public_pages = fetch(client, dict.fromkeys(u for urls in public.values() for u in urls))
    statuses = {url: status for url, (status, _) in public_pages.items()}
    first_pages = public_urls.first_pages(public, statuses)
    variants = [
        public_urls.with_query(url, query)
        for url in first_pages.values()
        for query in query_strings()
    ]
    urls = [*public_pages, *variants, *hidden_urls]
    with_hidden = {**public_pages, **fetch(client, [*variants, *hidden_urls])}

    leaks = []
    for url, (status, body) in with_hidden.items():
        assert status < 500, url
        requested = unquote(url)
        text = body.decode(errors="replace")
        leaks += [f"{url}: {m!r}" for m in markers if m not in requested and m in text]
    assert not leaks, "Hidden content reached the public:\n" + "\n".join(leaks[:30])
    not_404 = [url for url in hidden_urls if with_hidden[url][0] != 404]
    assert not not_404, f"URLs of hidden objects that do not answer 404: {not_404}"

    def delete_hidden():
        for issue in Issue.objects.exclude(pk__in=Issue.objects.published()):
            issue.delete()
        Source.objects.filter(slug__startswith="leak-").delete()
        Tag.objects.filter(slug__startswith="leak-").delete()

    up_to_date(delete_hidden, django_capture_on_commit_callbacks)
    without_hidden = fetch(client, urls)
    differences = [
        f"{url} ({with_hidden[url][0]} / {without_hidden[url][0]})\n"
        + first_difference(with_hidden[url][1], without_hidden[url][1])
        for url in urls
        if with_hidden[url] != without_hidden[url]
    ]
    assert not differences, "Pages that change with hidden issues:\n" + "\n".join(differences[:5])


@pytest.mark.django_db
def test_a_scheduled_issue_is_hidden_until_its_time_then_public(client, monkeypatch):
    """The same walk's rule from the other side: the scheduled issue's URL is 404 before its
    publication time and 200 after, with no one touching it."""
    issue = factories.scheduled_issue(number=989)
    article = factories.article(issue_obj=issue, title="定时发布的文章")
    assert client.get(issue.get_absolute_url()).status_code == 404
    assert client.get(article.get_absolute_url()).status_code == 404
    later = timezone.now() + datetime.timedelta(days=3)
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)
    assert client.get(issue.get_absolute_url()).status_code == 200
    assert "定时发布的文章" in client.get(article.get_absolute_url()).text
