"""Fixtures for the real-browser tests: one Chromium for the whole package, a fresh context
(cookies, viewport) per test, the live server, and a small archive built with the factories.

Playwright's sync API keeps an asyncio loop running in the main thread while it is
started, and Django refuses database access from a thread with a running loop. So the
browser lives only as long as this package's tests, and DJANGO_ALLOW_ASYNC_UNSAFE is set
for exactly that time (the other tests keep Django's check).

The running loop has a second effect: Django keeps its connections in an asgiref Local
that, once a loop runs, looks them up per context instead of per thread, so the test
would open new connections instead of using the test database's own (the in-memory
SQLite one that the live server shares, which also holds the serialized migration data).
The browser fixture hands the existing connections over.

On SQLite the live server's threads and the test share that one connection, which bears
one query at a time: the server answers one request at a time, and a test touches the
database only while its pages are idle (it waits for what it clicked to arrive, and
PageWatch.settle waits for every answer before the flush that ends the test).
"""

import datetime
import os
import threading
from types import SimpleNamespace

import pytest
from django.db import connections

from tests import factories

from .support import (
    AXE_CORE_JS,
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    PHONE,
    REQUIRED,
    open_page,
)


def missing(reason: str):
    """Skip locally; fail where the browser tests are required (CI)."""
    if REQUIRED:
        pytest.fail(f"{reason} (BROWSER_TESTS_REQUIRED is set)", pytrace=False)
    pytest.skip(reason)


class OneRequestAtATime:
    """A WSGI application that lets one request in at a time (a browser sends several at
    once: a page's autocompletes, a second tab)."""

    def __init__(self, application):
        self.application = application
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            return self.application(environ, start_response)


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    """pytest-django's live server, started once the test database exists. Started before
    (as a session fixture is, ahead of the test's database), it would not know the
    database is in memory and its threads would open connections of their own to it,
    whose table locks collide now and then ("database table is locked"). Started after,
    it shares the test's connection, as Django's LiveServerTestCase does."""
    if live_server.thread.connections_override:
        server = live_server.thread.httpd
        if not isinstance(server.get_app(), OneRequestAtATime):
            server.set_app(OneRequestAtATime(server.get_app()))
    return live_server


@pytest.fixture(scope="package")
def browser():
    if not CHROMIUM.exists():
        missing(f"Chromium not found at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("the playwright package is not installed (pip install -e '.[test]')")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        connections_before = {alias: connections[alias] for alias in connections}
        playwright = sync_playwright().start()
        for alias, connection in connections_before.items():
            connections[alias] = connection
        try:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
        finally:
            playwright.stop()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server):
    """A desktop browser tab (1280×900) on the live server."""
    with open_page(browser, live_server, DESKTOP) as tab:
        yield tab


@pytest.fixture
def phone(browser, live_server):
    """A phone's tab (390×844, touch)."""
    with open_page(browser, live_server, PHONE) as tab:
        yield tab


@pytest.fixture
def axe_page(browser, live_server):
    """A desktop tab into which axe-core can be injected: the CSP forbids inline scripts,
    so this context alone bypasses it (the other fixtures keep it and report violations)."""
    if not AXE_CORE_JS.exists():
        missing(f"axe-core not found at {AXE_CORE_JS} (scripts/test.sh installs it with npm)")
    with open_page(browser, live_server, DESKTOP, bypass_csp=True) as tab:
        yield tab


@pytest.fixture
def editor(transactional_db):
    """A member of the group 编辑 (not a superuser): writes drafts, cannot publish. Their
    password is factories.STAFF_PASSWORD."""
    return factories.editor()


@pytest.fixture
def reviewer(transactional_db):
    """A member of the group 审核: approves and publishes."""
    return factories.reviewer()


BODY = (
    "### 工作要点\n\n"
    "{place}卫生健康委员会近日印发工作方案，提出以全民健康信息平台为枢纽，推动辖区内"
    "二级以上公立医院的检查检验结果互通共享，并把电子健康档案向居民开放查询。方案要求"
    "各医疗机构在年底前完成接口改造，统一数据标准，减少患者重复检查、重复缴费。\n\n"
    "据介绍，试点医院已上线“一码通行”服务，患者用手机即可完成预约、签到、缴费和报告查询，"
    "平均就诊时间缩短约三成。下一步将把医保移动支付、处方流转等服务接入同一入口，让数据"
    "多跑路、群众少跑腿。\n\n"
    "*试点医院的自助服务区（资料图）*"
)
PLACES = ["北京市", "上海市", "浙江省", "四川省", "广东省", "江苏省"]


@pytest.fixture
def archive(transactional_db):
    """A small public archive shaped for the journeys, plus one draft that must stay hidden.

    - weekly 2025: issues 610–615, four articles each, all tagged 医保 (24 articles: the
      list filtered by weekly + 医保 + 2025 has two pages of 20);
    - weekly 2024: issue 600, two articles tagged 医保 (left out by the year filter);
    - monthly 2025: issue 540, two articles tagged 医保 (left out by the series filter);
    - the latest weekly (615) opens with an article from 人民网, tagged 医保 and 人工智能.
    """
    sources = [factories.source(name) for name in ("人民网", "新华社", "健康报")]
    medical_insurance = factories.tag("医保", description="医疗保障的支付、结算与数据应用。")
    ai = factories.tag("人工智能")

    def fill(issue, count, *, first_source=None, first_tags=None):
        for position in range(1, count + 1):
            factories.article(
                issue_obj=issue,
                position=position,
                title=f"{PLACES[(issue.number + position) % len(PLACES)]}推进检查检验结果互认"
                f"（第{issue.number}期第{position}篇）",
                source=first_source if position == 1 and first_source else sources[position % 3],
                tags=first_tags if position == 1 and first_tags else [medical_insurance],
                body=BODY.format(place=PLACES[position % len(PLACES)]),
            )

    old = factories.issue(number=600, publication_date=datetime.date(2024, 12, 27))
    fill(old, 2)
    monthly = factories.issue(
        series_slug="monthly", number=540, publication_date=datetime.date(2025, 3, 31)
    )
    fill(monthly, 2)
    weekly = []
    for index, number in enumerate(range(610, 616)):
        date = datetime.date(2025, 1, 10) + datetime.timedelta(weeks=index)
        issue = factories.issue(number=number, publication_date=date)
        weekly.append(issue)
    for issue in weekly[:-1]:
        fill(issue, 4)
    latest = weekly[-1]
    fill(latest, 4, first_source=sources[0], first_tags=[medical_insurance, ai])
    draft = factories.draft_issue(number=616, publication_date=datetime.date(2025, 6, 6))
    fill(draft, 1)
    return SimpleNamespace(
        latest=latest,
        first_article=latest.articles.get(position=1),
        source=sources[0],
        tag=medical_insurance,
        monthly=monthly,
        draft=draft,
    )
