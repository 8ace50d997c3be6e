"""What the browser tests share: where Chromium and axe-core are, and what a page must not do.

Chromium is Debian's (never a browser downloaded by Playwright); axe-core is the npm
package that scripts/test.sh installs into var/npm. Either can be pointed elsewhere with
CHROMIUM_PATH / AXE_CORE_JS.
"""

import contextlib
import os
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from bulletins.editorial import history
from bulletins.models import PendingImport
from tests.factories import STAFF_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "bulletins"
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
AXE_CORE_JS = Path(
    os.environ.get("AXE_CORE_JS", ROOT / "var" / "npm" / "node_modules" / "axe-core" / "axe.min.js")
)
# No sandbox (we run as root in CI) and nothing that phones home: the machine has no network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# CI sets this so that a missing Chromium or axe-core fails the run instead of skipping.
REQUIRED = os.environ.get("BROWSER_TESTS_REQUIRED", "") not in ("", "0")

# Every browser test: the marker, and a database that the live server's threads see. The
# flush after each such test empties every table; serialized rollback puts back what the
# migrations created (the two series) before the next one.
BROWSER_TEST = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
CONTEXT_DEFAULTS = {"locale": "zh-CN", "timezone_id": "Asia/Shanghai"}

# Every public page type -> its URL in the test archive (conftest.archive), for the checks
# that cover them all (axe, the phone layout).
PUBLIC_PAGES = {
    "home": lambda archive: reverse("bulletins:home"),
    "issue archive": lambda archive: reverse("bulletins:issue-archive"),
    "series archive": lambda archive: (
        reverse("bulletins:series-archive", args=["weekly"]) + "?year=2025"
    ),
    "issue": lambda archive: archive.latest.get_absolute_url(),
    "issue, print version": lambda archive: reverse(
        "bulletins:issue-print", args=["weekly", archive.latest.number]
    ),
    "article": lambda archive: archive.first_article.get_absolute_url(),
    "article list with filters": lambda archive: (
        reverse("bulletins:article-list") + f"?series=weekly&tag={archive.tag.slug}&year=2025"
    ),
    "article list with no results": lambda archive: (
        reverse("bulletins:article-list") + "?q=没有这个词"
    ),
    "sources": lambda archive: reverse("bulletins:source-list"),
    "source": lambda archive: archive.source.get_absolute_url(),
    "tags": lambda archive: reverse("bulletins:tag-list"),
    "tag": lambda archive: archive.tag.get_absolute_url(),
    "feeds": lambda archive: reverse("bulletins:feed-list"),
    "search with results and facets": lambda archive: reverse("bulletins:search") + "?q=互认",
    "search, empty query": lambda archive: reverse("bulletins:search"),
    "not found": lambda archive: "/issues/weekly/99999/",
}

# The admin pages, with what each needs to show something: versions to compare, files
# waiting for review.

# A bulletin file the importer finds no article in: the review page shows its errors.
UNREADABLE = "全国卫生信息化舆情监测周报\n（第七〇二期）\n2026年3月20日\n没有文章的文档\n"


def two_versions(issue, user) -> tuple:
    """The issue's history as editors leave it: a version, then one with a new intro and
    a reworded article. Returns (older, newer)."""
    with history.recorded(user, "初稿"):
        history.add(issue)
    with history.recorded(user, "修改导语和第一篇"):
        issue.intro = "本期导语改写：" + issue.intro
        issue.save()
        article = issue.articles.get(position=1)
        article.body = article.body.replace("工作方案", "实施方案", 1)
        article.save()
    newer, older = history.issue_versions(issue)[:2]
    return older, newer


def pending_upload(user) -> uuid.UUID:
    """Files waiting on the 导入简报 review page: one importable with warnings, one with
    errors."""
    batch = uuid.uuid4()
    files = [
        ("weekly-701.txt", (FIXTURES / "weekly-701.txt").read_bytes()),
        ("unreadable.txt", UNREADABLE.encode()),
    ]
    for position, (name, data) in enumerate(files):
        PendingImport.objects.create(
            batch=batch, position=position, user=user, name=name, data=data
        )
    return batch


def admin_pages(archive, user) -> dict:
    """The admin pages editors and reviewers work in, with something on each to check
    (``user``'s own upload waits on the import's review page)."""
    issue = archive.latest.pk
    older, newer = two_versions(archive.latest, user)
    compare = reverse("admin:bulletins_issue_compare", args=[issue])
    return {
        "issue change list": reverse("admin:bulletins_issue_changelist"),
        "issue add form": reverse("admin:bulletins_issue_add"),
        "issue change form": reverse("admin:bulletins_issue_change", args=[issue]),
        "issue history": reverse("admin:bulletins_issue_history", args=[issue]),
        "two versions compared": f"{compare}?old={older.pk}&new={newer.pk}",
        "restoring a version": reverse("admin:bulletins_issue_restore", args=[issue, older.pk]),
        "import upload": reverse("admin:bulletins_issue_import"),
        "import review": reverse(
            "admin:bulletins_issue_import_review", kwargs={"batch": pending_upload(user)}
        ),
    }


# The admin pages drawn by our own templates and styles (templates/admin/bulletins/).
OWN_ADMIN_PAGES = (
    "issue history",
    "two versions compared",
    "restoring a version",
    "import upload",
    "import review",
)


# Impacts that fail an accessibility check (axe's scale: minor, moderate, serious, critical).
FAILING_IMPACTS = {"serious", "critical"}


class PageWatch:
    """Collects what a page should never do: script errors, console errors (CSP violations
    among them), failed sub-resources and requests to any host but the site itself."""

    def __init__(self, page, site_url: str):
        self.problems: list[str] = []
        self.site = urlsplit(site_url).netloc
        self.in_flight = set()
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        page.on("request", self._request)
        page.on("requestfailed", self._failed)
        page.on("requestfinished", lambda request: self.in_flight.discard(request))
        page.on("response", self._response)

    def settle(self, page, seconds: float = 10) -> None:
        """Wait until every request the page made has its answer. The live server's threads
        share the test's SQLite connection: the flush after the test must not run while
        one of them is still rendering a page (a click whose page never got waited for)."""
        deadline = time.monotonic() + seconds
        while self.in_flight and time.monotonic() < deadline:
            page.wait_for_timeout(20)  # lets Playwright deliver the pending events

    def _console(self, message):
        # A failed load is reported by _response with its URL; the console repeats it bare.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.problems.append(f"console error: {message.text}")

    def _request(self, request):
        self.in_flight.add(request)
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != self.site:
            self.problems.append(f"request to another host: {request.url}")

    def _failed(self, request):
        self.in_flight.discard(request)
        # Leaving a page aborts what it was still loading (a favicon, say): not a fault.
        if request.failure == "net::ERR_ABORTED":
            return
        if urlsplit(request.url).netloc == self.site:
            self.problems.append(f"request failed: {request.url} ({request.failure})")

    def _response(self, response):
        # Documents may be 404 on purpose; what they load may not.
        if response.status >= 400 and response.request.resource_type != "document":
            self.problems.append(f"{response.status} for {response.url}")


@contextlib.contextmanager
def open_page(browser, live_server, device, **options):
    """A page in its own context; fails the test if the page misbehaved (see PageWatch)."""
    context = browser.new_context(base_url=live_server.url, **CONTEXT_DEFAULTS, **device, **options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.watch = PageWatch(page, live_server.url)
    try:
        yield page
    finally:
        page.watch.settle(page)
        context.close()
    if page.watch.problems:
        pytest.fail("The browser saw:\n" + "\n".join(page.watch.problems), pytrace=False)


def log_in_with_the_form(page, user):
    """Log ``user`` (made by tests.factories) in as a person does: the admin sends them to
    its login form, they type their name and password and arrive at the admin's index."""
    page.goto(reverse("admin:index"))
    expect(page).to_have_url(reverse("admin:login") + "?next=/admin/", ignore_case=True)
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("#user-tools")).to_contain_text(user.username)


def log_in(page, user, site_url: str):
    """Give the page's context a logged-in session, without going through the login form."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": site_url}])


def read_feed(page, url: str):
    """The feed at ``url`` fetched in the page's context, as a feed reader parses it."""
    response = page.request.get(url)
    assert response.ok, (url, response.status)
    parsed = feedparser.parse(
        response.body(), response_headers={"content-type": response.headers["content-type"]}
    )
    assert not parsed.bozo, (url, parsed.get("bozo_exception"))
    return parsed


def run_axe(page, only_rules=None) -> list[dict]:
    """axe-core's violations on the page as it is now (loads axe into it when needed)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_CORE_JS))
    options = {"resultTypes": ["violations"]}
    if only_rules:
        options["runOnly"] = {"type": "rule", "values": list(only_rules)}
    return page.evaluate("options => axe.run(document, options)", options)["violations"]


def describe_violations(violations) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {', '.join(node['target'])}: {node['failureSummary']!r}")
    return "\n".join(lines)


def serious_violations(page, only_rules=None) -> list[dict]:
    return [v for v in run_axe(page, only_rules) if v["impact"] in FAILING_IMPACTS]


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def font_size_px(locator) -> float:
    return float(locator.evaluate("el => parseFloat(getComputedStyle(el).fontSize)"))
