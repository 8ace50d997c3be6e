"""The admin's 导入简报 page: upload, review every field beside its warnings, confirm."""

import datetime
import io
import re
import zipfile
from pathlib import Path

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from bulletins.editorial import history
from bulletins.models import Article, Issue, PendingImport
from tests import factories
from tests.test_import_load import database_state
from tests.test_parse_docx import save, weekly_document

FIXTURES = Path(__file__).parent / "fixtures" / "bulletins"
IMPORT_URL = reverse("admin:bulletins_issue_import")

pytestmark = pytest.mark.django_db


def upload(name: str, data: bytes | None = None) -> SimpleUploadedFile:
    if data is None:
        data = (FIXTURES / name).read_bytes()
    return SimpleUploadedFile(name, data)


def upload_files(client, *files):
    """POST the files to the upload page; returns the response (a redirect when accepted)."""
    return client.post(IMPORT_URL, {"files": list(files)})


def review_url_after_upload(client, *files) -> str:
    response = upload_files(client, *files)
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


def pending_ids(review_page: str) -> list[str]:
    return re.findall(r'name="upload" value="([0-9a-f-]{36})"', review_page)


def confirm(client, review_url, data):
    """POST the review's confirmation, then press 导入下一个文件 on the progress page until
    every file is done (one file per request); returns the last response."""
    response = client.post(review_url, data)
    while response.status_code == 302 and response["Location"].endswith("/progress/"):
        response = client.post(response["Location"], {"next": "1"})
    return response


def flash(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- the way in ---------------------------------------------------------------------------


def test_the_issue_list_links_to_the_import_page(admin_client):
    page = admin_client.get(reverse("admin:bulletins_issue_changelist")).text
    assert f'href="{IMPORT_URL}"' in page and "导入简报" in page
    form = admin_client.get(IMPORT_URL).text
    assert 'enctype="multipart/form-data"' in form
    assert 'type="file"' in form and "multiple" in form
    assert 'accept=".txt,.md,.markdown,.docx"' in form
    assert "csrfmiddlewaretoken" in form


# --- review, then confirm -----------------------------------------------------------------


def test_the_review_shows_every_field_and_every_warning_and_saves_nothing(admin_client):
    state = database_state()
    review_url = review_url_after_upload(admin_client, upload("weekly-701.txt"))
    assert PendingImport.objects.count() == 1
    page = admin_client.get(review_url).text
    assert database_state() == state

    assert "将新建周报 第七〇一期" in page
    for shown in [
        "全国卫生信息化舆情监测周报",
        "第七〇一期（701）",
        "北京市卫生健康大数据与政策研究中心",
        "2026年3月13日",
        "2026年3月7日至2026年3月13日",
        "本期周报共收集3篇卫生健康大数据与政策研究相关信息",
        "<li>社区医院引入智能随访助手（示例晚报）</li>",
        "1. 某省推进电子健康档案跨院调阅",
        "影像云平台接入机构突破一百家 患者可在线查看胶片",
        '示例健康报 <span class="import-badge">新来源，其他</span>',
        'href="https://news.example.org/health/2026/0309/c1001-30112233.html"',
        "2026年3月9日",
        "<h3>三项重点任务</h3>",
        '<figure class="caption"><figcaption>护士正在查看随访助手生成的提醒清单。'
        "本报记者 林某 摄</figcaption></figure>",
        "第77行：第3篇文章缺少链接",
        "第59行：链接被断成多行",
    ]:
        assert shown in page, shown
    assert len(pending_ids(page)) == 1
    assert "确认导入（保存为草稿）" in page


def test_confirming_one_file_imports_a_draft_and_opens_its_change_page(admin_client):
    review_url = review_url_after_upload(admin_client, upload("weekly-701.txt"))
    [pending] = pending_ids(admin_client.get(review_url).text)
    response = admin_client.post(review_url, {"upload": pending})
    issue = Issue.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:bulletins_issue_change", args=[issue.pk])
    assert issue.status == Issue.Status.DRAFT and issue.number == 701
    assert issue.articles.count() == 3
    assert not PendingImport.objects.exists()
    [message] = flash(response)
    assert "“weekly-701.txt”：已新建周报 第七〇一期（草稿），3篇文章" in message
    entry = LogEntry.objects.get(object_id=str(issue.pk))
    assert entry.is_addition() and "weekly-701.txt" in entry.get_change_message()
    assert admin_client.get(response["Location"]).status_code == 200
    # The import is the issue's first version in its history, by the editor who imported.
    [version] = history.issue_versions(issue)
    assert version.revision.user.username == "admin"
    assert "weekly-701.txt" in version.revision.get_comment()
    assert len(version.revision.version_set.all()) == 1 + 3  # the issue and its articles


def test_several_files_land_on_the_issue_list_with_a_message_per_file(admin_client):
    review_url = review_url_after_upload(
        admin_client,
        upload("weekly-701.txt"),
        upload("monthly-555.md"),
        upload("周报650.docx", save(weekly_document())),
    )
    page = admin_client.get(review_url).text
    assert page.index("weekly-701.txt") < page.index("monthly-555.md") < page.index("周报650.docx")
    assert "<strong>在线选择家庭医生</strong>" in page
    ids = pending_ids(page)
    assert len(ids) == 3
    response = confirm(admin_client, review_url, {"upload": ids})
    assert response["Location"] == reverse("admin:bulletins_issue_changelist")
    found = flash(response)
    assert len(found) == 3
    assert any("“monthly-555.md”：已新建月报 第五五五期（草稿），5篇文章" in m for m in found)
    assert any("“周报650.docx”：已新建周报 第六五〇期（草稿）" in m for m in found)
    assert sorted(Issue.objects.values_list("number", "status")) == [
        (555, "draft"),
        (650, "draft"),
        (701, "draft"),
    ]


def test_only_the_files_left_ticked_are_imported(admin_client):
    review_url = review_url_after_upload(
        admin_client, upload("weekly-701.txt"), upload("monthly-555.md")
    )
    first, _second = pending_ids(admin_client.get(review_url).text)
    admin_client.post(review_url, {"upload": [first]})
    assert list(Issue.objects.values_list("number", flat=True)) == [701]


def test_the_confirmation_uses_the_stored_file_not_anything_the_browser_sends(admin_client):
    review_url = review_url_after_upload(admin_client, upload("weekly-701.txt"))
    [pending] = pending_ids(admin_client.get(review_url).text)
    admin_client.post(
        review_url,
        {"upload": pending, "title": "篡改的标题", "number": "999", "status": "published"},
    )
    issue = Issue.objects.get()
    assert (issue.number, issue.status) == (701, Issue.Status.DRAFT)
    assert not Article.objects.filter(title="篡改的标题").exists()


def test_reimporting_a_published_issue_warns_and_leaves_a_draft(admin_client):
    from bulletins.importing import parse_document
    from bulletins.importing.load import load_bulletin

    load_bulletin(parse_document("w.txt", (FIXTURES / "weekly-701.txt").read_bytes()), publish=True)
    review_url = review_url_after_upload(admin_client, upload("weekly-701.txt"))
    page = admin_client.get(review_url).text
    assert "将更新已有的周报 第七〇一期" in page
    existing = Issue.objects.get()
    assert f'href="{reverse("admin:bulletins_issue_change", args=[existing.pk])}"' in page
    assert "状态为“已发布”；导入后将改回草稿" in page
    assert "确认覆盖已发布的周报 第七〇一期" in page
    ids = pending_ids(page)
    response = admin_client.post(review_url, {"upload": ids, "replace": ids})
    assert "已更新周报 第七〇一期（草稿）" in flash(response)[0]
    assert Issue.objects.get().status == Issue.Status.DRAFT
    assert Issue.objects.count() == 1 and Article.objects.count() == 3


def test_a_file_with_errors_is_shown_with_them_and_never_imported(admin_client):
    broken = "全国卫生信息化舆情监测周报\n（第七〇二期）\n2026年3月20日\n没有文章的文档\n"
    review_url = review_url_after_upload(admin_client, upload("broken.txt", broken.encode()))
    page = admin_client.get(review_url).text
    assert "无法导入" in page
    assert "未找到任何文章" in page
    assert pending_ids(page) == []
    assert "确认导入（保存为草稿）" not in page
    pending = PendingImport.objects.get()
    response = admin_client.post(review_url, {"upload": str(pending.pk)})
    assert "“broken.txt”：未导入" in flash(response)[0]
    assert not Issue.objects.exists()


# --- refused uploads ----------------------------------------------------------------------


@override_settings(BULLETIN_IMPORT_MAX_BYTES=1024)
def test_a_file_over_the_size_limit_is_refused(admin_client):
    response = upload_files(admin_client, upload("weekly-701.txt"))
    assert response.status_code == 200
    assert "weekly-701.txt：文件过大：2.7 KB，每个文件不能超过 1 KB" in response.text
    assert not PendingImport.objects.exists()


@override_settings(BULLETIN_IMPORT_MAX_FILES=2)
def test_too_many_files_at_once_are_refused(admin_client):
    files = [upload("weekly-701.txt"), upload("monthly-555.md"), upload("weekly-650-inline.txt")]
    response = upload_files(admin_client, *files)
    assert "一次最多上传 2 个文件" in response.text
    assert not PendingImport.objects.exists()


def zip_without_word_parts() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("notes.txt", "不是 Word")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("renamed.docx", "全国卫生信息化舆情监测周报".encode(), "内容不是 Word 文档"),
        ("archive.docx", zip_without_word_parts(), "不含 Word 文档的正文"),
        ("scan.txt", b"%PDF-1.7\n...", "内容是PDF 文件"),
        ("word.md", save(weekly_document()), "内容是zip 压缩包或 Word（.docx）文件"),
        ("bulletin.pdf", b"%PDF-1.7\n...", "PDF 无法直接导入"),
        ("bulletin.doc", b"\xd0\xcf\x11\xe0....", "旧版 Word（.doc）文件无法直接导入"),
        ("photo.png", b"\x89PNG....", "不支持的文件类型“photo.png”"),
        ("empty.txt", b"", "所提交的是空文件"),
    ],
)
def test_files_that_are_not_what_their_name_says_are_refused(admin_client, name, data, reason):
    response = upload_files(admin_client, upload(name, data))
    assert response.status_code == 200
    assert f"{name}：" in response.text and reason in response.text
    assert not PendingImport.objects.exists()


def test_one_refused_file_names_itself_and_stores_nothing(admin_client):
    response = upload_files(admin_client, upload("weekly-701.txt"), upload("x.docx", b"PK.."))
    assert "x.docx：" in response.text and "weekly-701.txt：" not in response.text
    assert not PendingImport.objects.exists()


# --- who may use it -----------------------------------------------------------------------


def test_someone_not_staff_is_sent_to_the_login_page(client):
    user = factories.staff_user(permissions=["bulletins.add_issue"])
    user.is_staff = False
    user.save()
    client.force_login(user)
    for response in (client.get(IMPORT_URL), upload_files(client, upload("weekly-701.txt"))):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    assert not PendingImport.objects.exists()


def test_staff_without_the_add_issue_permission_are_refused(client):
    client.force_login(
        factories.staff_user(permissions=["bulletins.change_issue", "bulletins.view_issue"])
    )
    assert client.get(IMPORT_URL).status_code == 403
    assert upload_files(client, upload("weekly-701.txt")).status_code == 403
    page = client.get(reverse("admin:bulletins_issue_changelist")).text
    assert IMPORT_URL not in page


def test_adding_without_the_change_permission_cannot_overwrite_an_existing_issue(client):
    factories.issue(number=701, publication_date=datetime.date(2026, 3, 13))
    client.force_login(
        factories.staff_user(permissions=["bulletins.add_issue", "bulletins.view_issue"])
    )
    review_url = review_url_after_upload(client, upload("weekly-701.txt"))
    page = client.get(review_url).text
    assert "周报 第七〇一期已存在，你没有修改它的权限" in page
    assert pending_ids(page) == []
    client.post(review_url, {"upload": str(PendingImport.objects.get().pk)})
    assert Issue.objects.get().articles.count() == 0


def test_one_editor_cannot_open_or_confirm_another_editors_upload(client, admin_client):
    review_url = review_url_after_upload(admin_client, upload("weekly-701.txt"))
    pending = PendingImport.objects.get()
    client.force_login(
        factories.staff_user(permissions=["bulletins.add_issue", "bulletins.change_issue"])
    )
    response = client.get(review_url)
    assert response["Location"] == IMPORT_URL
    assert "上传的文件已过期或不存在" in flash(response)[0]
    client.post(review_url, {"upload": str(pending.pk)})
    assert not Issue.objects.exists()
    assert PendingImport.objects.filter(pk=pending.pk).exists()


def test_an_upload_left_too_long_has_expired(admin_client):
    review_url = review_url_after_upload(admin_client, upload("weekly-701.txt"))
    PendingImport.objects.update(uploaded_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    response = admin_client.get(review_url)
    assert response["Location"] == IMPORT_URL
    # The next upload clears what has expired.
    review_url_after_upload(admin_client, upload("monthly-555.md"))
    assert list(PendingImport.objects.values_list("name", flat=True)) == ["monthly-555.md"]


def test_posts_need_the_csrf_token():
    client = Client(enforce_csrf_checks=True)
    user = factories.staff_user(permissions=["bulletins.add_issue", "bulletins.change_issue"])
    client.force_login(user)
    response = client.post(IMPORT_URL, {"files": [upload("weekly-701.txt")]})
    assert response.status_code == 403
    assert not PendingImport.objects.exists()
