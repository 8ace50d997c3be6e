"""The import's review and confirmation as editors and reviewers meet them (issue 20).

- A reviewer re-importing a published or scheduled issue is shown a confirmation box with
  the articles old → new (kept, new, removed) and must tick it; without the tick nothing
  is written.
- What a file was read as is stored with the upload: the review page never parses a file
  twice, and a large batch is parsed a few files per request.
- Confirmed files are imported one per request, with the progress shown, each file whole
  or not at all; the end lists what happened to every file.
"""

import datetime
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from bulletins.admin import imports
from bulletins.editorial import history
from bulletins.importing import parse_document
from bulletins.importing.load import load_bulletin
from bulletins.models import Article, Issue, PendingImport
from tests import factories
from tests.test_import_admin import confirm, flash, pending_ids, review_url_after_upload, upload
from tests.test_import_workflow import public_701, snapshot
from tests.test_parse_docx import save, weekly_document

FIXTURES = Path(__file__).parent / "fixtures" / "bulletins"
CHANGELIST = reverse("admin:bulletins_issue_changelist")

pytestmark = pytest.mark.django_db


# --- documents ----------------------------------------------------------------------------

LINES = (FIXTURES / "weekly-701.txt").read_text(encoding="utf-8").splitlines()
HEADER = LINES[:9]  # series, number, publisher, date, intro
FIRST, SECOND = LINES[25:52], LINES[53:75]  # the articles as numbered 1 and 2 in 701

NEW_ARTICLE = """1.标题：某市上线互联网医院统一入口

来源：示例晚报

链接：https://www.example-evening.cn/content/2026-03/12/content_88200.htm

主要内容：

某市上线互联网医院统一入口

2026-03-12 来源：示例晚报

市民通过一个入口即可预约全市互联网医院的复诊和续方服务。""".splitlines()


def reworked_701() -> bytes:
    """Issue 701 as the centre sent it again: a new first article, the second one retitled
    (same link and body) and moved up, the first one unchanged but moved down, the third
    one (医学影像云平台覆盖百家机构) left out."""
    retitled = [
        line.replace("社区医院引入智能随访助手", "社区医院智能随访助手上岗") for line in SECOND
    ]
    moved = [FIRST[0].replace("1.标题", "3.标题"), *FIRST[1:]]
    lines = [
        *HEADER,
        "一、信息目录",
        "",
        "1. 某市上线互联网医院统一入口",
        "（示例晚报）",
        "2. 社区医院智能随访助手上岗",
        "（示例晚报）",
        "3. 某省推进电子健康档案跨院调阅",
        "（示例健康报）",
        "",
        "二、具体内容",
        "",
        *NEW_ARTICLE,
        "",
        *retitled,
        "",
        *moved,
    ]
    return "\n".join(lines).encode()


def numbered(number: int, chinese: str, day: int) -> bytes:
    """weekly-701.txt as another issue of the weekly series."""
    text = (FIXTURES / "weekly-701.txt").read_text(encoding="utf-8")
    return (
        text.replace("第七〇一期", f"第{chinese}期")
        .replace("2026年3月13日", f"2026年3月{day}日")
        .encode()
    )


# --- reading the page ---------------------------------------------------------------------


class _Rows(HTMLParser):
    """The rows of the old → new table, each as the text of its cells."""

    def __init__(self):
        super().__init__()
        self.rows, self._in_table, self._cell = [], False, None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and "import-change-table" in (dict(attrs).get("class") or ""):
            self._in_table = True
        elif self._in_table and tag == "tr":
            self.rows.append([])
        elif self._in_table and tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._in_table = False
        elif self._in_table and tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def change_rows(page: str) -> list[list[str]]:
    parser = _Rows()
    parser.feed(page)
    return parser.rows[1:]  # without the header row


def articles_by_title(issue) -> dict[str, Article]:
    return {article.title: article for article in issue.articles.all()}


# --- replacing a public issue ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "words"),
    [("published", "已发布"), ("scheduled", "已定时发布")],
)
def test_a_reviewer_sees_what_replacing_a_public_issue_does(client, when, words):
    issue = public_701(when)
    old = articles_by_title(issue)
    client.force_login(factories.reviewer())
    review_url = review_url_after_upload(client, upload("reworked-701.txt", reworked_701()))
    response = client.get(review_url)
    page = response.text

    assert f"周报 第七〇一期{words}，导入将替换它" in page
    assert 'class="errornote import-replace"' in page
    assert "导入后它改回草稿，从网站撤下" in page
    assert "逐篇对照：保留 2 篇（沿用原固定链接和标签），新增 1 篇，删除 1 篇" in page
    kept_1 = old["某省推进电子健康档案跨院调阅"]
    kept_2 = old["社区医院引入智能随访助手"]
    removed = old["医学影像云平台覆盖百家机构"]
    assert change_rows(page) == [
        ["新增", "—", "1. 某市上线互联网医院统一入口", "新文章，导入后获得新的固定链接，没有标签"],
        # 结果, 现有文章, 导入后, 固定链接, then changed or not: 标题, 来源, 链接, 正文
        [
            "保留",
            "2. 社区医院引入智能随访助手",
            "2. 社区医院智能随访助手上岗",
            f"/articles/{kept_2.pk}/",
            *["已改", "未改", "未改", "未改"],
        ],
        [
            "保留 （位置改变）",
            "1. 某省推进电子健康档案跨院调阅",
            "3. 某省推进电子健康档案跨院调阅",
            f"/articles/{kept_1.pk}/",
            *["未改", "未改", "未改", "未改"],
        ],
        [
            "删除",
            "3. 医学影像云平台覆盖百家机构",
            "—",
            f"/articles/{removed.pk}/ 将返回 410（已删除）",
        ],
    ]
    tick = f"确认覆盖{words}的周报 第七〇一期"
    start = page.index('class="errornote import-replace"')
    end = page.index("</table>", start)  # the box, then the table, then its tick
    assert "导入后它改回草稿" in page[start:end]
    tick_input = r'<input type="checkbox" name="replace" value="[0-9a-f-]{36}" id="replace-[^"]+">'
    assert re.search(f"{tick_input} {tick}", page[end:])
    assert "确认导入（保存为草稿）" in page


def test_without_the_tick_nothing_is_written_and_the_page_says_why(client):
    issue = public_701("published")
    before = snapshot(issue)
    versions = history.issue_versions(issue).count()
    client.force_login(factories.reviewer())
    review_url = review_url_after_upload(client, upload("reworked-701.txt", reworked_701()))
    ids = pending_ids(client.get(review_url).text)

    response = client.post(review_url, {"upload": ids})
    assert response.status_code == 200
    assert "没有导入任何文件：下列文件将覆盖已公开的期刊，需先勾选确认覆盖。" in response.text
    assert "请勾选“确认覆盖已发布的周报 第七〇一期”。" in response.text
    assert 'name="replace"' in response.text and 'aria-invalid="true"' in response.text
    assert snapshot(issue) == before
    assert history.issue_versions(issue).count() == versions
    assert PendingImport.objects.get().outcome is None  # not even queued


def test_with_the_tick_the_reviewer_replaces_it_keeping_each_articles_identity(client):
    issue = public_701("published")
    old = articles_by_title(issue)
    tagged = old["某省推进电子健康档案跨院调阅"]  # public_701 tags the first article
    client.force_login(factories.reviewer())
    review_url = review_url_after_upload(client, upload("reworked-701.txt", reworked_701()))
    ids = pending_ids(client.get(review_url).text)

    response = client.post(review_url, {"upload": ids, "replace": ids})
    assert response["Location"] == reverse("admin:bulletins_issue_change", args=[issue.pk])
    [message] = flash(response)
    assert (
        "“reworked-701.txt”：已更新周报 第七〇一期（草稿），3篇文章。删除了1篇不再出现的文章。"
        in message
    )
    issue.refresh_from_db()
    assert issue.status == Issue.Status.DRAFT
    new = articles_by_title(issue)
    assert [a.title for a in issue.articles.order_by("position")] == [
        "某市上线互联网医院统一入口",
        "社区医院智能随访助手上岗",
        "某省推进电子健康档案跨院调阅",
    ]
    assert new["某省推进电子健康档案跨院调阅"].pk == tagged.pk
    assert list(new["某省推进电子健康档案跨院调阅"].tags.values_list("name", flat=True)) == [
        "电子健康档案"
    ]
    assert new["社区医院智能随访助手上岗"].pk == old["社区医院引入智能随访助手"].pk
    assert new["某市上线互联网医院统一入口"].pk not in {a.pk for a in old.values()}
    assert not new["某市上线互联网医院统一入口"].tags.exists()
    assert not Article.objects.filter(pk=old["医学影像云平台覆盖百家机构"].pk).exists()
    # The published state was recorded before it was overwritten: one step restores it.
    latest, earlier = history.issue_versions(issue)[:2]
    assert "reworked-701.txt" in latest.revision.get_comment()
    assert earlier.field_dict["status"] == Issue.Status.PUBLISHED
    assert not PendingImport.objects.exists()


def test_an_editor_is_shown_the_refusal_not_the_confirmation(client):
    issue = public_701("published")
    before = snapshot(issue)
    client.force_login(factories.editor())
    review_url = review_url_after_upload(client, upload("reworked-701.txt", reworked_701()))
    page = client.get(review_url).text
    assert "只有审核人（“审核”组）可以重新导入这一期" in page
    assert 'name="replace"' not in page and "确认覆盖" not in page
    assert pending_ids(page) == []
    # Ticking by hand changes nothing: the workflow rule refuses it.
    pending = str(PendingImport.objects.get().pk)
    response = client.post(review_url, {"upload": pending, "replace": pending})
    assert "未导入" in flash(response)[0]
    assert snapshot(issue) == before


def test_a_draft_shows_the_table_but_needs_no_tick(client):
    issue = load_bulletin(parse_document("w.txt", (FIXTURES / "weekly-701.txt").read_bytes())).issue
    client.force_login(factories.editor())
    review_url = review_url_after_upload(client, upload("reworked-701.txt", reworked_701()))
    page = client.get(review_url).text
    assert "与现有文章对照：保留 2 篇，新增 1 篇，删除 1 篇" in page
    assert "import-replace" not in page and 'name="replace"' not in page
    response = client.post(review_url, {"upload": pending_ids(page)})
    assert response["Location"] == reverse("admin:bulletins_issue_change", args=[issue.pk])
    assert issue.articles.count() == 3


# --- the stored parse -------------------------------------------------------------------------


@pytest.fixture
def parses(monkeypatch):
    """Counts the admin's calls of the parser (which it still makes)."""
    calls = []
    real = imports.parse_document

    def counting(name, data):
        calls.append(name)
        return real(name, data)

    monkeypatch.setattr(imports, "parse_document", counting)
    return calls


def test_the_review_page_parses_a_file_once(client, parses):
    client.force_login(factories.editor())
    review_url = review_url_after_upload(client, upload("weekly-701.txt"), upload("monthly-555.md"))
    assert parses == []  # the upload stores the files, no more
    first = client.get(review_url).text
    assert parses == ["weekly-701.txt", "monthly-555.md"]
    assert "将新建周报 第七〇一期" in client.get(review_url).text
    assert parses == ["weekly-701.txt", "monthly-555.md"]
    stored = PendingImport.objects.get(name="weekly-701.txt").parsed
    assert stored["bulletin"]["number"] == 701
    # Confirming imports what was stored, without parsing again.
    confirm(client, review_url, {"upload": pending_ids(first)})
    assert parses == ["weekly-701.txt", "monthly-555.md"]
    assert sorted(Issue.objects.values_list("number", flat=True)) == [555, 701]


def test_a_file_that_cannot_be_read_is_stored_with_its_problems(client, parses):
    client.force_login(factories.editor())
    broken = "全国卫生信息化舆情监测周报\n（第七〇二期）\n2026年3月20日\n没有文章的文档\n"
    review_url = review_url_after_upload(client, upload("broken.txt", broken.encode()))
    for _ in range(2):
        assert "未找到任何文章" in client.get(review_url).text
    assert parses == ["broken.txt"]
    assert "problems" in PendingImport.objects.get().parsed


def test_a_parse_stored_in_an_older_shape_is_parsed_again(client, parses):
    client.force_login(factories.editor())
    review_url = review_url_after_upload(client, upload("weekly-701.txt"))
    PendingImport.objects.update(parsed={"format": 0, "bulletin": {}})
    assert "将新建周报 第七〇一期" in client.get(review_url).text
    assert parses == ["weekly-701.txt"]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("weekly-701.txt", None),
        ("monthly-555.md", None),
        ("weekly-650-inline.txt", None),
        ("周报650.docx", save(weekly_document())),
    ],
)
def test_the_stored_parse_gives_back_what_was_parsed(name, data):
    parsed = parse_document(name, data or (FIXTURES / name).read_bytes())
    stored = imports.bulletin_to_json(parsed)
    assert PendingImport._meta.get_field("parsed").get_prep_value(stored)  # JSON-ready
    assert imports.bulletin_from_json(stored) == parsed


def test_a_large_batch_is_parsed_a_few_files_per_request(client, parses, monkeypatch):
    monkeypatch.setattr(imports, "PARSE_SECONDS", 0)  # one file per request
    client.force_login(factories.editor())
    review_url = review_url_after_upload(
        client, upload("weekly-701.txt"), upload("monthly-555.md"), upload("weekly-650-inline.txt")
    )
    for done in (1, 2):
        page = client.get(review_url).text
        assert f"已解析 {done}/3 个文件" in page
        assert f'href="{review_url}" data-import-continue>继续解析其余文件' in page
        assert "确认导入（保存为草稿）" not in page and len(parses) == done
    page = client.get(review_url).text
    assert "已解析" not in page and "确认导入（保存为草稿）" in page
    assert len(pending_ids(page)) == 3 and len(parses) == 3


# --- many files, one per request ---------------------------------------------------------------

FIVE = [
    ("weekly-701.txt", None),
    ("monthly-555.md", None),
    ("weekly-650-inline.txt", None),
    ("weekly-702.txt", numbered(702, "七〇二", 20)),
    ("weekly-703.txt", numbered(703, "七〇三", 27)),
]


def test_five_files_are_imported_one_per_request_with_the_progress_shown(client):
    """An editor's five files; between the review and the confirmation a reviewer publishes
    issue 702, which the editor's file would now replace: that file is refused at its turn,
    nothing of it written, and the others are imported."""
    issue_702 = factories.issue(
        number=702, status=Issue.Status.DRAFT, publication_date=datetime.date(2026, 3, 20)
    )
    editor = factories.editor()
    client.force_login(editor)
    review_url = review_url_after_upload(client, *(upload(name, data) for name, data in FIVE))
    page = client.get(review_url).text
    ids = pending_ids(page)
    assert len(ids) == 5 and "将更新已有的周报 第七〇二期" in page

    issue_702.status = Issue.Status.PUBLISHED  # a reviewer publishes it meanwhile
    issue_702.published_at = timezone.now() - datetime.timedelta(hours=1)
    issue_702.save()

    response = client.post(review_url, {"upload": ids})
    progress_url = reverse(
        "admin:bulletins_issue_import_progress", args=[review_url.split("/")[-2]]
    )
    assert response["Location"] == progress_url
    assert list(Issue.objects.exclude(pk=issue_702.pk).values_list("number", flat=True)) == [701]

    # The review page now shows where the import stands.
    assert client.get(review_url)["Location"] == progress_url
    others = Issue.objects.exclude(pk=issue_702.pk)
    # (the file each request imports, how many are imported before it, the issues after it)
    steps = [
        (2, 1, [555, 701]),
        (3, 2, [555, 650, 701]),
        (4, 3, [555, 650, 701]),  # 702 refused
        (5, 3, [555, 650, 701, 703]),
    ]
    for number, imported, issues in steps:
        page = client.get(progress_url).text
        assert f"{imported}/5 已导入" in page
        assert f"导入下一个文件（第 {number} 个，共 5 个）" in page
        assert "data-import-continue" in page and "js/import-progress.js" in page
        assert page.count("已导入</span>") == imported
        response = client.post(progress_url, {"next": "1"})
        assert sorted(others.values_list("number", flat=True)) == issues
        if number < 5:
            assert response["Location"] == progress_url

    # The last request lists what happened to each file, in order, and clears the batch.
    assert response["Location"] == CHANGELIST
    found = flash(response)
    assert len(found) == 5
    assert "“weekly-701.txt”：已新建周报 第七〇一期（草稿）" in found[0]
    assert "“monthly-555.md”：已新建月报 第五五五期（草稿）" in found[1]
    assert "“weekly-650-inline.txt”：已新建周报 第六五〇期（草稿）" in found[2]
    assert "“weekly-702.txt”：未导入。" in found[3] and "只有审核人" in found[3]
    assert "“weekly-703.txt”：已新建周报 第七〇三期（草稿）" in found[4]
    issue_702.refresh_from_db()
    assert issue_702.status == Issue.Status.PUBLISHED and not issue_702.articles.exists()
    assert not PendingImport.objects.exists()


def test_the_progress_page_lists_each_file_with_its_outcome(client):
    client.force_login(factories.reviewer())
    broken = "全国卫生信息化舆情监测周报\n（第七〇九期）\n2026年3月20日\n没有文章的文档\n"
    review_url = review_url_after_upload(
        client,
        upload("broken.txt", broken.encode()),
        upload("weekly-701.txt"),
        upload("monthly-555.md"),
    )
    client.get(review_url)
    every = [str(pk) for pk in PendingImport.objects.values_list("pk", flat=True)]
    response = client.post(review_url, {"upload": every})  # a stale form names the broken file
    page = client.get(response["Location"]).text
    assert "0/3 已导入" in page and "未导入 1 个，等待导入 2 个" in page
    row = re.search(r'<th scope="row">broken.txt</th>\s*<td>(.*?)</td>', page, re.S).group(1)
    assert "未导入</span> “broken.txt”：未导入。" in row and "未找到任何文章" in row
    client.post(response["Location"], {"next": "1"})
    page = client.get(response["Location"]).text
    assert "1/3 已导入" in page
    issue = Issue.objects.get()
    assert f'href="{reverse("admin:bulletins_issue_change", args=[issue.pk])}">打开</a>' in page


def test_stopping_leaves_the_other_files_unimported(client):
    client.force_login(factories.editor())
    review_url = review_url_after_upload(
        client, upload("weekly-701.txt"), upload("monthly-555.md"), upload("weekly-650-inline.txt")
    )
    ids = pending_ids(client.get(review_url).text)
    progress_url = client.post(review_url, {"upload": ids})["Location"]
    response = client.post(progress_url, {"stop": "1"})
    assert response["Location"] == CHANGELIST
    found = flash(response)
    assert "“weekly-701.txt”：已新建" in found[0]
    assert found[1:] == [
        "“monthly-555.md”：未导入。导入已停止。",
        "“weekly-650-inline.txt”：未导入。导入已停止。",
    ]
    assert list(Issue.objects.values_list("number", flat=True)) == [701]


def test_confirming_twice_imports_each_file_once(client):
    client.force_login(factories.editor())
    review_url = review_url_after_upload(client, upload("weekly-701.txt"), upload("monthly-555.md"))
    ids = pending_ids(client.get(review_url).text)
    first = client.post(review_url, {"upload": ids})
    again = client.post(review_url, {"upload": ids})  # a double click
    assert again["Location"] == first["Location"]
    assert Issue.objects.count() == 1
    confirm(client, review_url, {"upload": ids})
    assert sorted(Issue.objects.values_list("number", flat=True)) == [555, 701]


def test_someone_else_cannot_see_or_drive_the_progress(client):
    client.force_login(factories.editor())
    review_url = review_url_after_upload(client, upload("weekly-701.txt"), upload("monthly-555.md"))
    progress_url = client.post(review_url, {"upload": pending_ids(client.get(review_url).text)})[
        "Location"
    ]
    client.force_login(factories.editor("another"))
    assert client.get(progress_url)["Location"] == reverse("admin:bulletins_issue_import")
    client.post(progress_url, {"next": "1"})
    assert Issue.objects.count() == 1


def test_an_issue_published_while_its_file_waits_needs_the_tick_too(client):
    """A reviewer's two files; the issue of the second is published by the time its turn
    comes: it was not confirmed as a replacement, so it is not imported."""
    waiting = factories.issue(
        number=702, status=Issue.Status.DRAFT, publication_date=datetime.date(2026, 3, 20)
    )
    client.force_login(factories.reviewer())
    review_url = review_url_after_upload(
        client, upload("weekly-701.txt"), upload("weekly-702.txt", numbered(702, "七〇二", 20))
    )
    page = client.get(review_url).text
    assert 'name="replace"' not in page  # a draft: no tick asked
    progress_url = client.post(review_url, {"upload": pending_ids(page)})["Location"]
    waiting.status = Issue.Status.PUBLISHED
    waiting.save()
    response = client.post(progress_url, {"next": "1"})
    assert flash(response)[1] == "“weekly-702.txt”：未导入。周报 第七〇二期已公开，没有确认覆盖。"
    waiting.refresh_from_db()
    assert waiting.status == Issue.Status.PUBLISHED and not waiting.articles.exists()
