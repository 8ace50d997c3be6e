"""A reader's way through the archive in a desktop browser, by clicks alone, the feed a
page offers found and read, and the permalinks of every stop opened again directly.

Still to add when it lands: a search from the header box (full-text search).
"""

import re
from urllib.parse import urlsplit

from django.urls import reverse
from playwright.sync_api import expect

from .support import BROWSER_TEST, read_feed

pytestmark = BROWSER_TEST


def offered_feeds(page, subscribe_name: str) -> dict:
    """The page's RSS and Atom feeds, as announced in its head for feed readers
    (autodiscovery); the visible 订阅 link and its Atom companion must lead to the same."""
    announced = {
        kind: page.locator(f'head link[rel="alternate"][type="application/{kind}+xml"]')
        for kind in ("rss", "atom")
    }
    for link in announced.values():
        expect(link).to_have_count(1)
    feeds = {kind: link.get_attribute("href") for kind, link in announced.items()}
    subscribe = page.get_by_role("link", name=subscribe_name, exact=True)
    expect(subscribe).to_be_visible()
    assert subscribe.get_attribute("href") == feeds["rss"]
    atom = page.locator(".subscribe").get_by_role("link", name="Atom", exact=True)
    assert atom.get_attribute("href") == feeds["atom"]
    return feeds


def check_feed_of_page(page, subscribe_name: str, hidden_title: str):
    """The feeds the page offers hold the articles it lists, newest first as it does,
    linked to their permalinks, in full text; nothing unpublished."""
    shown = page.locator(".card__title a")
    titles = shown.all_inner_texts()
    paths = [link.get_attribute("href") for link in shown.all()]
    assert titles
    for kind, url in offered_feeds(page, subscribe_name).items():
        feed = read_feed(page, url)
        assert feed.version == {"rss": "rss20", "atom": "atom10"}[kind], url
        assert feed.feed.title.startswith(subscribe_name.removeprefix("订阅")), feed.feed.title
        entries = feed.entries
        assert [entry.title for entry in entries[: len(titles)]] == titles, url
        assert [urlsplit(entry.link).path for entry in entries[: len(paths)]] == paths, url
        assert all(entry.content[0].value for entry in entries), url
        assert hidden_title not in {entry.title for entry in entries}, url


def test_home_issue_article_source_tag_filters_page_two_and_back(page, archive):
    """From the home page to the latest issue, an article in its contents, the article's
    source and a tag; then the article list filtered by series, tag and year, its second
    page and back. Every page reached is a permalink that opens the same when loaded anew."""
    latest, first = archive.latest, archive.first_article
    visited = {}

    page.goto("/")
    page.get_by_role("link", name=f"周报{latest.label}", exact=True).click()
    expect(page.locator("h1")).to_have_text(f"（{latest.label}）")
    visited[page.url] = f"（{latest.label}）"
    assert archive.draft.label not in page.content()

    # The table of contents leads to the article on the issue page, and on to its permalink.
    contents = page.get_by_role("region", name="一、信息目录")
    contents.get_by_role("link", name=first.title).click()
    expect(page).to_have_url(re.compile(f"#{first.anchor}$"))
    entry = page.locator(f"#{first.anchor}")
    expect(entry).to_be_in_viewport()
    entry.get_by_role("link", name="本文链接").click()
    expect(page.locator("h1")).to_have_text(first.title)
    visited[page.url] = first.title

    page.locator(".article-fields").get_by_role("link", name=archive.source.name).click()
    expect(page.locator("h1")).to_have_text(f"来源：{archive.source.name}")
    expect(page.get_by_role("link", name=first.title)).to_be_visible()
    visited[page.url] = f"来源：{archive.source.name}"

    card = page.locator(".card").filter(has=page.get_by_role("link", name=first.title))
    card.get_by_role("link", name=archive.tag.name, exact=True).click()
    expect(page.locator("h1")).to_have_text(f"标签：{archive.tag.name}")
    visited[page.url] = f"标签：{archive.tag.name}"

    # The tag's feed, found as a feed reader and as a reader would find it.
    hidden = archive.draft.articles.get().title  # tagged 医保 too
    check_feed_of_page(page, f"订阅标签「{archive.tag.name}」的文章", hidden)

    # The article list, filtered with the form: weekly + 医保 + 2025 is 24 articles.
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="文章").click()
    form = page.get_by_role("form", name="筛选文章")
    form.get_by_label("系列").select_option(label="全国卫生信息化舆情监测周报")
    form.get_by_role("checkbox", name=archive.tag.name, exact=True).check()
    form.get_by_label("年份").select_option(label="2025年")
    form.get_by_role("button", name="筛选").click()
    expect(page.get_by_role("status")).to_have_text("共 24 篇文章")
    chips = page.get_by_role("list", name="当前条件")
    expect(chips.get_by_role("listitem")).to_have_count(3)
    expect(page.locator(".card")).to_have_count(20)
    expect(page.locator(".pagination__current")).to_have_text("第 1 页，共 2 页")
    first_page_titles = page.locator(".card__title").all_inner_texts()
    assert not any("第600期" in title or "第540期" in title for title in first_page_titles)

    page.get_by_role("link", name="下一页").click()
    expect(page.locator(".pagination__current")).to_have_text("第 2 页，共 2 页")
    expect(page.locator(".card")).to_have_count(4)
    assert "series=weekly" in page.url and "year=2025" in page.url and "page=2" in page.url
    expect(form.get_by_role("checkbox", name=archive.tag.name, exact=True)).to_be_checked()
    visited[page.url] = "全部文章"

    page.go_back()
    expect(page.locator(".pagination__current")).to_have_text("第 1 页，共 2 页")
    assert page.locator(".card__title").all_inner_texts() == first_page_titles

    # Permalinks, loaded directly (a shared link, a bookmark, a reload).
    for url, heading in visited.items():
        response = page.goto(url)
        assert response.status == 200, url
        expect(page.locator("h1")).to_have_text(heading)
    page.reload()
    expect(page.locator(".pagination__current")).to_have_text("第 2 页，共 2 页")


def test_unknown_and_unpublished_addresses_answer_with_the_not_found_page(page, archive):
    """A draft's permalink is a 404 with a page that leads back into the archive."""
    response = page.goto(archive.draft.get_absolute_url())
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("页面不存在")
    page.get_by_role("link", name="浏览往期简报").click()
    expect(page).to_have_url(re.compile(reverse("bulletins:issue-archive") + "$"))
