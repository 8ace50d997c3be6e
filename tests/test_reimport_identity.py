"""Re-importing an issue: an article stays the same article by what it is, not where it
stands; the state before the import is in the history; a removed article's permalink
answers 410 Gone, naming its issue; two imports of one issue run one after the other.

Reviewers (group 审核) act through the admin's import, history and list pages; the
operator through ``manage.py import_bulletins``; readers are anonymous.
"""

import datetime
import io
import re
import threading
import time
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from bulletins.editorial import history
from bulletins.importing import load, parse_document
from bulletins.importing.result import ParsedArticle
from bulletins.models import Article, Issue
from tests import factories
from tests.test_import_admin import review_url_after_upload, upload
from tests.test_workflow_permissions import ISSUES, list_action

ISSUE_NAME = "全国卫生信息化舆情监测周报 第七〇一期"

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Story:
    title: str
    source: str
    link: str  # "" for none
    body: str


# The issue as first imported: A, B and D have links, C has none.
A = Story(
    "某省推进电子健康档案跨院调阅",
    "示例健康报",
    "https://news.example.org/health/2026/0309/c1001-30112233.html",
    "本报讯 今年全省将推动电子健康档案在二级以上医院之间互通调阅。",
)
B = Story(
    "社区医院引入智能随访助手",
    "示例晚报",
    "https://www.example-evening.cn/content/2026-03/10/content_88123.htm",
    "出院回家后谁来提醒复查？这个问题交给了一位“数字助手”。",
)
C = Story(
    "医学影像云平台覆盖百家机构",
    "示例科技网",
    "",
    "截至目前，影像云平台已接入 103 家医疗机构。",
)
D = Story(
    "互联网医院处方流转试点扩围",
    "示例日报",
    "https://daily.example.com/2026/0312/prescriptions.html",
    "处方流转平台新增三家试点医院。",
)
# The corrected document: A retitled (its link written with another host case and a
# trailing slash), C's title with other spacing and punctuation, D replaced by E.
A_RETITLED = Story(
    "电子健康档案跨院调阅在全省推开",
    A.source,
    "https://NEWS.Example.org/health/2026/0309/c1001-30112233.html/",
    A.body + "（更正版）",
)
C_RESPACED = Story("医学影像云平台　覆盖百家机构！", C.source, "", C.body)
E = Story(
    "医保电子凭证接入更多药店",
    "示例健康报",
    "https://news.example.org/health/2026/0312/e-voucher.html",
    "全省已有两千家药店支持医保电子凭证结算。",
)
TAGS = {A: "电子健康档案", B: "智慧医院", C: "医学影像", D: "处方流转"}


def bulletin(*stories: Story) -> str:
    """Weekly issue 701 in the centre's text layout, holding ``stories`` in this order."""
    toc = "\n\n".join(f"{n}. {s.title}\n\n（{s.source}）" for n, s in enumerate(stories, 1))
    articles = "\n\n".join(
        f"{n}.标题：{s.title}\n\n来源：{s.source}\n\n链接：{s.link}\n\n主要内容：\n\n"
        f"{s.title}\n\n2026-03-{8 + n:02d} 来源：{s.source}\n\n{s.body}"
        for n, s in enumerate(stories, 1)
    )
    return (
        "全国卫生信息化舆情监测周报\n（第七〇一期）\n北京市卫生健康大数据与政策研究中心\n"
        "2026年3月13日\n\n本期导语：\n\n"
        f"本期周报共收集{len(stories)}篇卫生健康大数据与政策研究相关信息，"
        "时间从2026年3月7日到2026年3月13日，监测范围包括全国主流媒体及政府网站等。\n\n"
        f"一、信息目录\n\n{toc}\n\n二、具体内容\n\n{articles}\n"
    )


ORIGINAL = bulletin(A, B, C, D)
CORRECTED = bulletin(C_RESPACED, A_RETITLED, E, B)


def command_import(tmp_path, text: str, *options: str, name: str = "weekly-701.txt") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    call_command("import_bulletins", *options, str(path), stdout=out, stderr=io.StringIO())
    return out.getvalue()


def published_and_tagged(tmp_path) -> tuple[Issue, dict[Story, Article]]:
    """Issue 701 imported and published by the operator, each article tagged by editors."""
    command_import(tmp_path, ORIGINAL, "--publish")
    issue = Issue.objects.get(number=701)
    issue.published_at = issue.published_at - datetime.timedelta(days=1)
    issue.save()
    articles = {story: issue.articles.get(title=story.title) for story in (A, B, C, D)}
    for story, article in articles.items():
        article.tags.add(factories.tag(TAGS[story]))
    return issue, articles


def article_url(pk: int) -> str:
    return reverse("bulletins:article-detail", args=[pk])


def tag_names(article: Article) -> list[str]:
    return sorted(article.tags.values_list("name", flat=True))


def ticks(page: str, name: str) -> list[str]:
    return re.findall(rf'name="{name}" value="([^"]+)"', page)


def admin_import(client, text: str, name: str = "weekly-701-corrected.txt") -> str:
    """Upload, read the review page, tick what it offers, confirm, follow to the end, as a
    browser would; returns the review page."""
    review_url = review_url_after_upload(client, upload(name, text.encode()))
    page = client.get(review_url).text
    assert ticks(page, "upload"), page
    answer = {"upload": ticks(page, "upload"), "replace": ticks(page, "replace")}
    assert client.post(review_url, answer, follow=True).status_code == 200
    return page


def assert_identities_kept(issue: Issue, before: dict[Story, Article]) -> Article:
    """A, B and C kept their ids and tags in the document's order; D is gone; returns E."""
    articles = list(issue.articles.order_by("position"))
    assert [a.title for a in articles] == [
        "医学影像云平台 覆盖百家机构！",  # the parser makes the ideographic space a space
        A_RETITLED.title,
        E.title,
        B.title,
    ]
    assert [a.position for a in articles] == [1, 2, 3, 4]
    same = {C: articles[0], A: articles[1], B: articles[3]}
    for story, article in same.items():
        assert article.pk == before[story].pk, story.title
        assert tag_names(article) == [TAGS[story]], story.title
    assert articles[1].body.endswith("（更正版）")  # updated in place
    new = articles[2]
    assert new.pk not in {article.pk for article in before.values()}
    assert new.pk > max(article.pk for article in before.values())
    assert tag_names(new) == []
    assert not Article.objects.filter(pk=before[D].pk).exists()
    return new


# --- pairing ------------------------------------------------------------------------------


def parsed_article(title: str, link: str = "") -> ParsedArticle:
    return ParsedArticle(
        position=1,
        title=title,
        original_title="",
        source="",
        link=link,
        original_date=None,
        body="",
        line=1,
    )


def stored_article(pk: int, position: int, title: str, link: str = "") -> Article:
    return Article(pk=pk, position=position, title=title, original_url=link)


def test_articles_pair_by_normalised_link_then_by_normalised_title_never_by_position():
    old = [
        stored_article(1, 1, "甲文", "https://a.example.cn/news/1.html"),
        stored_article(2, 2, "乙文", "http://b.example.cn/path/"),
        stored_article(3, 3, "“丙”文：要点", ""),
        stored_article(4, 4, "丁文", "https://d.example.cn/4"),
    ]
    new = [
        parsed_article("全新的一篇"),  # where 甲文 stood: a new story takes no one's place
        parsed_article("乙文改了标题", "HTTP://B.Example.CN/path"),
        parsed_article("丙文 要点"),  # NFKC, spaces and punctuation aside
        parsed_article("甲文标题也改了", " https://A.EXAMPLE.cn/news/1.html/ "),
        parsed_article("丁文"),  # a link elsewhere changed, the same title: the same story
    ]
    pairs = load.pair_articles(old, new)
    assert [pair.pk if pair else None for pair in pairs] == [None, 2, 3, 1, 4]


def test_each_existing_article_pairs_at_most_once():
    old = [stored_article(1, 1, "甲文", "https://a.example.cn/1")]
    new = [
        parsed_article("甲文", "https://a.example.cn/1"),
        parsed_article("甲文", "https://a.example.cn/1"),
    ]
    assert [pair.pk if pair else None for pair in load.pair_articles(old, new)] == [1, None]


def test_links_compare_without_whitespace_case_trailing_slash_or_https():
    key = load.link_key
    assert key("HTTPS://News.Example.org/a/b/") == key("http://news.example.org/a/b")
    assert key("https://news.example.org/a\n/b.html") == key("https://news.example.org/a/b.html")
    assert key("https://news.example.org/A.html") != key("https://news.example.org/a.html")
    assert key("https://news.example.org/a?id=1") != key("https://news.example.org/a?id=2")
    assert key("") == ""


def test_the_plan_names_each_pair_and_the_articles_to_be_removed(tmp_path):
    """What the reviewer's confirmation page shows: old -> new, and what is removed."""
    _issue, before = published_and_tagged(tmp_path)
    plan = load.plan_bulletin(parse_document("x.txt", CORRECTED.encode()))
    assert [pair.pk if pair else None for pair in plan.pairs] == [
        before[C].pk,
        before[A].pk,
        None,
        before[B].pk,
    ]
    assert [article.pk for article in plan.removed] == [before[D].pk]
    warning = "\n".join(problem.message for problem in plan.warnings)
    assert f"1篇文章不在本文档中，导入后将被删除（其永久链接将显示“已撤除”）：《{D.title}》" in (
        warning
    )
    # A first import pairs nothing.
    fresh = load.plan_bulletin(
        parse_document("x.txt", bulletin(A).replace("七〇一", "七〇二").encode())
    )
    assert fresh.existing is None and fresh.pairs == [] and fresh.removed == []


# --- a reviewer re-imports through the admin ------------------------------------------------


def test_a_reviewer_reimport_keeps_identities_and_the_removed_article_answers_410(client, tmp_path):
    issue, before = published_and_tagged(tmp_path)
    reviewer = factories.reviewer()
    client.force_login(reviewer)

    page = admin_import(client, CORRECTED)
    assert f"《{D.title}》" in page  # the review page names the article it removes
    new = assert_identities_kept(issue, before)
    issue.refresh_from_db()
    assert issue.status == Issue.Status.DRAFT  # an admin import is a draft, to be reviewed

    # The reviewer publishes the corrected issue again.
    list_action(client, ISSUES, "approve_now", [issue])
    issue.refresh_from_db()
    assert issue.is_published()

    reader = Client()
    gone = reader.get(article_url(before[D].pk))
    assert gone.status_code == 410
    text = gone.text
    assert "文章已撤除" in text and ISSUE_NAME in text
    assert f'href="{issue.get_absolute_url()}"' in text
    assert D.title not in text and D.body not in text  # nothing of what was removed
    assert 'name="robots" content="noindex"' in text
    # Someone else's story is never shown at the old address; the new one has its own.
    assert E.title not in text
    page = reader.get(article_url(new.pk))
    assert page.status_code == 200 and E.title in page.text
    for story in (A, B, C):
        assert reader.get(article_url(before[story].pk)).status_code == 200


def test_the_history_holds_the_state_before_the_import_and_restoring_it_brings_it_back(
    client, tmp_path, settings
):
    settings.PAGE_CACHE_SECONDS = 600  # the 410 must not be kept by the page cache
    issue, before = published_and_tagged(tmp_path)
    reviewer = factories.reviewer()
    client.force_login(reviewer)
    admin_import(client, CORRECTED)
    list_action(client, ISSUES, "approve_now", [issue])
    reader = Client()
    for _ in range(2):
        response = reader.get(article_url(before[D].pk))
        assert response.status_code == 410 and response.get("X-Page-Cache") != "hit"

    versions = list(history.issue_versions(issue))
    comments = [version.revision.get_comment() for version in versions]
    imported = comments.index("从文件“weekly-701-corrected.txt”导入")
    pre_import = versions[imported + 1]
    assert "前的状态" in pre_import.revision.get_comment()
    assert pre_import.revision.user == reviewer
    assert pre_import.revision.date_created <= versions[imported].revision.date_created
    recorded = history.snapshot(pre_import)
    assert set(recorded.articles) == {article.pk for article in before.values()}
    assert sorted(recorded.articles[before[A].pk]["tags"]) == list(
        before[A].tags.values_list("pk", flat=True)
    )

    # The reviewer finds it on the issue's 修改记录 page and restores it in one step.
    history_page = client.get(reverse("admin:bulletins_issue_history", args=[issue.pk])).text
    assert pre_import.revision.get_comment() in history_page
    restore_url = reverse("admin:bulletins_issue_restore", args=[issue.pk, pre_import.pk])
    assert restore_url in history_page
    response = client.post(restore_url)
    assert response.status_code == 302

    articles = {a.pk: a for a in issue.articles.order_by("position")}
    assert list(articles) == [before[story].pk for story in (A, B, C, D)]
    for story in (A, B, C, D):
        assert articles[before[story].pk].title == story.title
        assert tag_names(articles[before[story].pk]) == [TAGS[story]]
    assert not Article.objects.filter(title=E.title).exists()
    issue.refresh_from_db()
    assert issue.is_published()  # a restore keeps the workflow state
    back = reader.get(article_url(before[D].pk))
    assert back.status_code == 200 and D.title in back.text


# --- the operator re-imports on the command line -------------------------------------------


def test_a_command_line_reimport_that_publishes_gives_the_removed_article_a_410_at_once(
    tmp_path,
):
    issue, before = published_and_tagged(tmp_path)
    command_import(tmp_path, CORRECTED, "--publish", name="weekly-701-v2.txt")
    assert_identities_kept(issue, before)
    versions = list(history.issue_versions(issue))
    assert [v.revision.get_comment() for v in versions[:2]] == [
        f"命令行导入：{tmp_path / 'weekly-701-v2.txt'}",
        "重新导入前的状态",
    ]
    assert versions[1].revision.user is None  # the operator is no one in particular
    gone = Client().get(article_url(before[D].pk))
    assert gone.status_code == 410 and ISSUE_NAME in gone.text


def test_importing_the_same_document_again_records_nothing_twice(tmp_path):
    command_import(tmp_path, ORIGINAL)
    issue = Issue.objects.get()
    command_import(tmp_path, ORIGINAL)
    comments = [v.revision.get_comment() for v in history.issue_versions(issue)]
    assert "重新导入前的状态" not in comments  # the latest version already held it


# --- what is not public stays 404 -----------------------------------------------------------


def test_an_article_removed_from_a_draft_issue_answers_404_even_once_the_issue_is_public(
    client, tmp_path
):
    command_import(tmp_path, ORIGINAL)  # a draft
    issue = Issue.objects.get()
    removed = issue.articles.get(title=D.title)
    command_import(tmp_path, bulletin(A, B, C))
    assert not Article.objects.filter(pk=removed.pk).exists()
    reader = Client()
    assert reader.get(article_url(removed.pk)).status_code == 404
    # Staff who could preview the draft get no more.
    client.force_login(factories.reviewer())
    assert client.get(article_url(removed.pk)).status_code == 404

    list_action(client, ISSUES, "approve_now", [issue])
    issue.refresh_from_db()
    assert issue.is_published()
    response = reader.get(article_url(removed.pk))
    assert response.status_code == 404  # it was never public
    assert D.title not in response.text and ISSUE_NAME not in response.text


def test_the_410_turns_404_when_the_issue_is_unpublished_or_deleted(client, tmp_path):
    issue, before = published_and_tagged(tmp_path)
    command_import(tmp_path, CORRECTED, "--publish")
    reader = Client()
    assert reader.get(article_url(before[D].pk)).status_code == 410

    client.force_login(factories.reviewer())
    list_action(client, ISSUES, "unpublish", [issue])
    issue.refresh_from_db()
    assert not issue.is_published()
    response = reader.get(article_url(before[D].pk))
    assert response.status_code == 404 and ISSUE_NAME not in response.text

    list_action(client, ISSUES, "approve_now", [issue])
    assert reader.get(article_url(before[D].pk)).status_code == 410
    delete_url = reverse("admin:bulletins_issue_delete", args=[issue.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 302
    assert not Issue.objects.exists()
    for story in (A, D):
        assert reader.get(article_url(before[story].pk)).status_code == 404


def test_an_article_that_never_existed_is_still_404():
    assert Client().get(article_url(987654)).status_code == 404


# --- two imports of one issue at the same moment --------------------------------------------


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL (DATABASE_URL=postgres://…): SQLite lets one writer in at a "
    "time, so two imports cannot interleave there",
)
@pytest.mark.django_db(transaction=True)
def test_two_imports_of_one_issue_run_one_after_the_other(tmp_path, monkeypatch):
    """The second waits on the first's lock, then plans on what the first wrote."""
    factories.ensure_series()  # an earlier transactional test may have flushed them
    command_import(tmp_path, ORIGINAL, "--publish")
    issue = Issue.objects.get()
    before = {a.title: a.pk for a in issue.articles.all()}

    first_holds_the_lock, let_first_go = threading.Event(), threading.Event()
    apply = load._apply

    def apply_slowly(plan):
        if threading.current_thread().name == "first":
            first_holds_the_lock.set()
            assert let_first_go.wait(30)
        return apply(plan)

    monkeypatch.setattr(load, "_apply", apply_slowly)
    results = {}

    def importing(text: str) -> None:
        name = threading.current_thread().name
        try:
            with history.recorded(comment=name):
                results[name] = load.load_bulletin(parse_document("x.txt", text.encode()))
        except Exception as error:  # noqa: BLE001 - reported by the assertions below
            results[name] = error
        finally:
            connection.close()

    # The first replaces D with E; the second (an older copy) has neither.
    first = threading.Thread(target=importing, args=(bulletin(A, B, C, E),), name="first")
    second = threading.Thread(target=importing, args=(bulletin(A, B, C),), name="second")
    first.start()
    try:
        assert first_holds_the_lock.wait(30)
        second.start()
        waiting = 0
        deadline = time.monotonic() + 30
        while not waiting and time.monotonic() < deadline:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
                waiting = cursor.fetchone()[0]
            time.sleep(0.05)
        assert waiting == 1, "the second import should wait for the first's lock"
        assert "second" not in results
    finally:
        let_first_go.set()
        first.join(30)
        second.join(30)

    assert isinstance(results["first"], load.LoadResult), results["first"]
    assert isinstance(results["second"], load.LoadResult), results["second"]
    assert results["first"].removed_articles == 1  # D
    assert results["second"].removed_articles == 1  # E, which only the first had made
    articles = list(issue.articles.order_by("position"))
    assert [(a.title, a.pk) for a in articles] == [(s.title, before[s.title]) for s in (A, B, C)]
    comments = [v.revision.get_comment() for v in history.issue_versions(issue)]
    assert comments[:2] == ["second", "first"]
